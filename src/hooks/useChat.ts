import { useLiveQuery } from 'dexie-react-hooks';
import { useCallback } from 'react';
import type { Character } from '../domain/character';
import type { Chat, Message, SamplingSettings } from '../domain/chat';
import { exportChatFile, importChatFile } from '../services/chatFiles';
import { repos, StorageFullError, type ChatSummary } from '../db';
import { useUi } from '../stores/ui';

export type { ChatSummary };

export function useChats(characterId: string): ChatSummary[] | null {
  return useLiveQuery(() => repos.chats.listForCharacter(characterId), [characterId], null);
}

export function useChatRecord(chatId: string | undefined): Chat | null | undefined {
  return useLiveQuery(() => (chatId ? repos.chats.get(chatId) : undefined), [chatId], null);
}

export function useMessages(chatId: string | undefined): Message[] | null {
  return useLiveQuery(() => (chatId ? repos.chats.messages(chatId) : []), [chatId], null);
}

/** Message-level edits with error notices (nothing is lost on failure: the editor keeps its text). */
export function useMessageActions() {
  const notify = useUi((s) => s.notify);
  const guard = useCallback(
    async (title: string, fn: () => Promise<void>): Promise<boolean> => {
      try {
        await fn();
        return true;
      } catch (e) {
        notify({ kind: 'error', title, detail: e instanceof StorageFullError ? e.message : e instanceof Error ? e.message : String(e) });
        return false;
      }
    },
    [notify],
  );
  return {
    edit: (message: Message, text: string) =>
      guard('Could not save the edit', () => repos.chats.writeSwipe(message.id, message.swipeIndex, { text, state: 'done' })),
    remove: (message: Message) => guard('Could not delete the message', () => repos.chats.deleteMessage(message.id)),
    selectSwipe: (message: Message, index: number) =>
      guard('Could not switch swipes', () => repos.chats.selectSwipe(message.id, Math.max(0, Math.min(message.swipes.length - 1, index)))),
    renameChat: (chatId: string, title: string) => guard('Could not rename the chat', () => repos.chats.rename(chatId, title)),
    deleteChat: (chatId: string) => guard('Could not delete the chat', () => repos.chats.delete(chatId)),
    updateSampling: (chatId: string, sampling: SamplingSettings) => guard('Could not save the settings', () => repos.chats.updateSampling(chatId, sampling)),
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
