/**
 * The backup file: its envelope and the validation of every record in it,
 * before anything is written. Each record goes through the schema of its
 * stored shape (character, chat, message, verdict, setting): wrong types are
 * coerced like card import does and named in `notes`; records that cannot be
 * placed (no id, no owner) refuse the whole file; records that are merely
 * unusable (an unknown role, an orphan) are left out and named.
 *
 * Avatars are returned as bytes with the format their magic bytes show; the
 * caller re-encodes them (platform/image.ts) and the stored Blob carries a
 * type the studio chose. A backup's own `type` field is ignored.
 */
import * as v from 'valibot';
import type { AuditRun } from '../audit/run';
import type { Character } from '../character';
import type { Chat, Message } from '../chat';
import { decodeBase64 } from '../cards';
import { isRecord, toStr } from '../cards/coerce';
import { UNNAMED_CHARACTER } from './card';
import { readCharacter } from './character';
import { isRefusal, readChat, readMessage } from './chat';
import { GROUP_MIN_MEMBERS } from '../group';
import { MAX_JSON_DEPTH, jsonTextDepthExceeds } from './depth';
import { describeNonImage, sniffImageKind, type ImageKind } from './image';
import { describeValue } from './issues';
import type { InterviewDraft } from '../interview';
import { readBackupAudits, readBackupInterviews } from './backupWorkbench';
import { readSettingRecord, readVerdictRecord, type SettingRecord, type VerdictRecord } from './records';

export const BACKUP_FORMAT = 'in-character-backup';

/**
 * A group scene whose members are not all in the backup keeps the ones that
 * are; with fewer than two left it becomes a chat with its first character
 * (its messages stay, with their speakers' names).
 */
function withKnownMembers(chat: Chat, characterIds: ReadonlySet<string>, notes: string[]): Chat {
  if (!chat.group) return chat;
  const memberIds = chat.group.memberIds.filter((id) => characterIds.has(id));
  if (memberIds.length === chat.group.memberIds.length) return chat;
  const who = `chat “${chat.title.slice(0, 60)}”`;
  if (memberIds.length < GROUP_MIN_MEMBERS) {
    notes.push(`${who}: fewer than two of its characters are in the backup; restored as a chat with one character`);
    const { group: _dropped, ...rest } = chat;
    return rest;
  }
  notes.push(`${who}: ${chat.group.memberIds.length - memberIds.length} of its characters are not in the backup; left out of the scene`);
  return { ...chat, group: { ...chat.group, memberIds, muted: chat.group.muted.filter((id) => memberIds.includes(id)) } };
}

/** IMPORTANT: bump when the file's shape changes, and teach validateBackup to read the older one. */
export const BACKUP_VERSION = 1;

/** The file is not a backup this version can read; the message says why, naming the part. */
export class BackupFormatError extends Error {
  override readonly name = 'BackupFormatError';
}

export interface EncodedBlob {
  type: string;
  base64: string;
}

export type BackupCharacter = Omit<Character, 'avatar'> & { avatar: EncodedBlob | null };

/** The file as written by exportBackup. */
export interface BackupFile {
  format: typeof BACKUP_FORMAT;
  version: number;
  exportedAt: string;
  characters: BackupCharacter[];
  chats: Chat[];
  messages: Message[];
  verdicts: VerdictRecord[];
  settings: SettingRecord[];
  /** Audit runs (issue 12); absent in backups made before they were backed up. */
  audits?: AuditRun[];
  /** Guided-creation drafts (issue 12); absent in backups made before they were backed up. */
  interviews?: InterviewDraft[];
}

export interface AvatarBytes {
  bytes: Uint8Array<ArrayBuffer>;
  kind: ImageKind;
}

/** A backup whose every record passed its schema; nothing written yet. */
export interface ValidatedBackup {
  version: number;
  exportedAt: string;
  /** Characters with `avatar: null`; their images, still to re-encode, are in `avatars` by character id. */
  characters: Character[];
  avatars: Map<string, AvatarBytes>;
  chats: Chat[];
  messages: Message[];
  verdicts: VerdictRecord[];
  /** Raw setting rows; each value is checked against its key when the restore is planned. */
  settings: SettingRecord[];
  /** Audit runs of characters in the backup; empty for an older backup. */
  audits: AuditRun[];
  /** Guided-creation drafts; empty for an older backup. */
  interviews: InterviewDraft[];
  /** What was repaired or left out, one sentence each, naming the record and the field. */
  notes: string[];
}

const ENVELOPE_ARRAYS = ['characters', 'chats', 'messages', 'verdicts', 'settings'] as const;

function checkVersion(version: unknown): number {
  const valid = v.is(v.pipe(v.number(), v.safeInteger(), v.minValue(1)), version);
  if (!valid) {
    const shown = typeof version === 'string' ? `“${version.slice(0, 20)}” (text)` : typeof version === 'number' ? String(version) : describeValue(version);
    throw new BackupFormatError(`This is not a valid In Character backup: its version is ${shown}, not a whole number from 1 up.`);
  }
  if ((version as number) > BACKUP_VERSION) {
    throw new BackupFormatError(`This backup was made by a newer version of In Character (backup version ${version as number}; this studio reads up to ${BACKUP_VERSION}).`);
  }
  return version as number;
}

function label(raw: unknown, index: number, kind: string): string {
  const name = isRecord(raw) && isRecord(raw.card) ? toStr(raw.card.name).trim().slice(0, 60) : '';
  return name ? `${kind} #${index + 1} (“${name}”)` : `${kind} #${index + 1}`;
}

