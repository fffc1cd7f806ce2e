import { useLiveQuery } from 'dexie-react-hooks';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { Character } from '../domain/character';
import { currentText, type AuthorsNote, type Chat, type Message, type SamplingSettings, type TakeSettings } from '../domain/chat';
import { exportChatFile, importChatFile } from '../services/chatFiles';
import { contextStartOf } from '../services/contextWindow';
import { ratioOf, tokenCalibration } from '../services/calibration';
import { useEngine } from '../stores/engine';
import { repos, type ChatSummary } from '../db';
import { useRoute } from '../stores/route';
import { useSession } from '../stores/session';
import { useUi } from '../stores/ui';
import { errorDetail, useUndoNotice } from './notices';
import { useSetting } from './useSettings';

export type { ChatSummary };

export function useChats(characterId: string): ChatSummary[] | null {
  return useLiveQuery(() => repos.chats.listForCharacter(characterId), [characterId], null);
}

export function useChatRecord(chatId: string | undefined): Chat | null | undefined {
  return useLiveQuery(() => (chatId ? repos.chats.get(chatId) : undefined), [chatId], null);
}

const NO_MESSAGES: Message[] = [];

/**
 * A chat's messages in order; null while loading. Follows the chat through
 * `ChatRepository.watchMessages`, not a live query of the whole chat: a
 * streaming save reads and replaces only its message, the others stay the
 * same objects (issue 13: each save re-read 10,000 messages).
 * @throws the storage error, in render (as useLiveQuery does), for the error boundary.
 */
export function useMessages(chatId: string | undefined): Message[] | null {
  const [state, setState] = useState<{ chatId: string; messages: Message[] | null; error: unknown }>({ chatId: '', messages: null, error: null });
  useEffect(() => {
    if (!chatId) return;
    return repos.chats.watchMessages(
      chatId,
      (messages) => setState({ chatId, messages, error: null }),
      (error) => setState((s) => ({ chatId, messages: s.chatId === chatId ? s.messages : null, error })),
    );
  }, [chatId]);
  if (!chatId) return NO_MESSAGES;
  if (state.chatId !== chatId) return null;
  if (state.error) throw state.error;
  return state.messages;
}

const preview = (text: string) => (text.length > 60 ? `“${text.slice(0, 57).trimEnd()}…”` : `“${text}”`);

/**
 * A message's text as the prompt reads it changed (edit, delete, undo, another
 * swipe shown): the chat's "Story so far" summaries of it are redone soon
 * (stores/session historyChanged), not only after the next reply.
 */
const historyChanged = (chatId: string) => useSession.getState().historyChanged(chatId);

/** Runs `fn`, then reports a history change of `chatId` (also when `fn` changed nothing: the refresh finds no work). */
const changing = (chatId: string, fn: () => Promise<void>) => async () => {
  await fn();
  historyChanged(chatId);
};

/**
 * Message-level edits with error notices (nothing is lost on failure: the
 * editor keeps its text). Deleting a message, a swipe or a chat offers Undo.
 */
