/**
 * SillyTavern chat files (.jsonl): the first line is a header
 * (`{user_name, character_name, create_date, chat_metadata}`), every other
 * line one message (`{name, is_user, is_system, send_date, mes, swipes?,
 * swipe_id?}`). Parsing is lenient (blank lines, missing fields) but a file
 * with no readable message is refused. Export writes the same layout.
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
  };
}

/** Stored swipes from imported texts. */
export function importedSwipes(texts: string[], at: number): Swipe[] {
  return texts.map((text) => ({ text, state: 'done', finishReason: 'stop', modelId: null, createdAt: at }));
}

/** Writes a chat in SillyTavern's .jsonl layout. */
export function toSillyTavernJsonl(input: {
  userName: string;
  characterName: string;
  createdAt: number;
  messages: Message[];
  /**
   * A group scene: the header is SillyTavern's group header (names "unused")
   * and each character line carries `original_avatar`, the card file name
   * SillyTavern finds the speaker by (domain/chats/groupChat.ts).
   */
  group?: { cardFileOf: (speakerId: string) => string | null };
}): string {
  const group = input.group;
  const header = group
    ? { user_name: 'unused', character_name: 'unused', create_date: new Date(input.createdAt).toISOString(), chat_metadata: {} }
    : { user_name: input.userName, character_name: input.characterName, create_date: new Date(input.createdAt).toISOString(), chat_metadata: {} };
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
