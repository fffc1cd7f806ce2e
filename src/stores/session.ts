import { create } from 'zustand';
import type { Character } from '../domain/character';
import { currentText, type Chat } from '../domain/chat';
import { resolveMacros } from '../domain/text';
import { repos, StorageFullError } from '../db';
import { classifyEngineError } from '../engines/errors';
import { displayName, historyFrom, streamReply, userTurnBefore, type StreamReplyOutcome } from '../services/chat';
import { liveChecking } from '../services/checking';
import { liveCheckDeps } from './checker';
import { useEngine } from './engine';
import { useUi } from './ui';

export interface StreamingReply {
  chatId: string;
  /** Empty while the messages are being written, before the first token. */
  messageId: string;
  swipeIndex: number;
  text: string;
}

interface SessionSlice {
  streaming: StreamingReply | null;
  /** Start a chat with the character's greetings (macros resolved). */
  newChat: (character: Character) => Promise<Chat | null>;
  /** Appends the user's message and streams a reply. Returns false when nothing was sent. */
  send: (chat: Chat, character: Character, text: string) => Promise<boolean>;
  /** New swipe for an assistant message (optionally restating statements: "in character"). */
  regenerate: (chat: Chat, character: Character, messageId: string, restate?: string[]) => Promise<void>;
  /** Continues the shown swipe of an assistant message. */
  continueReply: (chat: Chat, character: Character, messageId: string) => Promise<void>;
  /** Replies to the last user message when it has no answer yet (e.g. after an error). */
  replyNow: (chat: Chat, character: Character) => Promise<void>;
  /** First call: cooperative stop. Second call while still running: the worker is terminated. */
  stop: () => void;
}

let controller: AbortController | null = null;
let stopPresses = 0;

async function userName(): Promise<string> {
  return (await repos.settings.get('userName')) ?? 'You';
}

function notifyError(title: string, e: unknown) {
  const notify = useUi.getState().notify;
  if (e instanceof StorageFullError) {
    notify({ kind: 'error', title, detail: e.message });
    return;
  }
  const error = classifyEngineError(e, 'generate');
  notify({ kind: 'error', title, detail: `${error.message}\nEverything typed and generated so far is kept.` });
}

function engineReady(): boolean {
  const { engine, status } = useEngine.getState();
  if (engine && status.state === 'ready') return true;
  const notify = useUi.getState().notify;
  notify({
    kind: 'error',
    title: status.state === 'busy' ? 'The model is busy' : 'No model is loaded',
    detail: status.state === 'busy' ? 'Wait for the current reply or stop it.' : 'Open Models and load one to chat. Your message is still in the box.',
  });
  return false;
}

export const useSession = create<SessionSlice>()((set, get) => {
  /** Runs one streamed reply into (messageId, swipeIndex) with live checking. */
  const run = async (args: {
    chat: Chat;
    character: Character;
    messageId: string;
    swipeIndex: number;
    prefix: string;
    historyUntil: number;
    restate?: string[];
  }): Promise<StreamReplyOutcome | null> => {
    const engine = useEngine.getState().engine!;
    const messages = await repos.chats.messages(args.chat.id);
    const index = messages.findIndex((m) => m.id === args.messageId);
    const history = historyFrom(messages, index === -1 ? args.historyUntil : index);
    controller = new AbortController();
    stopPresses = 0;
    set({ streaming: { chatId: args.chat.id, messageId: args.messageId, swipeIndex: args.swipeIndex, text: args.prefix } });
    const live = liveChecking.start(
      {
        chatId: args.chat.id,
        messageId: args.messageId,
        swipeIndex: args.swipeIndex,
        character: args.character,
        userTurn: userTurnBefore(messages, index === -1 ? messages.length : index),
        prefix: args.prefix,
      },
      liveCheckDeps(),
    );
    try {
      const outcome = await streamReply({
        engine,
        repo: repos.chats,
        character: args.character,
        chat: args.chat,
        history,
        userName: await userName(),
        target: { messageId: args.messageId, swipeIndex: args.swipeIndex, prefix: args.prefix },
        restate: args.restate,
        signal: controller.signal,
        onDelta: (d) => live.feed(d),
        onText: (text) => {
          const s = get().streaming;
          if (s && s.messageId === args.messageId) set({ streaming: { ...s, text } });
        },
      });
      if (outcome.error) {
        live.cancel();
        notifyError('The reply stopped with an error', outcome.error);
      } else {
        void live.end(outcome.text);
      }
      return outcome;
    } finally {
      controller = null;
      set({ streaming: null });
    }
  };

  return {
    streaming: null,

    newChat: async (character) => {
      try {
        const names = { char: displayName(character), user: await userName() };
        const greetings = [character.card.first_mes, ...character.card.alternate_greetings].map((g) => resolveMacros(g, names));
        return await repos.chats.create({ characterId: character.id, characterName: displayName(character), greetings });
      } catch (e) {
        notifyError('Could not start a chat', e);
        return null;
      }
    },

    send: async (chat, character, text) => {
      if (get().streaming || !text.trim()) return false;
      if (!engineReady()) return false;
      // Busy from the first moment, so nothing else starts while we write.
      set({ streaming: { chatId: chat.id, messageId: '', swipeIndex: 0, text: '' } });
      try {
        await repos.chats.append(chat.id, { role: 'user', name: await userName(), text: text.trim() });
        const reply = await repos.chats.append(chat.id, { role: 'assistant', name: displayName(character), text: '', state: 'streaming' });
        void run({ chat, character, messageId: reply.id, swipeIndex: 0, prefix: '', historyUntil: Infinity });
        return true;
      } catch (e) {
        set({ streaming: null });
        notifyError('Your message could not be saved', e);
        return false;
      }
    },

    regenerate: async (chat, character, messageId, restate) => {
      if (get().streaming || !engineReady()) return;
      try {
        const swipeIndex = await repos.chats.addSwipe(messageId, restate?.length ? { inCharacterOf: restate } : {});
        await run({ chat, character, messageId, swipeIndex, prefix: '', historyUntil: Infinity, restate });
      } catch (e) {
        notifyError('Could not regenerate', e);
      }
    },

    continueReply: async (chat, character, messageId) => {
      if (get().streaming || !engineReady()) return;
      const messages = await repos.chats.messages(chat.id);
      const message = messages.find((m) => m.id === messageId);
      if (!message) return;
      const prefix = currentText(message);
      await run({ chat, character, messageId, swipeIndex: message.swipeIndex, prefix: prefix.endsWith(' ') || !prefix ? prefix : `${prefix} `, historyUntil: Infinity });
    },

    replyNow: async (chat, character) => {
      if (get().streaming || !engineReady()) return;
      const reply = await repos.chats.append(chat.id, { role: 'assistant', name: displayName(character), text: '', state: 'streaming' });
      await run({ chat, character, messageId: reply.id, swipeIndex: 0, prefix: '', historyUntil: Infinity });
    },

    stop: () => {
      if (!controller) return;
      stopPresses++;
      if (stopPresses === 1) controller.abort();
      else useEngine.getState().engine?.interrupt();
    },
  };
});
