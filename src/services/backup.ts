/** Backup use-cases: download, read + check a file, plan and apply a restore, wipe. No React. */
import {
  repos,
  parseBackupText,
  type BackupCounts,
  type RestoreInput,
  type RestoreOptions,
  type RestorePlan,
  type ValidatedBackup,
} from '../db';
import { downloadBlob } from '../platform/files';
import { AvatarRejectedError, toStoredAvatar } from '../platform/image';

/** "1 chat", "3 chats". */
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** What a restore brought back, for its notice: the library, the workbench's audit runs and interview drafts when any, the settings. */
export function restoredSummary(counts: BackupCounts): string {
  const parts = [plural(counts.characters, 'character'), plural(counts.chats, 'chat'), plural(counts.messages, 'message')];
  if (counts.audits > 0) parts.push(plural(counts.audits, 'audit run'));
  if (counts.interviews > 0) parts.push(plural(counts.interviews, 'interview draft'));
  const settings = counts.settings === 0 ? 'Settings unchanged.' : `${plural(counts.settings, 'setting')} changed.`;
  return `${parts.join(', ')}. ${settings}`;
}

/** Downloads the library as one file; the server API key only with `includeSecrets`. */
export async function downloadBackup(options: { includeSecrets?: boolean } = {}): Promise<void> {
  const backup = await repos.library.exportBackup(options);
  const date = new Date().toISOString().slice(0, 10);
  downloadBlob(new Blob([JSON.stringify(backup)], { type: 'application/json' }), `in-character-backup-${date}.json`);
}

/** Re-encodes image bytes into the Blob to store (platform/image.ts in the app; a plain wrapper in Node tests). */
export type AvatarEncoder = (bytes: Uint8Array) => Promise<Blob>;

/**
 * Gives each validated character its avatar, re-encoded by `encode`. An image
 * the encoder refuses is left out and named in the notes; the character is
 * restored without it.
 */
export async function withAvatars(backup: ValidatedBackup, encode: AvatarEncoder): Promise<RestoreInput> {
  const notes = [...backup.notes];
  const characters = [];
  for (const character of backup.characters) {
    const avatar = backup.avatars.get(character.id);
    if (!avatar) {
      characters.push(character);
      continue;
    }
    try {
      characters.push({ ...character, avatar: await encode(avatar.bytes) });
    } catch (e) {
      if (!(e instanceof AvatarRejectedError)) throw e;
      notes.push(`character “${character.card.name.slice(0, 60)}”: avatar refused: ${e.message}`);
      characters.push(character);
    }
  }
  const { avatars: _avatars, ...rest } = backup;
  return { ...rest, characters, notes };
}

export interface ReadBackup {
  backup: RestoreInput;
  plan: RestorePlan;
}

/**
 * Reads, validates and compares a backup file with the library; nothing is
 * written. @throws BackupFormatError naming what is wrong.
 */
export async function readBackupFile(file: File): Promise<ReadBackup> {
  const backup = await withAvatars(parseBackupText(await file.text()), toStoredAvatar);
  return { backup, plan: await repos.library.planRestore(backup) };
}

export function applyBackup(backup: RestoreInput, mode: 'merge' | 'replace', options: RestoreOptions): Promise<BackupCounts> {
  return repos.library.restore(backup, mode, options);
}

/** Deletes every character, chat, verdict and setting (keeps samples from reseeding). */
export function wipeLibrary(): Promise<void> {
  return repos.library.wipe();
}
