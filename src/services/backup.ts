import { getDb, exportBackup, parseBackupText, restoreBackup, type BackupCounts, type BackupFile } from '../db';
import { downloadBlob } from '../platform/files';

export async function downloadBackup(): Promise<void> {
  const backup = await exportBackup(getDb());
  const date = new Date().toISOString().slice(0, 10);
  downloadBlob(new Blob([JSON.stringify(backup)], { type: 'application/json' }), `in-character-backup-${date}.json`);
}

/** Reads and validates a backup file; nothing is written. @throws BackupFormatError */
export async function readBackupFile(file: File): Promise<BackupFile> {
  return parseBackupText(await file.text());
}

export function applyBackup(backup: BackupFile, mode: 'merge' | 'replace'): Promise<BackupCounts> {
  return restoreBackup(getDb(), backup, mode);
}

/** Deletes every character, chat, verdict and setting (keeps samples from reseeding). */
export async function wipeLibrary(): Promise<void> {
  const db = getDb();
  await db.transaction('rw', [db.characters, db.chats, db.messages, db.verdicts, db.settings], async () => {
    await Promise.all([db.characters.clear(), db.chats.clear(), db.messages.clear(), db.verdicts.clear(), db.settings.clear()]);
    await db.settings.put({ key: 'samplesSeeded', value: true });
  });
}
