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
