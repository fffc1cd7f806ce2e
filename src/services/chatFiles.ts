/** Chat files in and out (SillyTavern .jsonl). No React. */
import type { Character } from '../domain/character';
import { ChatImportError, MAX_CHAT_FILE_BYTES, parseSillyTavernChat, toSillyTavernJsonl, type ImportedChat } from '../domain/chats/sillytavern';
import { isGroupChatFile, matchGroupSpeakers } from '../domain/chats/groupChat';
import { GROUP_MAX_MEMBERS, GROUP_MIN_MEMBERS, makeGroupScene } from '../domain/group';
import { displayName } from './chat';
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
  if (isGroupChatFile(imported)) {
    const group = await importAsGroup(imported, character);
    if (group) return group;
  }
  return repos.chats.importChat(character.id, imported);
}

/**
 * A SillyTavern group chat whose speakers are (at least two of them) in the
 * library becomes a group scene; the importing character leads it when it
 * speaks in it. Null when fewer than two speakers are known (imported as a
 * plain chat then, every line kept).
 */
async function importAsGroup(imported: ImportedChat, character: Character): Promise<Chat | null> {
  const library = await repos.characters.list();
  const { memberIds, chat } = matchGroupSpeakers(imported, library.map((c) => ({ id: c.id, name: displayName(c), aliases: [c.card.name, c.card.nickname].filter((n) => n.trim() !== '') })));
  if (memberIds.length < GROUP_MIN_MEMBERS) return null;
  const ordered = memberIds.includes(character.id) ? [character.id, ...memberIds.filter((id) => id !== character.id)] : memberIds;
  const scene = makeGroupScene(ordered.slice(0, GROUP_MAX_MEMBERS));
  const kept = new Set(scene.memberIds);
  // Speakers past the sixth stay as named lines without a speaker.
  const messages = chat.messages.map(({ speakerId, ...m }) => (speakerId && kept.has(speakerId) ? { ...m, speakerId } : m));
  return repos.chats.importChat(scene.memberIds[0]!, { ...chat, messages }, undefined, scene);
}

export async function exportChatFile(chat: Chat, character: Character): Promise<void> {
  const messages = await repos.chats.messages(chat.id);
  const userName = (await repos.settings.get('userName')) ?? 'You';
  const members = chat.group ? await Promise.all(chat.group.memberIds.map((id) => repos.characters.get(id))) : [];
  const group = chat.group
    ? { cardFileOf: (id: string) => { const c = members.find((x) => x?.id === id); return c ? `${c.card.name}.png` : null; } }
    : undefined;
  const text = toSillyTavernJsonl({ userName, characterName: character.card.name, createdAt: chat.createdAt, messages, ...(group ? { group } : {}) });
  downloadBlob(new Blob([text], { type: 'application/x-ndjson' }), `${safeFilename(`${character.card.name} - ${chat.title}`)}.jsonl`);
}