export function useMessageActions() {
  const notify = useUi((s) => s.notify);
  const offerUndo = useUndoNotice();
  const guard = useCallback(
    async (title: string, fn: () => Promise<void>): Promise<boolean> => {
      try {
        await fn();
        return true;
      } catch (e) {
        notify({ kind: 'error', title, detail: errorDetail(e) });
        return false;
      }
    },
    [notify],
  );
  return {
    edit: (message: Message, text: string) =>
      guard('Could not save the edit', changing(message.chatId, () => repos.chats.writeSwipe(message.id, message.swipeIndex, { text, state: 'done' }))),
    remove: (message: Message) =>
      guard(
        'Could not delete the message',
        changing(message.chatId, async () => {
          const deleted = await repos.chats.deleteMessageForUndo(message.id);
          if (!deleted) return;
          const swipes = deleted.message.swipes.length;
          offerUndo({
            title: 'Message deleted',
            detail: `${preview(currentText(deleted.message))}${swipes > 1 ? ` and its ${swipes - 1} other swipe${swipes === 2 ? '' : 's'}` : ''}`,
            undo: changing(message.chatId, () => repos.chats.restoreMessage(deleted)),
          });
        }),
      ),
    /** Deletes the swipe on show (of a message with several). */
    removeSwipe: (message: Message) =>
      guard(
        'Could not delete the swipe',
        changing(message.chatId, async () => {
          const deleted = await repos.chats.deleteSwipeForUndo(message.id, message.swipeIndex);
          if (!deleted) return;
          offerUndo({
            title: `Swipe ${deleted.index + 1} of ${deleted.before.swipes.length} deleted`,
            detail: preview(deleted.before.swipes[deleted.index]!.text),
            undo: changing(message.chatId, () => repos.chats.restoreSwipe(deleted)),
          });
        }),
      ),
    selectSwipe: (message: Message, index: number) =>
      guard('Could not switch swipes', changing(message.chatId, () => repos.chats.selectSwipe(message.id, Math.max(0, Math.min(message.swipes.length - 1, index))))),
    /**
     * Branches the chat at `message` (issue 13 §2) and opens the branch.
     * Resolves with it, or null when it could not be made (notified).
     */
    branch: async (chat: Chat, message: Message): Promise<Chat | null> => {
      try {
        const branch = await repos.chats.branch(chat.id, message.id);
        useRoute.getState().navigate({ name: 'character', id: chat.characterId, tab: 'chat', chatId: branch.id });
        notify({ kind: 'success', title: `Branched at message ${branch.branchOf?.position ?? ''}`.trim(), detail: `“${branch.title}” continues from here; “${chat.title}” is unchanged.` });
        return branch;
      } catch (e) {
        notify({ kind: 'error', title: 'Could not branch the chat', detail: errorDetail(e) });
        return null;
      }
    },
    renameChat: (chatId: string, title: string) => guard('Could not rename the chat', () => repos.chats.rename(chatId, title)),
    deleteChat: (chatId: string) =>
      guard('Could not delete the chat', async () => {
        const deleted = await repos.chats.deleteChatForUndo(chatId);
        if (!deleted) return;
        const { route, navigate } = useRoute.getState();
        // The open chat is gone: show the character's latest one instead of "no longer exists".
        if (route.name === 'character' && route.chatId === chatId) navigate({ name: 'character', id: route.id, tab: 'chat' }, { replace: true });
        offerUndo({
          title: `Deleted “${deleted.chat.title}”`,
          detail: `With ${deleted.messages.length} message${deleted.messages.length === 1 ? '' : 's'}.`,
          undo: async () => {
            await repos.chats.restoreChat(deleted);
            useRoute.getState().navigate({ name: 'character', id: deleted.chat.characterId, tab: 'chat', chatId: deleted.chat.id });
          },
        });
      }),
    setPinned: (message: Message, pinned: boolean) => guard(pinned ? 'Could not pin the message' : 'Could not unpin the message', () => repos.chats.setPinned(message.id, pinned)),
    setAuthorsNote: (chatId: string, note: AuthorsNote) => guard('Could not save the author’s note', () => repos.chats.setAuthorsNote(chatId, note)),
    /** The writer's own words for a summary (it is still redone when its messages change). */
    editSummary: (chatId: string, summaryId: string, text: string) =>
      guard('Could not save the summary', async () => {
        await repos.chats.updateMemory(chatId, (list) => list.map((s) => (s.id === summaryId ? { ...s, text: text.trim(), edited: true, updatedAt: Date.now() } : s)));
      }),
    updateSampling: (chatId: string, sampling: SamplingSettings, takes?: TakeSettings) => guard('Could not save the settings', () => repos.chats.updateSampling(chatId, sampling, takes)),
  };
}

/** Import/export of SillyTavern chat files with notices. */
export function useChatFiles(character: Character) {
  const notify = useUi((s) => s.notify);
  return {
    importFile: async (file: File): Promise<Chat | null> => {
      try {
        const chat = await importChatFile(file, character);
        notify({ kind: 'success', title: `Imported “${chat.title}”`, detail: 'Open the persona panel to check its replies.' });
        return chat;
      } catch (e) {
        notify({ kind: 'error', title: `Could not import “${file.name}”`, detail: `${e instanceof Error ? e.message : String(e)}\nNo chat was changed.` });
        return null;
      }
    },
    exportChat: async (chat: Chat) => {
      try {
        await exportChatFile(chat, character);
      } catch (e) {
        notify({ kind: 'error', title: 'Export failed', detail: e instanceof Error ? e.message : String(e) });
      }
    },
  };
}

/**
 * Index of the oldest message the model will see in the next reply's prompt
 * (the chat draws a line above it); null when it sees the whole chat or
 * while that is not known yet.
 *
 * Worked out after the chat renders, never during it, and not while a reply
 * streams (its pieces would move the line a few tokens at a time): once when
 * the chat opens and after each change. Each time costs the messages in
 * the window, not the whole chat (services/contextWindow.ts).
 */
export function useContextStart(chat: Chat, character: Character, messages: readonly Message[], streaming: boolean): number | null {
  const userName = useSetting('userName');
  const engineContext = useEngine((s) => s.engine?.contextSize);
  // Counted as the turn counts: with a server's ratio once it reported a prompt's real cost.
  const engineKind = useEngine((s) => s.engine?.kind ?? null);
  const modelId = useEngine((s) => ('modelId' in s.status ? s.status.modelId : null));
  const ratio = useSyncExternalStore(tokenCalibration.subscribe, () => (engineKind ? ratioOf(engineKind, modelId) : 1));
  const [start, setStart] = useState<number | null>(null);
  useEffect(() => {
    if (streaming || userName === null) return;
    const timer = setTimeout(() => {
      try {
        setStart(contextStartOf(messages, chat, character, userName, engineContext, ratio));
      } catch {
        // Settings with no room for a prompt: a turn says so when sent; no line.
        setStart(null);
      }
    }, 0);
    return () => clearTimeout(timer);
  }, [messages, chat, character, userName, engineContext, ratio, streaming]);
  return start;
}
