import { decodeBase64, encodeBase64 } from '../domain/cards';
import { emptyCardData, type Character } from '../domain/character';
import type { Chat, Message } from '../domain/chat';
import type { SettingRecord, StudioDb, VerdictRecord } from './database';
import { migrateVerdict } from '../domain/consistency/verdict';
import { BackupFormatError, guardWrite } from './errors';

export const BACKUP_FORMAT = 'in-character-backup';
export const BACKUP_VERSION = 1;

interface EncodedBlob {
  type: string;
  base64: string;
}

type StoredCharacter = Omit<Character, 'avatar'> & { avatar: EncodedBlob | null };

export interface BackupFile {
  format: typeof BACKUP_FORMAT;
  version: number;
  exportedAt: string;
  characters: StoredCharacter[];
  chats: Chat[];
  messages: Message[];
  verdicts: VerdictRecord[];
  settings: SettingRecord[];
}

export interface BackupCounts {
  characters: number;
  chats: number;
  messages: number;
}

async function encodeBlob(blob: Blob | null): Promise<EncodedBlob | null> {
  if (!blob) return null;
  return { type: blob.type, base64: encodeBase64(new Uint8Array(await blob.arrayBuffer())) };
}

/** Serialises the whole library (characters, chats, messages, verdicts, settings). */
export async function exportBackup(db: StudioDb): Promise<BackupFile> {
  // IMPORTANT: read everything in one transaction, then encode outside it:
  // awaiting Blob.arrayBuffer() inside a Dexie transaction lets it commit early.
  const rows = await db.transaction('r', [db.characters, db.chats, db.messages, db.verdicts, db.settings], async () => ({
    characters: await db.characters.toArray(),
    chats: await db.chats.toArray(),
    messages: await db.messages.toArray(),
    verdicts: await db.verdicts.toArray(),
    settings: await db.settings.toArray(),
  }));
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    exportedAt: new Date().toISOString(),
    ...rows,
    characters: await Promise.all(rows.characters.map(async (c) => ({ ...c, avatar: await encodeBlob(c.avatar) }))),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasStringId = (v: unknown): boolean => isObject(v) && typeof v.id === 'string' && v.id !== '';

/**
 * Validates a parsed backup completely before anything is written, so a corrupt
 * or foreign file changes nothing.
 * @throws BackupFormatError naming what is wrong.
 */
export function validateBackup(value: unknown): BackupFile {
  if (!isObject(value) || value.format !== BACKUP_FORMAT) {
    throw new BackupFormatError('This is not an In Character backup file.');
  }
  if (typeof value.version !== 'number' || value.version > BACKUP_VERSION) {
    throw new BackupFormatError('This backup was made by a newer version of In Character.');
  }
  for (const key of ['characters', 'chats', 'messages', 'verdicts', 'settings'] as const) {
    if (!Array.isArray(value[key])) throw new BackupFormatError(`The backup is damaged: "${key}" is missing.`);
  }
  const characters = value.characters as unknown[];
  characters.forEach((c, i) => {
    if (!hasStringId(c) || !isObject((c as Record<string, unknown>).card) || !Array.isArray((c as Record<string, unknown>).statements)) {
      throw new BackupFormatError(`The backup is damaged: character #${i + 1} is incomplete.`);
    }
    const avatar = (c as Record<string, unknown>).avatar;
    if (avatar !== null && avatar !== undefined && !(isObject(avatar) && typeof avatar.base64 === 'string')) {
      throw new BackupFormatError(`The backup is damaged: character #${i + 1} has a broken avatar.`);
    }
  });
  const characterIds = new Set(characters.map((c) => (c as { id: string }).id));
  (value.chats as unknown[]).forEach((c, i) => {
    if (!hasStringId(c) || typeof (c as Record<string, unknown>).characterId !== 'string') {
      throw new BackupFormatError(`The backup is damaged: chat #${i + 1} is incomplete.`);
    }
    if (!characterIds.has((c as { characterId: string }).characterId)) {
      throw new BackupFormatError(`The backup is damaged: chat #${i + 1} belongs to no character.`);
    }
  });
  (value.messages as unknown[]).forEach((m, i) => {
    const r = m as Record<string, unknown>;
    if (!hasStringId(m) || typeof r.chatId !== 'string' || !Array.isArray(r.swipes) || typeof r.order !== 'number') {
      throw new BackupFormatError(`The backup is damaged: message #${i + 1} is incomplete.`);
    }
  });
  (value.settings as unknown[]).forEach((s, i) => {
    if (!isObject(s) || typeof s.key !== 'string') throw new BackupFormatError(`The backup is damaged: setting #${i + 1}.`);
  });
  // Decode avatars now so bad base64 fails before any write.
  for (const c of characters as StoredCharacter[]) {
    if (c.avatar) {
      try {
        decodeBase64(c.avatar.base64);
      } catch {
        throw new BackupFormatError(`The backup is damaged: the avatar of "${String(c.card.name)}" is unreadable.`);
      }
    }
  }
  return value as unknown as BackupFile;
}

/**
 * Restores a validated backup in one transaction. 'replace' wipes the library
 * first; 'merge' adds and overwrites by id, keeping everything else.
 */
export async function restoreBackup(db: StudioDb, backup: BackupFile, mode: 'merge' | 'replace'): Promise<BackupCounts> {
  const characters: Character[] = backup.characters.map((c) => ({
    ...c,
    card: { ...emptyCardData(), ...c.card },
    avatar: c.avatar ? new Blob([decodeBase64(c.avatar.base64)], { type: c.avatar.type }) : null,
  }));
  await guardWrite(() =>
    db.transaction('rw', [db.characters, db.chats, db.messages, db.verdicts, db.settings], async () => {
      if (mode === 'replace') {
        await Promise.all([db.characters.clear(), db.chats.clear(), db.messages.clear(), db.verdicts.clear(), db.settings.clear()]);
      }
      await db.characters.bulkPut(characters);
      await db.chats.bulkPut(backup.chats);
      await db.messages.bulkPut(backup.messages);
      // Verdicts from older backups are read into the current version; unreadable ones are left out (re-checkable).
      await db.verdicts.bulkPut(
        backup.verdicts.flatMap((r) => {
          const verdict = migrateVerdict(r.verdict);
          return verdict ? [{ ...r, verdict }] : [];
        }),
      );
      await db.settings.bulkPut(backup.settings);
    }),
  );
  return { characters: characters.length, chats: backup.chats.length, messages: backup.messages.length };
}

/** Parses backup file text. @throws BackupFormatError */
export function parseBackupText(text: string): BackupFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BackupFormatError('This file is not valid JSON, so it cannot be an In Character backup.');
  }
  return validateBackup(value);
}
