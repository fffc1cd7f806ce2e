/**
 * SillyTavern chat files (.jsonl): the first line is a header
 * (`{user_name, character_name, create_date, chat_metadata}`), every other
 * line one message (`{name, is_user, is_system, send_date, mes, swipes?,
 * swipe_id?}`). Parsing is lenient (blank lines, missing fields) but a file
 * with no readable message is refused. Export writes the same layout.
 *
 * Branches: SillyTavern marks a branch (or checkpoint) file with
 * `chat_metadata.main_chat`, the parent chat's file name without `.jsonl`
 * (its bookmarks.js, `createBranch`). The studio writes that too, plus
 * `chat_metadata.in_character_branch.position` (the 1-based message the
 * branch split after), and reads SillyTavern's own `fork_point.mesId` when a
 * file has it.
 */
import type { Message, Role, Swipe } from '../chat';

export class ChatImportError extends Error {
  override readonly name = 'ChatImportError';
}

export interface ImportedChat {
  title: string;
  userName: string;
  characterName: string;
  createdAt: number;
  messages: { role: Role; name: string; swipes: string[]; swipeIndex: number; createdAt: number; speakerId?: string }[];
  /** `chat_metadata.main_chat`: the file name (no extension) of the chat this one branched from. */
  mainChat?: string;
  /** 1-based position of the last shared message, when the file says it. */
  branchPosition?: number;
}

/** Longest `main_chat` read (a file name; anything longer is not one). */
const MAX_MAIN_CHAT_CHARS = 300;

function readBranchMetadata(meta: unknown): Pick<ImportedChat, 'mainChat' | 'branchPosition'> {
  if (!isRecord(meta) || typeof meta.main_chat !== 'string') return {};
  const mainChat = meta.main_chat.trim();
  if (mainChat === '' || mainChat.length > MAX_MAIN_CHAT_CHARS) return {};
  const ours = isRecord(meta.in_character_branch) ? meta.in_character_branch.position : undefined;
  const theirs = isRecord(meta.fork_point) && typeof meta.fork_point.mesId === 'number' ? meta.fork_point.mesId + 1 : undefined;
  const position = typeof ours === 'number' ? ours : theirs;
  return { mainChat, ...(position !== undefined && Number.isSafeInteger(position) && position >= 1 ? { branchPosition: position } : {}) };
}

/** Largest chat file accepted (a year of daily role-play is a few MB). */
export const MAX_CHAT_FILE_BYTES = 50 * 1024 * 1024;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseDate(value: unknown, fallback: number): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e11 ? value * 1000 : value;
  if (typeof value === 'string' && value.trim()) {
    // SillyTavern writes "November 22, 2026 2:07am" or ISO; Date parses both
    // after the am/pm is spaced out.
    const t = Date.parse(value.replace(/(\d)(am|pm)$/i, '$1 $2'));
    if (Number.isFinite(t)) return t;
  }
  return fallback;
}

/**
 * @throws ChatImportError when no line is a message.
 */
export function parseSillyTavernChat(text: string, fileName = 'chat.jsonl'): ImportedChat {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new ChatImportError(`“${fileName}” is empty.`);
  const rows: unknown[] = [];
  lines.forEach((line, i) => {
    try {
      rows.push(JSON.parse(line));
    } catch {
      throw new ChatImportError(`Line ${i + 1} of “${fileName}” is not valid JSON, so this is not a SillyTavern chat file.`);
    }
  });
  const header = isRecord(rows[0]) && !('mes' in rows[0]) ? rows[0] : null;
  const now = Date.now();
  const createdAt = parseDate(header?.create_date, now);
  const messages: ImportedChat['messages'] = [];
  for (const row of header ? rows.slice(1) : rows) {
    if (!isRecord(row) || typeof row.mes !== 'string') continue;
    const swipes = Array.isArray(row.swipes) && row.swipes.every((s) => typeof s === 'string') && row.swipes.length > 0 ? (row.swipes as string[]) : [row.mes];
    const swipeId = typeof row.swipe_id === 'number' && row.swipe_id >= 0 && row.swipe_id < swipes.length ? row.swipe_id : Math.max(0, swipes.indexOf(row.mes));
    messages.push({
      role: row.is_system === true ? 'system' : row.is_user === true ? 'user' : 'assistant',
      name: typeof row.name === 'string' ? row.name : row.is_user ? 'You' : 'Character',
      swipes,
      swipeIndex: swipeId,
      createdAt: parseDate(row.send_date, createdAt),
    });
  }
  if (messages.length === 0) throw new ChatImportError(`“${fileName}” has no messages a SillyTavern chat would have.`);
  const characterName = typeof header?.character_name === 'string' ? header.character_name : (messages.find((m) => m.role === 'assistant')?.name ?? '');
  return {
    title: fileName.replace(/\.jsonl$/i, '') || 'Imported chat',
    userName: typeof header?.user_name === 'string' ? header.user_name : (messages.find((m) => m.role === 'user')?.name ?? 'You'),
    characterName,
    createdAt,
    messages,
    ...readBranchMetadata(header?.chat_metadata),
  };
}

/** Stored swipes from imported texts. */
export function importedSwipes(texts: string[], at: number): Swipe[] {
  return texts.map((text) => ({ text, state: 'done', finishReason: 'stop', modelId: null, createdAt: at }));
}

/** Where an exported branch came from: the parent's file name (no extension) and the split position. */
export interface ExportedBranchLink {
  mainChat: string;
  position: number;
}

/** Writes a chat in SillyTavern's .jsonl layout; a branch's link goes into `chat_metadata`. */
export function toSillyTavernJsonl(input: {
  userName: string;
  characterName: string;
  createdAt: number;
  messages: Message[];
  branch?: ExportedBranchLink;
  /**
   * A group scene: the header is SillyTavern's group header (names "unused")
   * and each character line carries `original_avatar`, the card file name
   * SillyTavern finds the speaker by (domain/chats/groupChat.ts).
   */
  group?: { cardFileOf: (speakerId: string) => string | null };
}): string {
  const group = input.group;
  const chatMetadata = input.branch ? { main_chat: input.branch.mainChat, in_character_branch: { position: input.branch.position } } : {};
  const header = group
    ? { user_name: 'unused', character_name: 'unused', create_date: new Date(input.createdAt).toISOString(), chat_metadata: chatMetadata }
    : { user_name: input.userName, character_name: input.characterName, create_date: new Date(input.createdAt).toISOString(), chat_metadata: chatMetadata };
  const avatarOf = (m: Message) => {
    const file = group && m.role === 'assistant' && m.speakerId ? group.cardFileOf(m.speakerId) : null;
    return file ? { original_avatar: file } : {};
  };
  const rows = input.messages.map((m) => ({
    name: m.name,
    ...avatarOf(m),
    is_user: m.role === 'user',
    is_system: m.role === 'system',
    send_date: new Date(m.createdAt).toISOString(),
    mes: m.swipes[m.swipeIndex]?.text ?? '',
    swipes: m.swipes.map((s) => s.text),
    swipe_id: m.swipeIndex,
  }));
  return [header, ...rows].map((r) => JSON.stringify(r)).join('\n') + '\n';
}
