import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SNAPSHOT_HEAD, HOME_RECENT, snapshotOf, sortCharacters, sortKeysOf, type LibraryEntry, type LibrarySnapshot } from '../domain/library';
import { MemoryStorage, installLocalStorage } from '../test/memoryStorage';
import { SNAPSHOT_KEY, SNAPSHOT_MAX_CHARS, keepLibrarySnapshot, loadLibrarySnapshot, saveLibrarySnapshot } from './librarySnapshot';

const entry = (id: string, over: Partial<LibraryEntry> = {}): LibraryEntry => ({
  id,
  name: `Keeper ${id}`,
  nickname: '',
  tags: ['sea'],
  blurb: 'Keeper of a lighthouse on a northern coast.',
  avatar: null,
  statementCount: 2,
  createdAt: 1,
  updatedAt: 2,
  ...over,
});
const snapshot = (entries: LibraryEntry[]): LibrarySnapshot => ({ entries, lastUsed: [['a', 5]], sort: 'used', favourites: ['b'], total: entries.length, tags: ['sea'] });

let storage: MemoryStorage;
let uninstall: () => void;
beforeEach(() => {
  storage = new MemoryStorage();
  uninstall = installLocalStorage(storage);
});
afterEach(() => uninstall());

describe('library snapshot (first paint before IndexedDB answers)', () => {
  it('round-trips, with avatars left out', () => {
    const withAvatar = entry('a', { avatar: new Blob([new Uint8Array([1])], { type: 'image/png' }) });
    saveLibrarySnapshot(snapshot([withAvatar, entry('b')]));
    expect(loadLibrarySnapshot()).toEqual(snapshot([{ ...withAvatar, avatar: null }, entry('b')]));
  });

  it('is none when absent, not JSON, or not the shape (a wrong order, an avatar, a missing field)', () => {
    expect(loadLibrarySnapshot()).toBeNull();
    storage.setItem(SNAPSHOT_KEY, '{"entries":');
    expect(loadLibrarySnapshot()).toBeNull();
    storage.setItem(SNAPSHOT_KEY, JSON.stringify({ ...snapshot([entry('a')]), sort: 'random' }));
    expect(loadLibrarySnapshot()).toBeNull();
    storage.setItem(SNAPSHOT_KEY, JSON.stringify(snapshot([{ ...entry('a'), avatar: 'data:text/html,<b>' as never }])));
    expect(loadLibrarySnapshot()).toBeNull();
    const { blurb: _b, ...noBlurb } = entry('a');
    storage.setItem(SNAPSHOT_KEY, JSON.stringify(snapshot([noBlurb as LibraryEntry])));
    expect(loadLibrarySnapshot()).toBeNull();
  });

  it('a library too large to keep removes the older snapshot instead of leaving it', () => {
    saveLibrarySnapshot(snapshot([entry('a')]));
    const many = Array.from({ length: Math.ceil(SNAPSHOT_MAX_CHARS / 150) }, (_, i) => entry(String(i)));
    saveLibrarySnapshot(snapshot(many));
    expect(storage.getItem(SNAPSHOT_KEY)).toBeNull();
  });

  it('a refused write removes the older snapshot, and nothing throws without localStorage', () => {
    saveLibrarySnapshot(snapshot([entry('a')]));
    storage.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    expect(() => saveLibrarySnapshot(snapshot([entry('b')]))).not.toThrow();
    expect(loadLibrarySnapshot()).toBeNull();
    uninstall();
    expect(() => saveLibrarySnapshot(snapshot([entry('c')]))).not.toThrow();
    expect(loadLibrarySnapshot()).toBeNull();
  });

  it('is written a while after the library changes, but not for "last used" times alone (a streaming chat moves them)', () => {
    vi.useFakeTimers();
    try {
      const entries = [entry('a')];
      keepLibrarySnapshot({ entries, lastUsed: new Map(), sort: 'edited', favourites: [] });
      expect(storage.getItem(SNAPSHOT_KEY)).toBeNull();
      vi.advanceTimersByTime(2_100);
      expect(loadLibrarySnapshot()?.entries).toEqual(entries);
      keepLibrarySnapshot({ entries, lastUsed: new Map([['a', 99]]), sort: 'edited', favourites: [] });
      vi.advanceTimersByTime(10_000);
      expect(loadLibrarySnapshot()?.lastUsed).toEqual([]);
      keepLibrarySnapshot({ entries: [entry('a'), entry('b')], lastUsed: new Map([['a', 99]]), sort: 'edited', favourites: [] });
      vi.advanceTimersByTime(2_100);
      expect(loadLibrarySnapshot()).toMatchObject({ lastUsed: [['a', 99]] });
      expect(loadLibrarySnapshot()?.entries).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps only the head of a 1,000-character library: the sidebar’s first rows in its order, the home page’s newest, the count and every tag', () => {
    // Newest first, as the library lists them; names in another order; a few favourites far down.
    const library = Array.from({ length: 1000 }, (_, i) => entry(`c${i}`, { name: `Keeper ${String((i * 7919) % 1000).padStart(4, '0')}`, updatedAt: 10_000 - i, tags: [`t${i % 37}`] }));
    const favourites = ['c900', 'c950'];
    const lastUsed = new Map(library.map((e, i) => [e.id, (i * 31) % 1000] as [string, number]));
    for (const sort of ['name', 'edited', 'used'] as const) {
      const snap = snapshotOf(library, lastUsed, sort, favourites);
      expect(snap.entries.length).toBeLessThanOrEqual(SNAPSHOT_HEAD + HOME_RECENT);
      expect(snap.total).toBe(1000);
      expect(snap.tags).toHaveLength(37);
      const order = (list: readonly LibraryEntry[], used: ReadonlyMap<string, number>) => sortCharacters(list, sort, new Set(favourites), (c) => sortKeysOf(c, used)).map((e) => e.id);
      // The head, sorted as the sidebar sorts it, begins with the full list's first rows.
      expect(order(snap.entries, new Map(snap.lastUsed)).slice(0, SNAPSHOT_HEAD)).toEqual(order(library, lastUsed).slice(0, SNAPSHOT_HEAD));
      // The home page's newest, in the library's own order.
      expect(snap.entries.slice(0, HOME_RECENT).map((e) => e.id)).toEqual(library.slice(0, HOME_RECENT).map((e) => e.id));
    }
    vi.useFakeTimers();
    try {
      keepLibrarySnapshot({ entries: library, lastUsed, sort: 'name', favourites });
      vi.advanceTimersByTime(2_100);
      const text = storage.getItem(SNAPSHOT_KEY)!;
      expect(text.length).toBeLessThan(40_000);
      expect(loadLibrarySnapshot()).toMatchObject({ total: 1000, sort: 'name', favourites });
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads a snapshot kept before only the head was (no count, no tags) as the whole library', () => {
    const { total: _t, tags: _g, ...old } = snapshot([entry('a', { tags: ['Sea', 'storm'] }), entry('b')]);
    storage.setItem(SNAPSHOT_KEY, JSON.stringify(old));
    expect(loadLibrarySnapshot()).toMatchObject({ total: 2, tags: ['sea', 'storm'] });
  });
});
