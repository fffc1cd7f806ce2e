/**
 * Backup export, the restore plan (what a restore would change) and the
 * restore itself. Validation of the file is pure (domain/storage/backup.ts);
 * every row written here passes the schema of its stored shape once more.
 */
import { assertAuditRun, readAuditRun, type AuditRun } from '../domain/audit/run';
import { encodeBase64 } from '../domain/cards';
import type { Character } from '../domain/character';
import type { Chat, Message } from '../domain/chat';
import type { InterviewDraft } from '../domain/interview';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  CharacterSchema,
  ChatSchema,
  InterviewDraftSchema,
  MessageSchema,
  SETTING_SPECS,
  assertValid,
  isRefusal,
  isSettingKey,
  planSettings,
  readCharacter,
  readChat,
  readInterviewDraft,
  readMessage,
  readSetting,
  readVerdictRecord,
  type BackupFile,
  type EncodedBlob,
  type SettingKey,
  type SettingsPlan,
  type ValidatedBackup,
} from '../domain/storage';
import type { SettingRecord, StudioDb, VerdictRecord } from './database';
import { guardWrite } from './errors';

export { BACKUP_FORMAT, BACKUP_VERSION, parseBackupText, validateBackup, type BackupFile, type ValidatedBackup } from '../domain/storage';

export interface BackupCounts {
  characters: number;
  chats: number;
  messages: number;
  verdicts: number;
  /** Settings applied (only those chosen). */
  settings: number;
  audits: number;
  interviews: number;
}

/** A validated backup whose avatars have been re-encoded (services/backup.ts): ready to restore. */
export type RestoreInput = Omit<ValidatedBackup, 'avatars'>;

async function encodeBlob(blob: Blob | null): Promise<EncodedBlob | null> {
  if (!blob) return null;
  return { type: blob.type, base64: encodeBase64(new Uint8Array(await blob.arrayBuffer())) };
}

export interface ExportOptions {
  /**
   * Also write settings marked `secret` (the server API key). Off by default:
   * a backup file travels (cloud drives, mail) and a key in it would travel too.
   */
  includeSecrets?: boolean;
}

/**
 * Serialises the whole library (characters, chats, messages, verdicts,
 * settings; secrets only when asked). Rows are read through their schemas, so
 * a damaged record is exported repaired rather than making the export throw
 * (a record nested thousands of levels deep would make JSON.stringify overflow).
 */
export async function exportBackup(db: StudioDb, options: ExportOptions = {}): Promise<BackupFile> {
  // IMPORTANT: read everything in one transaction, then encode outside it:
  // awaiting Blob.arrayBuffer() inside a Dexie transaction lets it commit early.
  const rows = await db.transaction('r', [db.characters, db.chats, db.messages, db.verdicts, db.settings, db.audits, db.interviews], async () => ({
    characters: (await db.characters.toArray()) as unknown[],
    chats: (await db.chats.toArray()) as unknown[],
    messages: (await db.messages.toArray()) as unknown[],
    verdicts: (await db.verdicts.toArray()) as unknown[],
    settings: await db.settings.toArray(),
    workbench: await readWorkbenchRows(db),
  }));
  const now = Date.now();
  const characters = rows.characters.flatMap((r) => readCharacter(r, now)?.character ?? []);
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    exportedAt: new Date(now).toISOString(),
    characters: await Promise.all(characters.map(async (c) => ({ ...c, avatar: await encodeBlob(c.avatar) }))),
    chats: rows.chats.flatMap((r) => {
      const read = readChat(r, now);
      return isRefusal(read) ? [] : [read.value];
    }),
    messages: rows.messages.flatMap((r) => {
      const read = readMessage(r, now);
      return isRefusal(read) ? [] : [read.value];
    }),
    verdicts: rows.verdicts.flatMap((r) => readVerdictRecord(r) ?? []),
    settings: rows.settings.filter(
      (s) => isSettingKey(s.key) && (options.includeSecrets || !SETTING_SPECS[s.key].secret) && readSetting(s.key, s.value) !== undefined,
    ),
    ...exportWorkbench(rows.workbench, new Set(characters.map((c) => c.id)), now),
  };
}

