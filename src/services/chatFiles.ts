/** Chat files in and out (SillyTavern .jsonl). No React. */
import type { Character } from '../domain/character';
import { ChatImportError, MAX_CHAT_FILE_BYTES, parseSillyTavernChat, toSillyTavernJsonl } from '../domain/chats/sillytavern';
import type { Chat } from '../domain/chat';
import { repos } from '../db';
import { downloadBlob, formatBytes, safeFilename } from '../platform/files';

/**
 * Imports a SillyTavern chat into a character's chats.
 * @throws ChatImportError naming the file and the reason; nothing is stored then.
 */
export async function importChatFile(file: File, character: Character): Promise<Chat> {
  if (file.size > MAX_CHAT_FILE_BYTES) throw new ChatImportError(`“${file.name}” is ${formatBytes(file.size)}; the limit is ${formatBytes(MAX_CHAT_FILE_BYTES)}.`);
  const imported = parseSillyTavernChat(await file.text(), file.name);
  return repos.chats.importChat(character.id, imported);
}

export async function exportChatFile(chat: Chat, character: Character): Promise<void> {
  const messages = await repos.chats.messages(chat.id);
  const userName = (await repos.settings.get('userName')) ?? 'You';
  const text = toSillyTavernJsonl({ userName, characterName: character.card.name, createdAt: chat.createdAt, messages });
  downloadBlob(new Blob([text], { type: 'application/x-ndjson' }), `${safeFilename(`${character.card.name} - ${chat.title}`)}.jsonl`);
}
