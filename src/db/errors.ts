/** Storage failures the UI can name. */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
  constructor(cause?: unknown) {
    super(
      'Your browser has run out of storage for this site. Nothing already saved was lost. Free space by deleting cached models or old chats, then try again.',
      { cause },
    );
  }
}

/** A save found no character to save into: it was deleted (in another tab, or undone). */
export class CharacterGoneError extends Error {
  override name = 'CharacterGoneError';
  constructor(readonly characterId: string) {
    super('This character was deleted, in this tab or another one.');
  }
}

/** An undo that can no longer be applied as it was (what it belonged to is gone or busy). */
export class UndoUnavailableError extends Error {
  override name = 'UndoUnavailableError';
}

export { BackupFormatError } from '../domain/storage/backup';
export { RecordInvalidError } from '../domain/storage/issues';

/** True for IndexedDB/Cache quota failures in all their spellings. */
export function isQuotaError(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const err = e as { name?: string; inner?: unknown; message?: string };
  if (err.name === 'QuotaExceededError' || err.name === 'StorageFullError') return true;
  // Dexie wraps the DOMException: AbortError with .inner = QuotaExceededError.
  if (err.inner && isQuotaError(err.inner)) return true;
  return typeof err.message === 'string' && /quota/i.test(err.message);
}

/** Runs a write and turns quota failures into StorageFullError. */
export async function guardWrite<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (isQuotaError(e)) throw new StorageFullError(e);
    throw e;
  }
}

/** A failed write in words a writer can act on. */
export interface StorageProblem {
  /** True when the browser refused for lack of space. */
  quota: boolean;
  /** One line for a badge. */
  summary: string;
  /** What happened and what to do. */
  detail: string;
}

/** Describes a failed IndexedDB write (quota, a closed database, anything else) for the UI. */
export function describeStorageError(e: unknown): StorageProblem {
  if (isQuotaError(e)) {
    return {
      quota: true,
      summary: 'Storage full',
      detail:
        'Your browser has no room left for this site. The text is kept on screen. Free space under Settings → Storage (delete a cached model you no longer use, or old chats), then press Retry.',
    };
  }
  const err = e as { name?: string; message?: string } | null;
  if (err?.name === 'DatabaseClosedError' || err?.name === 'InvalidStateError') {
    return {
      quota: false,
      summary: 'Database closed',
      detail: 'The browser closed this site’s database (another tab may have upgraded the studio). The text is kept on screen. Press Retry; if it fails again, copy the text and reload the page.',
    };
  }
  const message = err?.message ? `: ${err.message}` : '';
  return {
    quota: false,
    summary: 'Not saved',
    detail: `The browser refused to save this${message}. The text is kept on screen. Press Retry.`,
  };
}
