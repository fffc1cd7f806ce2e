import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dropStashed, readStashed, recoverStashed, stashUnsaved, type StashedReply } from './unsavedReplies';
import { loadLibrarySnapshot, saveLibrarySnapshot } from './librarySnapshot';
import { MemoryStorage } from '../test/memoryStorage';

const reply = (messageId: string, text: string): StashedReply => ({
  target: { chatId: 'c1', messageId, swipeIndex: 0, prefix: '' },
  patch: { text, state: 'done', finishReason: 'stop' },
  verdict: null,
});

let storage: MemoryStorage;
beforeEach(() => {
  storage = new MemoryStorage();
  (globalThis as { localStorage?: Storage }).localStorage = storage;
});
afterEach(() => {
  delete (globalThis as { localStorage?: Storage }).localStorage;
});

describe('unsaved replies kept across a reload', () => {
  it('stashes, reads back and drops', () => {
    expect(stashUnsaved(reply('m1', 'A long reply.'))).toBe(true);
    storage.setItem('unrelated', 'x');
    expect(readStashed()).toEqual([reply('m1', 'A long reply.')]);
    dropStashed(reply('m1', '').target);
    expect(readStashed()).toEqual([]);
    expect(storage.getItem('unrelated')).toBe('x');
  });

  it('removes entries that do not read as a reply', () => {
    storage.setItem('in-character.unsaved:m9:0', '{"target":{"messageId":5}}');
    storage.setItem('in-character.unsaved:m8:0', 'not json');
    expect(readStashed()).toEqual([]);
    expect(storage.length).toBe(0);
  });

  it("gives the library snapshot's room to a reply that would not fit beside it", () => {
    storage = new MemoryStorage(3_000);
    (globalThis as { localStorage?: Storage }).localStorage = storage;
    const entry = { id: 'c1', name: 'Maren', nickname: '', tags: [], blurb: 'x'.repeat(80), avatar: null, statementCount: 0, createdAt: 1, updatedAt: 1 };
    saveLibrarySnapshot({ entries: Array.from({ length: 10 }, (_, i) => ({ ...entry, id: `c${i}` })), lastUsed: [], sort: 'edited', favourites: [], total: 10, tags: [] });
    expect(loadLibrarySnapshot()?.entries).toHaveLength(10);
    expect(stashUnsaved(reply('m1', 'A reply that must survive the reload. '.repeat(30)))).toBe(true);
    expect(loadLibrarySnapshot()).toBeNull();
    expect(readStashed()).toHaveLength(1);
  });

  it('reports a full localStorage as not kept', () => {
    storage.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    expect(stashUnsaved(reply('m1', 'x'))).toBe(false);
  });

  it('writes what it can at start-up and keeps the rest with the reason', async () => {
    stashUnsaved(reply('ok', 'Stored now.'));
    stashUnsaved(reply('full', 'Still no room.'));
    const written: string[] = [];
    const refused = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    const result = await recoverStashed(async (r) => {
      if (r.target.messageId === 'full') throw refused;
      written.push(r.patch.text!);
    });
    expect(written).toEqual(['Stored now.']);
    expect(result.recovered).toBe(1);
    expect(result.pending.map((r) => r.target.messageId)).toEqual(['full']);
    expect(result.error).toBe(refused);
    expect(readStashed().map((r) => r.target.messageId)).toEqual(['full']);
  });
});
