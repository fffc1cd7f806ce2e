import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dropStashed, readStashed, recoverStashed, stashUnsaved, type StashedReply } from './unsavedReplies';

/** A Map-backed Storage (Node has no localStorage). */
class MemoryStorage implements Storage {
  private map = new Map<string, string>();
  get length() {
    return this.map.size;
  }
  clear() {
    this.map.clear();
  }
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
  setItem(k: string, v: string) {
    this.map.set(k, String(v));
  }
}

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
