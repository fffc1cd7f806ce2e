import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newStatement, type Character } from '../domain/character';
import { StudioDb } from './database';
import { CharacterRepository } from './characters';
import { CharacterGoneError, StorageFullError } from './errors';

let db: StudioDb;
let name: string;
let n = 0;

beforeEach(() => {
  name = `draft-${Date.now()}-${n++}`;
  db = new StudioDb(name);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(name);
});

const withCard = (c: Character, card: Partial<Character['card']>): Character => ({ ...c, card: { ...c.card, ...card } });

describe('CharacterRepository.saveDraft (two tabs)', () => {
  it('two drafts from the same base, different fields: both are kept', async () => {
    const repo = new CharacterRepository(db);
    const base = await repo.create({ card: { name: 'Maren', description: 'Old description.', personality: 'Old personality.' } });
    const tab1 = await repo.saveDraft(base, withCard(base, { description: 'Tab 1 wrote this.' }));
    const tab2 = await repo.saveDraft(base, withCard(base, { personality: 'Tab 2 wrote this.' }));
    expect(tab1.conflicts).toEqual([]);
    expect(tab2.conflicts).toEqual([]);
    const stored = await repo.get(base.id);
    expect(stored?.card.description).toBe('Tab 1 wrote this.');
    expect(stored?.card.personality).toBe('Tab 2 wrote this.');
    expect(tab2.stored.updatedAt).toBeGreaterThan(tab1.stored.updatedAt);
  });

  it('the same field from two drafts: the second is not written and comes back as a conflict', async () => {
    const repo = new CharacterRepository(db);
    const base = await repo.create({ card: { name: 'Maren', description: 'Old.' } });
    await repo.saveDraft(base, withCard(base, { description: 'First tab.' }));
    const second = await repo.saveDraft(base, withCard(base, { description: 'Second tab.', scenario: 'A storm.' }));
    expect(second.conflicts).toMatchObject([{ key: 'card.description', mineText: 'Second tab.', theirsText: 'First tab.' }]);
    const stored = await repo.get(base.id);
    expect(stored?.card.description).toBe('First tab.');
    // What did not conflict was written.
    expect(stored?.card.scenario).toBe('A storm.');
  });

  it('statements edited in two drafts are merged by id', async () => {
    const repo = new CharacterRepository(db);
    const base = await repo.create({ card: { name: 'Maren' }, statements: [newStatement('One.', 'manual'), newStatement('Two.', 'manual')] });
    const [one, two] = base.statements as [Character['statements'][0], Character['statements'][0]];
    await repo.saveDraft(base, { ...base, statements: [{ ...one, text: 'One, edited.', version: 2 }, two] });
    await repo.saveDraft(base, { ...base, statements: [one, { ...two, enabled: false }, newStatement('Three.', 'manual')] });
    const stored = await repo.get(base.id);
    expect(stored?.statements.map((s) => [s.text, s.enabled])).toEqual([
      ['One, edited.', true],
      ['Two.', false],
      ['Three.', true],
    ]);
  });

  it('writes nothing when the draft has no changes', async () => {
    const repo = new CharacterRepository(db);
    const base = await repo.create({ card: { name: 'Maren' } });
    const r = await repo.saveDraft(base, base);
    expect(r.stored.updatedAt).toBe(base.updatedAt);
  });

  it('a deleted character is not brought back by a save', async () => {
    const repo = new CharacterRepository(db);
    const base = await repo.create({ card: { name: 'Maren' } });
    await repo.delete(base.id);
    await expect(repo.saveDraft(base, withCard(base, { description: 'x' }))).rejects.toBeInstanceOf(CharacterGoneError);
    expect(await repo.get(base.id)).toBeUndefined();
  });

  it('storage full: StorageFullError, the stored copy unchanged', async () => {
    const repo = new CharacterRepository(db);
    const base = await repo.create({ card: { name: 'Kept' } });
    db.characters.hook('updating', () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    await expect(repo.saveDraft(base, withCard(base, { name: 'Lost?' }))).rejects.toBeInstanceOf(StorageFullError);
    expect((await repo.get(base.id))?.card.name).toBe('Kept');
  });
});

describe('CharacterRepository.saveDraftNow (page hide)', () => {
  it('issues the write before returning and it commits', async () => {
    const repo = new CharacterRepository(db);
    const base = await repo.create({ card: { name: 'Maren', personality: 'Kept from the other tab.' } });
    const latest = withCard(base, { personality: 'Saved by the other tab.' });
    await db.characters.put(latest);
    const written = repo.saveDraftNow(base, withCard(base, { description: 'Typed just before closing.' }), latest);
    expect(written?.card.description).toBe('Typed just before closing.');
    // Read through a second connection, as the next page load would.
    const other = new StudioDb(name);
    const stored = await other.characters.get(base.id);
    other.close();
    expect(stored?.card.description).toBe('Typed just before closing.');
    expect(stored?.card.personality).toBe('Saved by the other tab.');
  });

  it('returns null when there is nothing to write or the database is closed', async () => {
    const repo = new CharacterRepository(db);
    const base = await repo.create({ card: { name: 'Maren' } });
    expect(repo.saveDraftNow(base, base, base)).toBeNull();
    db.close();
    expect(repo.saveDraftNow(base, withCard(base, { description: 'x' }), base)).toBeNull();
  });
});
