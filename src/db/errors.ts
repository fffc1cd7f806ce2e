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

export class BackupFormatError extends Error {
  override name = 'BackupFormatError';
}

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
