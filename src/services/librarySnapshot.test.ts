import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LibraryEntry, LibrarySnapshot } from '../domain/library';
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
const snapshot = (entries: LibraryEntry[]): LibrarySnapshot => ({ entries, lastUsed: [['a', 5]], sort: 'used', favourites: ['b'] });

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
      keepLibrarySnapshot({ entries, lastUsed: [], sort: 'edited', favourites: [] });
      expect(storage.getItem(SNAPSHOT_KEY)).toBeNull();
      vi.advanceTimersByTime(2_100);
      expect(loadLibrarySnapshot()?.entries).toEqual(entries);
      keepLibrarySnapshot({ entries, lastUsed: [['a', 99]], sort: 'edited', favourites: [] });
      vi.advanceTimersByTime(10_000);
      expect(loadLibrarySnapshot()?.lastUsed).toEqual([]);
      keepLibrarySnapshot({ entries: [entry('a'), entry('b')], lastUsed: [['a', 99]], sort: 'edited', favourites: [] });
      vi.advanceTimersByTime(2_100);
      expect(loadLibrarySnapshot()).toMatchObject({ lastUsed: [['a', 99]] });
      expect(loadLibrarySnapshot()?.entries).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