/** The audit and interview tables' rows as stored (read inside the caller's transaction). */
async function readWorkbenchRows(db: StudioDb): Promise<{ audits: unknown[]; interviews: unknown[] }> {
  return { audits: await db.audits.toArray(), interviews: await db.interviews.toArray() };
}

/**
 * Audit runs (of characters being exported) and interview drafts, read
 * through their stored-shape readers: an unreadable row is left out rather
 * than making the file unrestorable.
 */
function exportWorkbench(rows: { audits: unknown[]; interviews: unknown[] }, characterIds: ReadonlySet<string>, now: number): Pick<BackupFile, 'audits' | 'interviews'> {
  return {
    audits: rows.audits.flatMap((r) => {
      const run = readAuditRun(r);
      return run && characterIds.has(run.characterId) ? [run] : [];
    }),
    interviews: rows.interviews.flatMap((r) => readInterviewDraft(r, now) ?? []),
  };
}

export interface RecordPlan {
  /** Records in the backup whose id is not in the library. */
  added: number;
  /** Records in the backup whose id is in the library (a restore overwrites them). */
  overwritten: number;
  /** Records in the library that are not in the backup (Replace deletes them, Merge keeps them). */
  onlyInLibrary: number;
}

/** What restoring a backup would change, for the user to read before choosing. */
export interface RestorePlan {
  characters: RecordPlan & {
    /** Names, for the summary (the first few are shown). */
    addedNames: string[];
    overwrittenNames: string[];
    onlyInLibraryNames: string[];
  };
  chats: RecordPlan;
  messages: RecordPlan;
  verdicts: RecordPlan;
  audits: RecordPlan;
  interviews: RecordPlan;
  /** Settings the backup would change (none is applied unless chosen). */
  settings: SettingsPlan;
  /** What validation repaired or left out, naming the record and field. */
  notes: string[];
}

function planRecords(incoming: readonly { id: string }[], existing: ReadonlySet<string>): RecordPlan & { incomingIds: Set<string> } {
  const incomingIds = new Set(incoming.map((r) => r.id));
  let overwritten = 0;
  for (const id of incomingIds) if (existing.has(id)) overwritten++;
  let onlyInLibrary = 0;
  for (const id of existing) if (!incomingIds.has(id)) onlyInLibrary++;
  return { added: incomingIds.size - overwritten, overwritten, onlyInLibrary, incomingIds };
}

const keysOf = async (table: { toCollection(): { primaryKeys(): Promise<unknown[]> } }) => new Set((await table.toCollection().primaryKeys()) as string[]);

/** Compares a backup with the library; writes nothing. */
export async function planRestore(db: StudioDb, backup: RestoreInput): Promise<RestorePlan> {
  const current = await db.transaction('r', [db.characters, db.chats, db.messages, db.verdicts, db.settings, db.audits, db.interviews], async () => ({
    characters: (await db.characters.toArray()) as unknown[],
    chats: await keysOf(db.chats),
    messages: await keysOf(db.messages),
    verdicts: await keysOf(db.verdicts),
    settings: await db.settings.toArray(),
    audits: await keysOf(db.audits),
    interviews: await keysOf(db.interviews),
  }));
  const names = new Map<string, string>();
  for (const row of current.characters) {
    const read = readCharacter(row);
    if (read) names.set(read.character.id, read.character.card.name || 'Unnamed');
  }
  const characters = planRecords(backup.characters, new Set(names.keys()));
  const nameOf = (c: Character) => c.card.name;
  const strip = (p: RecordPlan): RecordPlan => ({ added: p.added, overwritten: p.overwritten, onlyInLibrary: p.onlyInLibrary });
  return {
    characters: {
      ...strip(characters),
      addedNames: backup.characters.filter((c) => !names.has(c.id)).map(nameOf),
      overwrittenNames: backup.characters.filter((c) => names.has(c.id)).map(nameOf),
      onlyInLibraryNames: [...names].filter(([id]) => !characters.incomingIds.has(id)).map(([, name]) => name),
    },
    chats: strip(planRecords(backup.chats, current.chats)),
    messages: strip(planRecords(backup.messages, current.messages)),
    verdicts: strip(planRecords(backup.verdicts, current.verdicts)),
    audits: strip(planRecords(backup.audits, current.audits)),
    interviews: strip(planRecords(backup.interviews, current.interviews)),
    settings: planSettings(Object.fromEntries(current.settings.map((s) => [s.key, s.value])), backup.settings),
    notes: backup.notes,
  };
}

