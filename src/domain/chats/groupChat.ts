/**
 * SillyTavern group chats (issue 13 §3). ST stores a group chat as a .jsonl
 * whose header says `character_name: "unused"` and whose character lines
 * carry the speaker's `name` and `original_avatar` (the card file, e.g.
 * "Maren Holt.png"); the group itself (its members, its activation strategy)
 * lives in a separate groups/*.json that a chat file does not carry. So an
 * import recognises the members by name in the library, and an export writes
 * each line under its speaker's name and card file name.
 */
import type { SceneMember } from '../group';
import type { ImportedChat } from './sillytavern';

/** The header of a group chat file, as SillyTavern writes it. */
export const ST_GROUP_NAME = 'unused';

/** The speakers' names (assistant lines), in order of first appearance. */
export function speakerNames(imported: ImportedChat): string[] {
  return [...new Set(imported.messages.filter((m) => m.role === 'assistant' && m.name.trim() !== '').map((m) => m.name))];
}

/** Whether a parsed chat file is a group chat: SillyTavern's header says so, or more than one character speaks. */
export function isGroupChatFile(imported: ImportedChat): boolean {
  return imported.characterName === ST_GROUP_NAME || speakerNames(imported).length > 1;
}

const fold = (s: string) => s.trim().toLocaleLowerCase();

/**
 * Matches the file's speakers to library characters by name (any of a
 * member's names, case-insensitively) and marks each character line with its
 * speaker. Lines of a speaker not in the library keep their name and no
 * speaker (they read as someone else in the scene, and are not checked).
 * @returns the matched member ids in order of first appearance, and the annotated chat.
 */
export function matchGroupSpeakers(imported: ImportedChat, library: readonly SceneMember[]): { memberIds: string[]; chat: ImportedChat } {
  const byName = new Map<string, string>();
  for (const m of library) for (const n of [m.name, ...(m.aliases ?? [])]) if (n.trim() && !byName.has(fold(n))) byName.set(fold(n), m.id);
  const memberIds: string[] = [];
  const messages = imported.messages.map((m) => {
    if (m.role !== 'assistant') return m;
    const id = byName.get(fold(m.name));
    if (!id) return m;
    if (!memberIds.includes(id)) memberIds.push(id);
    return { ...m, speakerId: id };
  });
  return { memberIds, chat: { ...imported, messages } };
}
