import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StudioDb } from './database';
import { CharacterRepository } from './characters';
import { ChatRepository } from './chats';
import { exportBackup, parseBackupText, restoreBackup } from './backup';
import { RecordInvalidError } from './errors';
import { coverageHash, readSummaryChain, type StorySummary } from '../domain/memory/storySoFar';
import { historyFrom } from '../domain/memory/history';

let db: StudioDb;
let name: string;
let n = 0;
beforeEach(() => {
  name = `memory-${Date.now()}-${n++}`;
  db = new StudioDb(name);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(name);
});

async function seed() {
  const chats = new ChatRepository(db);
  const maren = await new CharacterRepository(db).create({ card: { name: 'Maren' } });
  const chat = await chats.create({ characterId: maren.id, characterName: 'Maren', greetings: ['Hello.'] });
  const ask = await chats.append(chat.id, { role: 'user', name: 'You', text: 'Swim with me?' });
  const reply = await chats.append(chat.id, { role: 'assistant', name: 'Maren', text: 'Never.' });
  const history = historyFrom(await chats.messages(chat.id));
  const summary: StorySummary = { id: 's1', fromId: history[0]!.id!, toId: history[1]!.id!, count: 2, sourceHash: coverageHash(history.slice(0, 2)), text: 'Maren greeted You.', edited: false, createdAt: 1, updatedAt: 1 };
  await chats.updateMemory(chat.id, () => [summary]);
  await chats.setAuthorsNote(chat.id, { text: '{{char}} is wary.', depth: 2 });
  await chats.setPinned(ask.id, true);
  return { chats, chat, ask, reply };
}

describe('memory records', () => {
  it('stores the author’s note, summaries and pins; an empty note removes it; a bad depth is refused', async () => {
    const { chats, chat, ask } = await seed();
    const stored = await chats.get(chat.id);
    expect(stored?.authorsNote).toEqual({ text: '{{char}} is wary.', depth: 2 });
    expect(stored?.memory?.map((s) => s.text)).toEqual(['Maren greeted You.']);
    expect((await chats.messages(chat.id)).find((m) => m.id === ask.id)?.pinned).toBe(true);
    await expect(chats.setAuthorsNote(chat.id, { text: 'x', depth: 1000 })).rejects.toThrow(RecordInvalidError);
    await chats.setAuthorsNote(chat.id, { text: '  ', depth: 4 });
    expect((await chats.get(chat.id))?.authorsNote).toBeUndefined();
    const pinnedAt = (await chats.messages(chat.id)).find((m) => m.id === ask.id)!.updatedAt;
    expect(pinnedAt).toBeGreaterThan(ask.updatedAt);
    await chats.setPinned(ask.id, false);
    const unpinned = (await chats.messages(chat.id)).find((m) => m.id === ask.id)!;
    expect(unpinned.pinned).toBeUndefined();
    // An open chat follows updatedAt (db/messageFeed.ts): a pin or unpin must raise it.
    expect(unpinned.updatedAt).toBeGreaterThan(pinnedAt);
  });

  it('a summary goes stale when a message it covers is edited', async () => {
    const { chats, chat, ask } = await seed();
    await chats.writeSwipe(ask.id, 0, { text: 'Dive with me?' });
    const c = await chats.get(chat.id);
    const chain = readSummaryChain(c!.memory!, historyFrom(await chats.messages(chat.id)));
    expect(chain.states[0]!.status).toBe('stale');
    expect(chain.inputs).toEqual([]);
  });

  it('goes into the backup and comes back; a backup made before them still restores', async () => {
    const { chat } = await seed();
    const text = JSON.stringify(await exportBackup(db));
    const other = new StudioDb(`${name}-b`);
    try {
      await restoreBackup(other, parseBackupText(text), 'replace', { settings: [] });
      expect(await other.chats.get(chat.id)).toEqual(await db.chats.get(chat.id));
      expect(await other.messages.toArray()).toEqual(await db.messages.toArray());
      // The same backup as an older studio wrote it: no note, no summaries, no pins, no prompt records.
      const old = JSON.parse(text) as { chats: Record<string, unknown>[]; messages: Record<string, unknown>[] };
      old.chats.forEach((c) => {
        delete c.authorsNote;
        delete c.memory;
      });
      old.messages.forEach((m) => delete m.pinned);
      await restoreBackup(other, parseBackupText(JSON.stringify(old)), 'replace', { settings: [] });
      const back = await other.chats.get(chat.id);
      expect(back?.authorsNote).toBeUndefined();
      expect(back?.memory).toBeUndefined();
      expect(await other.messages.count()).toBe(3);
    } finally {
      other.close();
      await Dexie.delete(`${name}-b`);
    }
  });

  it('a damaged summary list in a backup is left out, the chat kept', async () => {
    const { chat } = await seed();
    const file = JSON.parse(JSON.stringify(await exportBackup(db))) as { chats: Record<string, unknown>[] };
    file.chats[0]!.memory = [{ id: 's1', text: 42 }];
    const parsed = parseBackupText(JSON.stringify(file));
    expect(parsed.chats[0]!.id).toBe(chat.id);
    expect(parsed.chats[0]!.memory).toBeUndefined();
    expect(parsed.chats[0]!.authorsNote).toEqual({ text: '{{char}} is wary.', depth: 2 });
  });
});
