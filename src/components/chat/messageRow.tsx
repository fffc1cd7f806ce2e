import type { Character } from '../../domain/character';
import type { Message } from '../../domain/chat';
import type { MessageCheck } from '../../hooks/useChecks';
import { VerdictBadge } from '../persona/VerdictBadge';

/** What a chat screen does with one message (the chat and a group scene share these). */
export interface MessageRowHandlers {
  edit: (m: Message, text: string) => Promise<boolean>;
  remove: (m: Message) => void;
  removeSwipe: (m: Message) => void;
  swipe: (m: Message, index: number) => void;
  regenerate: (m: Message, restate?: string[]) => void;
  continueReply: (m: Message) => void;
  recheck: (m: Message) => void;
}

/** MessageItem's callbacks for `message`, bound to the screen's handlers. */
export function messageRowActions(message: Message, handlers: MessageRowHandlers) {
  return {
    onEdit: (text: string) => handlers.edit(message, text),
    onDelete: () => handlers.remove(message),
    onDeleteSwipe: () => handlers.removeSwipe(message),
    onSwipe: (i: number) => handlers.swipe(message, i),
    onRegenerate: () => handlers.regenerate(message),
    onContinue: () => handlers.continueReply(message),
  };
}

/** A reply's verdict under it, checked against `character` (its speaker). */
export function MessageVerdict({ message, check, character, checkerReady, handlers }: { message: Message; check: MessageCheck | undefined; character: Character; checkerReady: boolean; handlers: MessageRowHandlers }) {
  return (
    <VerdictBadge
      check={check}
      character={character}
      checkerReady={checkerReady}
      onRecheck={() => handlers.recheck(message)}
      onRegenerateInCharacter={(restate) => handlers.regenerate(message, restate)}
    />
  );
}