function readAvatar(raw: unknown, who: string, notes: string[]): AvatarBytes | null {
  if (raw === null || raw === undefined) return null;
  if (!isRecord(raw) || typeof raw.base64 !== 'string') {
    notes.push(`${who}: avatar: expected an encoded image, found ${describeValue(raw)}; left out`);
    return null;
  }
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = decodeBase64(raw.base64);
  } catch {
    notes.push(`${who}: avatar: not valid base64; left out`);
    return null;
  }
  const kind = sniffImageKind(bytes);
  if (!kind) {
    notes.push(`${who}: avatar refused: ${describeNonImage(bytes)}, not a PNG, JPEG, WebP or GIF image`);
    return null;
  }
  return { bytes, kind };
}

/**
 * Validates a parsed backup completely, before anything is written.
 * `now` fills timestamps a record lacks (a character without `updatedAt` is
 * otherwise never listed). Linear in the size of the backup.
 *
 * @throws BackupFormatError naming what is wrong when the file is not a
 *   backup, is of an unreadable version, or has records that cannot be placed.
 */
export function validateBackup(value: unknown, now = Date.now()): ValidatedBackup {
  if (!isRecord(value) || value.format !== BACKUP_FORMAT) {
    throw new BackupFormatError('This is not an In Character backup file.');
  }
  const version = checkVersion(value.version);
  for (const key of ENVELOPE_ARRAYS) {
    if (!Array.isArray(value[key])) throw new BackupFormatError(`The backup is damaged: "${key}" is missing.`);
  }
  const notes: string[] = [];
  const characters: Character[] = [];
  const avatars = new Map<string, AvatarBytes>();
  (value.characters as unknown[]).forEach((raw, i) => {
    const who = label(raw, i, 'character');
    const read = readCharacter(isRecord(raw) ? { ...raw, avatar: null } : raw, now);
    if (!read) throw new BackupFormatError(`The backup is damaged: ${who} has no id.`);
    notes.push(...read.repairs.map((r) => `${who}: ${r}`));
    let { character } = read;
    if (character.card.name.trim() === '') {
      notes.push(`${who}: has no name; restored as “${UNNAMED_CHARACTER}”`);
      character = { ...character, card: { ...character.card, name: UNNAMED_CHARACTER } };
    }
    characters.push(character);
    const avatar = readAvatar(isRecord(raw) ? raw.avatar : null, who, notes);
    if (avatar) avatars.set(character.id, avatar);
  });

  const characterIds = new Set(characters.map((c) => c.id));
  const chats: Chat[] = [];
  (value.chats as unknown[]).forEach((raw, i) => {
    const read = readChat(raw, now);
    if (isRefusal(read)) throw new BackupFormatError(`The backup is damaged: chat #${i + 1} is incomplete (${read.refused}).`);
    if (!characterIds.has(read.value.characterId)) throw new BackupFormatError(`The backup is damaged: chat #${i + 1} belongs to no character.`);
    notes.push(...read.repairs.map((r) => `chat “${read.value.title.slice(0, 60)}”: ${r}`));
    chats.push(withKnownMembers(read.value, characterIds, notes));
  });

  const chatIds = new Set(chats.map((c) => c.id));
  const messages: Message[] = [];
  let orphans = 0;
  (value.messages as unknown[]).forEach((raw, i) => {
    const read = readMessage(raw, now);
    if (isRefusal(read)) {
      notes.push(`message #${i + 1}: left out: ${read.refused}`);
      return;
    }
    if (!chatIds.has(read.value.chatId)) {
      orphans++;
      return;
    }
    notes.push(...read.repairs.map((r) => `message #${i + 1}: ${r}`));
    messages.push(read.value);
  });
  if (orphans > 0) notes.push(`${orphans} message${orphans === 1 ? '' : 's'} belonging to no chat in the backup: left out`);

  const messageIds = new Set(messages.map((m) => m.id));
  const verdicts: VerdictRecord[] = [];
  let unreadable = 0;
  for (const raw of value.verdicts as unknown[]) {
    // Verdicts from older backups are read into the current version (migrateVerdict).
    const record = readVerdictRecord(raw);
    if (record && messageIds.has(record.messageId)) verdicts.push(record);
    else unreadable++;
  }
  if (unreadable > 0) notes.push(`${unreadable} consistency verdict${unreadable === 1 ? '' : 's'} unreadable or orphaned: left out (those replies can be checked again)`);

  const settings: SettingRecord[] = [];
  (value.settings as unknown[]).forEach((raw, i) => {
    const record = readSettingRecord(raw);
    if (record) settings.push(record);
    else notes.push(`setting #${i + 1}: expected a key and a value, found ${describeValue(raw)}; left out`);
  });

  const audits = readBackupAudits(value, characterIds, notes);
  const interviews = readBackupInterviews(value, notes, now);

  return { version, exportedAt: toStr(value.exportedAt), characters, avatars, chats, messages, verdicts, settings, audits, interviews, notes };
}

/**
 * Parses backup file text (nesting checked first, without recursion) and
 * validates it.
 * @throws BackupFormatError
 */
export function parseBackupText(text: string, now = Date.now()): ValidatedBackup {
  if (jsonTextDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new BackupFormatError(`This file nests data more than ${MAX_JSON_DEPTH} levels deep, so it is not an In Character backup.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BackupFormatError('This file is not valid JSON, so it cannot be an In Character backup.');
  }
  return validateBackup(value, now);
}