export interface RestoreOptions {
  /**
   * The settings to take from the backup; every other setting stays as it is.
   * Guarded and secret settings are applied only when listed here too.
   */
  settings?: readonly SettingKey[];
}

/**
 * Restores a validated backup in one transaction. 'replace' deletes the
 * library's characters, chats, messages, verdicts, audit runs and interview drafts first; 'merge' adds and
 * overwrites by id, keeping everything else. Settings change only where
 * `options.settings` names them. Every row passes its schema before the
 * transaction starts, so a bad row changes nothing.
 *
 * @throws RecordInvalidError (a bug: validation should have caught it); StorageFullError.
 */
export async function restoreBackup(db: StudioDb, backup: RestoreInput, mode: 'merge' | 'replace', options: RestoreOptions = {}): Promise<BackupCounts> {
  const characters = backup.characters.map((c, i) => assertValid(CharacterSchema, c, `Character #${i + 1} of the backup`) as Character);
  const chats = backup.chats.map((c, i) => assertValid(ChatSchema, c, `Chat #${i + 1} of the backup`) as Chat);
  const messages = backup.messages.map((m, i) => assertValid(MessageSchema, m, `Message #${i + 1} of the backup`) as Message);
  const verdicts = backup.verdicts.flatMap((r): VerdictRecord[] => { const read = readVerdictRecord(r); return read ? [read] : []; });
  const workbench = checkedWorkbench(backup);
  const chosen = new Set(options.settings ?? []);
  const settings: SettingRecord[] = [];
  for (const { key, value } of backup.settings) {
    if (!isSettingKey(key) || !chosen.has(key) || SETTING_SPECS[key].restore === 'never') continue;
    const valid = readSetting(key, value);
    if (valid !== undefined) settings.push({ key, value: valid });
  }
  await guardWrite(() =>
    db.transaction('rw', [db.characters, db.chats, db.messages, db.verdicts, db.settings, db.audits, db.interviews], async () => {
      if (mode === 'replace') {
        await Promise.all([db.characters.clear(), db.chats.clear(), db.messages.clear(), db.verdicts.clear(), db.audits.clear(), db.interviews.clear()]);
      }
      await db.characters.bulkPut(characters);
      await db.chats.bulkPut(chats);
      await db.messages.bulkPut(messages);
      await db.verdicts.bulkPut(verdicts);
      await db.settings.bulkPut(settings);
      await db.audits.bulkPut(workbench.audits);
      await db.interviews.bulkPut(workbench.interviews);
    }),
  );
  return {
    characters: characters.length,
    chats: chats.length,
    messages: messages.length,
    verdicts: verdicts.length,
    settings: settings.length,
    audits: workbench.audits.length,
    interviews: workbench.interviews.length,
  };
}

/**
 * Audit runs and interview drafts, each through its stored-shape schema once
 * more (validation already read them; this is the write-side guard).
 * @throws AuditRunInvalidError, RecordInvalidError (bugs: validation should have caught them).
 */
function checkedWorkbench(backup: RestoreInput): { audits: AuditRun[]; interviews: InterviewDraft[] } {
  return {
    audits: backup.audits.map((run) => assertAuditRun(run)),
    interviews: backup.interviews.map((d, i) => assertValid(InterviewDraftSchema, d, `Interview draft #${i + 1} of the backup`) as InterviewDraft),
  };
}
