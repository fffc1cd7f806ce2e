/**
 * The library as last shown, kept in localStorage so the next start lists it
 * at once: a 1,000-character library takes IndexedDB 60–150 ms to read on a
 * small machine, and the database's answer replaces the snapshot as soon as
 * it comes. A cache for the eye only: nothing is ever read from it but the
 * list's first paint, and it is the first thing dropped when localStorage is
 * needed for something that matters (a reply that could not be saved).
 */
import type { LibrarySnapshot } from '../domain/library';
import { readLibrarySnapshot } from '../domain/storage/libraryEntry';

export const SNAPSHOT_KEY = 'in-character.library-snapshot';
/** Larger libraries are not snapshotted: localStorage is small (~5 MB) and shared with unsaved replies. */
export const SNAPSHOT_MAX_CHARS = 512 * 1024;

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** The snapshot written last, or null (none, unreadable, or no localStorage). Never throws. */
export function loadLibrarySnapshot(): LibrarySnapshot | null {
  try {
    return readLibrarySnapshot(storage()?.getItem(SNAPSHOT_KEY) ?? null);
  } catch {
    return null;
  }
}

/**
 * Keeps `snapshot` for the next start (avatars left out). Best effort: too
 * large or refused, the old one is removed instead, so a start never shows
 * an older library than the last one it could keep.
 */
export function saveLibrarySnapshot(snapshot: LibrarySnapshot): void {
  const store = storage();
  if (!store) return;
  try {
    const text = JSON.stringify({ ...snapshot, entries: snapshot.entries.map((e) => ({ ...e, avatar: null })) });
    if (text.length > SNAPSHOT_MAX_CHARS) store.removeItem(SNAPSHOT_KEY);
    else store.setItem(SNAPSHOT_KEY, text);
  } catch {
    dropLibrarySnapshot();
  }
}

/** Frees the snapshot's room (localStorage is needed for something that matters). Never throws. */
export function dropLibrarySnapshot(): void {
  try {
    storage()?.removeItem(SNAPSHOT_KEY);
  } catch {
    // Nothing to free.
  }
}
