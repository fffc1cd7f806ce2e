/** Chat files in and out (SillyTavern .jsonl). No React. */
import type { Character } from '../domain/character';
import { ChatImportError, MAX_CHAT_FILE_BYTES, parseSillyTavernChat, toSillyTavernJsonl, type ExportedBranchLink, type ImportedChat } from '../domain/chats/sillytavern';
import { importedBranchPoint } from '../domain/chats/branch';
import type { BranchPoint, Chat } from '../domain/chat';
import { isGroupChatFile, matchGroupSpeakers } from '../domain/chats/groupChat';
import { GROUP_MAX_MEMBERS, GROUP_MIN_MEMBERS, makeGroupScene } from '../domain/group';
import { displayName } from './chat';
import { repos } from '../db';
import { downloadBlob, formatBytes, safeFilename } from '../platform/files';
import { personaFor } from './chat';

/** A chat's export file name without `.jsonl` — what a branch's `main_chat` names. */
export function chatFileBaseName(chat: Pick<Chat, 'title'>, character: Pick<Character, 'card'>): string {
  return safeFilename(`${character.card.name} - ${chat.title}`);
}

/**
 * The parent a branch file names (`main_chat`), among the character's chats:
 * one whose title or export name is that name and that shares its first
 * messages. Null when there is none (the chat is imported on its own).
 */
async function findParent(imported: ImportedChat, character: Character): Promise<BranchPoint | null> {
  const name = imported.mainChat;
  if (!name) return null;
  const chats = await repos.chats.listForCharacter(character.id);
  for (const chat of chats) {
    if (chat.title !== name && chatFileBaseName(chat, character) !== name) continue;
    const point = importedBranchPoint(imported, { chatId: chat.id, messages: await repos.chats.messages(chat.id) });
    if (point) return point;
  }
  return null;
}

/**
 * Imports a SillyTavern chat into a character's chats. A branch file whose
 * parent is already among them (imported or made here) is linked to it.
 * @throws ChatImportError naming the file and the reason; nothing is stored then.
 */
export async function importChatFile(file: File, character: Character): Promise<Chat> {
  if (file.size > MAX_CHAT_FILE_BYTES) throw new ChatImportError(`“${file.name}” is ${formatBytes(file.size)}; the limit is ${formatBytes(MAX_CHAT_FILE_BYTES)}.`);
  const imported = parseSillyTavernChat(await file.text(), file.name);
  if (isGroupChatFile(imported)) {
    const group = await importAsGroup(imported, character);
    if (group) return group;
  }
  const branchOf = await findParent(imported, character);
  return repos.chats.importChat(character.id, imported, undefined, branchOf ? { branchOf } : {});
}

/** The chat as SillyTavern .jsonl text; a branch names its parent's file in `chat_metadata.main_chat`, a group scene writes SillyTavern's group layout. */
export async function chatFileText(chat: Chat, character: Character): Promise<string> {
  const messages = await repos.chats.messages(chat.id);
  const { name: userName } = await personaFor(chat);
  let branch: ExportedBranchLink | undefined;
  if (chat.branchOf) {
    const parent = await repos.chats.get(chat.branchOf.chatId);
    // A deleted parent has no file to name; the branch then exports as a chat of its own.
    if (parent) branch = { mainChat: chatFileBaseName(parent, character), position: chat.branchOf.position };
  }
  const members = chat.group ? await Promise.all(chat.group.memberIds.map((id) => repos.characters.get(id))) : [];
  const group = chat.group
    ? {
        cardFileOf: (id: string) => {
          const c = members.find((x) => x?.id === id);
          return c ? `${c.card.name}.png` : null;
        },
      }
    : undefined;
  return toSillyTavernJsonl({ userName, characterName: character.card.name, createdAt: chat.createdAt, messages, ...(branch ? { branch } : {}), ...(group ? { group } : {}) });
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
  return repos.chats.importChat(scene.memberIds[0]!, { ...chat, messages }, undefined, { group: scene });
}

export async function exportChatFile(chat: Chat, character: Character): Promise<void> {
  const text = await chatFileText(chat, character);
  downloadBlob(new Blob([text], { type: 'application/x-ndjson' }), `${chatFileBaseName(chat, character)}.jsonl`);
}
