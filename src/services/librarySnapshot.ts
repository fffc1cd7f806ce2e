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

let started: LibrarySnapshot | null | undefined;
/** The snapshot this page started with (read once). */
export function lastSnapshot(): LibrarySnapshot | null {
  if (started === undefined) started = loadLibrarySnapshot();
  return started;
}

/**
 * When the snapshot is written: when the page hides (so the next start is
 * exact), and a while after the library itself changed (characters, order,
 * favourites), in idle time. Chat activity only moves "last used" times:
 * those wait for the page to hide, so a streaming reply never pays for
 * writing a 1,000-character snapshot (about 25 ms).
 */
const SNAPSHOT_AFTER_MS = 2_000;
let pending: LibrarySnapshot | null = null;
let written: LibrarySnapshot | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
let hideListening = false;

function flush(): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  if (!pending) return;
  saveLibrarySnapshot(pending);
  written = pending;
  pending = null;
}

const sameLibrary = (a: LibrarySnapshot, b: LibrarySnapshot) =>
  a.entries === b.entries && a.sort === b.sort && a.favourites.length === b.favourites.length && a.favourites.every((f, i) => f === b.favourites[i]);

/** Keeps `next` (what IndexedDB says now) for the next start; written as described above. */
export function keepLibrarySnapshot(next: LibrarySnapshot): void {
  if (!hideListening && typeof document !== 'undefined') {
    hideListening = true;
    globalThis.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && flush());
  }
  pending = next;
  const base = written ?? lastSnapshot();
  if ((base && sameLibrary(base, next)) || timer !== null) return;
  timer = setTimeout(() => {
    const idle = globalThis.requestIdleCallback;
    if (idle) idle(flush, { timeout: 5_000 });
    else flush();
  }, SNAPSHOT_AFTER_MS);
}
