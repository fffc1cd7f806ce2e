import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newStatement } from '../domain/character';
import { AUDIT_RUN_VERSION, type AuditRun } from '../domain/audit';
import { sampleVerdict } from '../test/sampleVerdict';
import { AuditRepository } from './audits';
import { CharacterRepository } from './characters';
import { StudioDb } from './database';
import { CharacterGoneError } from './errors';
import { LibraryRepository } from './library';

let db: StudioDb;
let name: string;
let n = 0;

beforeEach(() => {
  name = `audits-${Date.now()}-${n++}`;
  db = new StudioDb(name);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(name);
});

function run(characterId: string, id: string, createdAt: number): AuditRun {
  return {
    v: AUDIT_RUN_VERSION,
    id,
    characterId,
    characterName: 'Maren',
    createdAt,
    finishedAt: createdAt + 10,
    status: 'complete',
    stopReason: null,
    modelId: 'scripted',
    checkerModelId: 'nli+emb',
    threshold: 0.5,
    maxTokens: 160,
    statements: [{ id: 's1', text: 'Maren cannot swim.', version: 1, enabled: true }],
    probes: [{ id: 'p1', kind: 'direct', family: 'persona-consistency', pressure: null, statementId: 's1', text: 'Do you swim?', origin: 'template' }],
    results: [{ probeId: 'p1', status: 'done', answer: 'Never. I hate the sea.', verdict: sampleVerdict(), error: null, generateMs: 5, checkMs: 1 }],
  };
}

async function seed() {
  const characters = new CharacterRepository(db);
  const maren = await characters.create({ card: { name: 'Maren' }, statements: [newStatement('Maren cannot swim.', 'manual')] });
  return { characters, maren, audits: new AuditRepository(db) };
}

describe('AuditRepository', () => {
  it('stores runs with their character and lists them newest first; a saved run replaces its earlier state', async () => {
    const { maren, audits } = await seed();
    await audits.save(run(maren.id, 'old', 1000));
    await audits.save({ ...run(maren.id, 'new', 2000), status: 'running', results: [] });
    await audits.save(run(maren.id, 'new', 2000));
    const list = await audits.forCharacter(maren.id);
    expect(list.map((r) => r.id)).toEqual(['new', 'old']);
    expect(list[0]!.results).toHaveLength(1);
    expect(await audits.forCharacter('someone-else')).toEqual([]);
    await audits.delete('old');
    expect((await audits.forCharacter(maren.id)).map((r) => r.id)).toEqual(['new']);
  });

  it('refuses a run for a deleted character, and one that is not a run', async () => {
    const { audits, maren } = await seed();
    await expect(audits.save(run('gone', 'r', 1))).rejects.toBeInstanceOf(CharacterGoneError);
    await expect(audits.save({ ...run(maren.id, 'r', 1), status: 'bogus' } as unknown as AuditRun)).rejects.toThrow(/stored shape/);
    expect(await db.audits.count()).toBe(0);
  });

  it('leaves out stored rows that are not readable runs', async () => {
    const { audits, maren } = await seed();
    await audits.save(run(maren.id, 'good', 1));
    await db.audits.put({ id: 'bad', characterId: maren.id, createdAt: 2 } as unknown as AuditRun);
    expect((await audits.forCharacter(maren.id)).map((r) => r.id)).toEqual(['good']);
    expect(await audits.get('bad')).toBeNull();
  });

  it('deletes runs with their character; undo puts them back; wiping the library clears them', async () => {
    const { characters, maren, audits } = await seed();
    await audits.save(run(maren.id, 'r1', 1));
    const before = await db.audits.toArray();
    const snapshot = await characters.delete(maren.id);
    expect(await db.audits.count()).toBe(0);
    await characters.restore(snapshot!);
    expect(await db.audits.toArray()).toEqual(before);
    await new LibraryRepository(db).wipe();
    expect(await db.audits.count()).toBe(0);
  });
});

describe('schema v5 (audits)', () => {
  it('opens a database written by schema v4 with its data intact and an empty audits table', async () => {
    const oldName = `${name}-v4`;
    const v3 = new Dexie(oldName);
    v3.version(1).stores({ characters: 'id, updatedAt', chats: 'id, characterId, updatedAt', messages: 'id, chatId, [chatId+order]', settings: 'key' });
    v3.version(2).stores({ chats: 'id, characterId, updatedAt, [characterId+updatedAt]', verdicts: 'id, messageId, chatId' });
    v3.version(3).stores({});
    v3.version(4).stores({ interviews: 'id, updatedAt' });
    await v3.open();
    const character = (await new CharacterRepository(db).create({ card: { name: 'Old' } })) as unknown as Record<string, unknown>;
    await v3.table('characters').put(character);
    await v3.table('verdicts').put({ id: 'm1:0', messageId: 'm1', chatId: 'c1', swipeIndex: 0, verdict: sampleVerdict(), createdAt: 1 });
    v3.close();

    const upgraded = new StudioDb(oldName);
    try {
      await upgraded.open();
      expect(upgraded.verno).toBe(7);
      expect((await upgraded.characters.get(character.id as string))?.card.name).toBe('Old');
      expect(await upgraded.verdicts.count()).toBe(1);
      expect(await upgraded.audits.count()).toBe(0);
      const audits = new AuditRepository(upgraded);
      await audits.save(run(character.id as string, 'first', 5));
      expect((await audits.forCharacter(character.id as string)).map((r) => r.id)).toEqual(['first']);
    } finally {
      upgraded.close();
      await Dexie.delete(oldName);
    }
  });
});
