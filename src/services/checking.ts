/**
 * Live consistency checking of streaming replies. (Wired to the checker
 * worker in the checker commit; until then it checks nothing.)
 */
import type { Character } from '../domain/character';

export interface LiveCheckHandle {
  feed: (delta: string) => void;
  end: (finalText: string) => Promise<void>;
  cancel: () => void;
}

export interface LiveCheckStart {
  chatId: string;
  messageId: string;
  swipeIndex: number;
  character: Character;
  userTurn: string;
  prefix: string;
}

export const liveChecking = {
  start(_input: LiveCheckStart): LiveCheckHandle {
    return { feed: () => undefined, end: async () => undefined, cancel: () => undefined };
  },
};
