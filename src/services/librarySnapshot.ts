/**
 * The library as last shown, kept in localStorage so the next start lists it
 * at once: a 1,000-character library takes IndexedDB 60–150 ms to read on a
 * small machine, and the database's answer replaces the snapshot as soon as
 * it comes. A cache for the eye only: nothing is ever read from it but the
 * list's first paint, and it is the first thing dropped when localStorage is
 * needed for something that matters (a reply that could not be saved).
 */
import { snapshotOf, type LibraryEntry, type LibrarySnapshot, type LibrarySort } from '../domain/library';
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
    const text = JSON.stringify({ ...snapshot, entries: snapshot.entries.map((e) => ({ ...e, avatar: null })) } satisfies LibrarySnapshot);
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

/** The library as IndexedDB says it is now (what a snapshot is made from). */
export interface LibraryState {
  entries: readonly LibraryEntry[];
  lastUsed: ReadonlyMap<string, number>;
  sort: LibrarySort;
  favourites: readonly string[];
}

/**
 * When the snapshot is written: when the page hides (so the next start is
 * exact), and a while after the library itself changed (characters, order,
 * favourites), in idle time. Chat activity only moves "last used" times:
 * those wait for the page to hide, so a streaming reply never pays for
 * writing a snapshot. Only the head of the list is written (`snapshotOf`).
 */
const SNAPSHOT_AFTER_MS = 2_000;
let pending: LibraryState | null = null;
let written: LibraryState | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
let hideListening = false;

function flush(): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  if (!pending) return;
  saveLibrarySnapshot(snapshotOf(pending.entries, pending.lastUsed, pending.sort, pending.favourites));
  written = pending;
  pending = null;
}

const sameLibrary = (a: LibraryState, b: LibraryState) =>
  a.entries === b.entries && a.sort === b.sort && a.favourites.length === b.favourites.length && a.favourites.every((f, i) => f === b.favourites[i]);

/** Keeps `next` (what IndexedDB says now) for the next start; written as described above. */
export function keepLibrarySnapshot(next: LibraryState): void {
  if (!hideListening && typeof document !== 'undefined') {
    hideListening = true;
    globalThis.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && flush());
  }
  pending = next;
  // The snapshot this page started with is never the same library (IndexedDB's answer is new objects).
  if ((written && sameLibrary(written, next)) || timer !== null) return;
  timer = setTimeout(() => {
    const idle = globalThis.requestIdleCallback;
    if (idle) idle(flush, { timeout: 5_000 });
    else flush();
  }, SNAPSHOT_AFTER_MS);
}
