import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyLorebook, newStatement, type Character } from '../domain/character';
import { libraryEntryOf, shortDescription } from '../domain/library';
import { StudioDb } from './database';
import { CharacterRepository } from './characters';
import { ChatRepository } from './chats';
import { LibraryRepository } from './library';
import { exportBackup, parseBackupText, restoreBackup } from './backup';

let db: StudioDb;
let name: string;
let n = 0;

beforeEach(() => {
  name = `entries-${Date.now()}-${n++}`;
  db = new StudioDb(name);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(name);
});

/** The entries as stored, by id, next to what each character says they should be. */
async function expectEntriesMatchCharacters() {
  const characters = await new CharacterRepository(db).list();
  const stored = await db.libraryEntries.toArray();
  expect(stored.map((e) => e.id).sort()).toEqual(characters.map((c) => c.id).sort());
  for (const c of characters) expect(stored.find((e) => e.id === c.id)).toEqual(libraryEntryOf(c));
  return stored;
}

describe('library entries (table libraryEntries, kept by the middleware)', () => {
  it('follow every way a character is written: create, edit, lorebook, duplicate, delete and undo', async () => {
    const repo = new CharacterRepository(db);
    const maren = await repo.create({ card: { name: 'Maren', description: 'A diver   who fears\nthe deep.', tags: ['sea'] }, statements: [newStatement('Maren fears deep water.', 'manual')] });
    await repo.createMany([{ card: { name: 'Ivo', nickname: 'The Smith' } }, { card: { name: 'Sela' } }]);
    let entries = await expectEntriesMatchCharacters();
    expect(entries.find((e) => e.id === maren.id)).toMatchObject({ name: 'Maren', blurb: 'A diver who fears the deep.', tags: ['sea'], statementCount: 1 });

    const edited: Character = { ...maren, card: { ...maren.card, name: 'Maren Vos', description: 'Keeper of the north light.' } };
    await repo.saveDraft(maren, edited);
    entries = await expectEntriesMatchCharacters();
    expect(entries.find((e) => e.id === maren.id)?.name).toBe('Maren Vos');

    const before = (await db.libraryEntries.get(maren.id))!.updatedAt;
    await repo.addLorebookEntries(maren.id, { ...emptyLorebook(), name: 'Coast' });
    expect((await db.libraryEntries.get(maren.id))!.updatedAt).toBeGreaterThan(before);
    await expectEntriesMatchCharacters();

    const copy = await repo.duplicate(maren.id);
    await expectEntriesMatchCharacters();

    const snapshot = await repo.delete(copy.id);
    expect(await db.libraryEntries.get(copy.id)).toBeUndefined();
    await repo.restore(snapshot!);
    expect((await db.libraryEntries.get(copy.id))?.name).toBe(copy.card.name);
    await expectEntriesMatchCharacters();
  });

  it('the page-hide save (below Dexie) writes the entry in the same transaction', async () => {
    const repo = new CharacterRepository(db);
    const base = await repo.create({ card: { name: 'Maren', description: 'Old words.' } });
    const written = repo.saveDraftNow(base, { ...base, card: { ...base.card, description: 'Typed just before closing.' } }, base);
    expect(written).not.toBeNull();
    await Dexie.waitFor(new Promise((r) => setTimeout(r, 0)));
    await db.characters.get(base.id); // after the raw transaction
    expect((await db.libraryEntries.get(base.id))?.blurb).toBe('Typed just before closing.');
  });

  it('a backup restore (replace and merge) and a wipe leave entries for exactly the characters', async () => {
    const repo = new CharacterRepository(db);
    await repo.createMany(Array.from({ length: 5 }, (_, i) => ({ card: { name: `Keeper ${i}`, description: `Keeper number ${i}.` } })));
    const backup = parseBackupText(JSON.stringify(await exportBackup(db)));
    await new LibraryRepository(db).wipe();
    expect(await db.libraryEntries.count()).toBe(0);
    await restoreBackup(db, backup, 'replace');
    expect(await expectEntriesMatchCharacters()).toHaveLength(5);
    await repo.create({ card: { name: 'Extra' } });
    await restoreBackup(db, backup, 'merge');
    expect(await expectEntriesMatchCharacters()).toHaveLength(6);
  });

  it('entries() lists them newest first, and derives them from the characters when the table does not match', async () => {
    const repo = new CharacterRepository(db);
    const a = await repo.create({ card: { name: 'Alma', description: 'First.' } });
    const b = await repo.create({ card: { name: 'Bram', description: 'Second.' } });
    expect((await repo.entries()).map((e) => e.name)).toEqual(['Bram', 'Alma']);

    // A damaged row (written by a bug): the list is still right.
    await db.transaction('rw', db.libraryEntries, () => db.libraryEntries.put({ id: a.id, name: 42 } as never));
    expect(await repo.entries()).toEqual([libraryEntryOf(b), libraryEntryOf(a)]);
    // A missing row: the same.
    await db.transaction('rw', db.libraryEntries, () => db.libraryEntries.delete(b.id));
    expect((await repo.entries()).map((e) => e.name)).toEqual(['Bram', 'Alma']);
  });

  it('watchEntries follows an edit with one small read, and lastUsed follows a chat', async () => {
    const repo = new CharacterRepository(db);
    const maren = await repo.create({ card: { name: 'Maren', description: 'A diver.' } });
    const seen: string[][] = [];
    const stop = repo.watchEntries((entries) => seen.push(entries.map((e) => e.blurb)), (e) => {
      throw e;
    });
    try {
      await expect.poll(() => seen.length).toBe(1);
      await repo.saveDraft(maren, { ...maren, card: { ...maren.card, description: 'A diver who came back.' } });
      await expect.poll(() => seen.at(-1)).toEqual(['A diver who came back.']);
    } finally {
      stop();
    }
    const used: Map<string, number>[] = [];
    const chats = new ChatRepository(db);
    const stopUsed = chats.watchLastUsed((m) => used.push(m), (e) => {
      throw e;
    });
    try {
      await expect.poll(() => used.length).toBe(1);
      expect(used[0]!.has(maren.id)).toBe(false);
      await chats.create({ characterId: maren.id, characterName: 'Maren', greetings: [] });
      await expect.poll(() => used.at(-1)?.has(maren.id)).toBe(true);
    } finally {
      stopUsed();
    }
  });

  it('the v6 → v7 upgrade fills entries from the characters already stored (a damaged one included, repaired) and indexes the streaming replies', async () => {
    const oldName = `${name}-v6`;
    const v6 = new Dexie(oldName);
    v6.version(1).stores({ characters: 'id, updatedAt', chats: 'id, characterId, updatedAt', messages: 'id, chatId, [chatId+order]', settings: 'key' });
    v6.version(2).stores({ chats: 'id, characterId, updatedAt, [characterId+updatedAt]', verdicts: 'id, messageId, chatId' });
    v6.version(3).stores({});
    v6.version(4).stores({ interviews: 'id, updatedAt' });
    v6.version(5).stores({ audits: 'id, characterId, [characterId+createdAt]' });
    v6.version(6).stores({ messages: 'id, chatId, [chatId+order], [chatId+updatedAt]' });
    await v6.open();
    await v6.table('characters').bulkPut([
      { id: 'c1', card: { name: 'Old', description: 'Written by v6.' }, avatar: null, statements: [{ id: 's', text: 'Old is old.', origin: 'manual', enabled: true, version: 1 }], createdAt: 1, updatedAt: 2 },
      { id: 'c2', card: { name: 7, tags: 'not a list' }, avatar: null, statements: null, createdAt: 1, updatedAt: 3 },
    ]);
    const swipe = (text: string, state: string) => ({ text, state, createdAt: 1 });
    await v6.table('messages').bulkPut([
      { id: 'm1', chatId: 'chat1', order: 0, role: 'assistant', name: 'Old', swipes: [swipe('Done.', 'done')], swipeIndex: 0, createdAt: 1, updatedAt: 1 },
      { id: 'm2', chatId: 'chat1', order: 1, role: 'assistant', name: 'Old', swipes: [swipe('Done.', 'done'), swipe('Cut o', 'streaming')], swipeIndex: 1, createdAt: 1, updatedAt: 1 },
    ]);
    v6.close();
    const upgraded = new StudioDb(oldName);
    try {
      await upgraded.open();
      expect(upgraded.verno).toBe(7);
      const entries = await new CharacterRepository(upgraded).entries();
      expect(entries.map((e) => e.id)).toEqual(['c2', 'c1']);
      expect(entries[1]).toMatchObject({ name: 'Old', blurb: 'Written by v6.', statementCount: 1 });
      expect(await upgraded.libraryEntries.count()).toBe(2);
      expect(typeof entries[0]!.name).toBe('string');
      expect(await upgraded.messages.where('streaming').equals(1).primaryKeys()).toEqual(['m2']);
      expect(await new ChatRepository(upgraded).markInterrupted()).toBe(1);
      expect((await upgraded.messages.get('m2'))?.swipes[1]?.state).toBe('interrupted');
    } finally {
      upgraded.close();
      await Dexie.delete(oldName);
    }
  });

  it('an entry holds the first words of a huge description, not the description', async () => {
    const repo = new CharacterRepository(db);
    const huge = 'word '.repeat(50_000);
    const c = await repo.create({ card: { name: 'Verbose', description: huge } });
    const entry = (await db.libraryEntries.get(c.id))!;
    expect(entry.blurb).toBe(shortDescription(c));
    expect(entry.blurb.length).toBeLessThanOrEqual(81);
  });
});
