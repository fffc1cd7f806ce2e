import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acceptProposal, newInterviewDraft, pendingProposals, setAnswer } from '../domain/interview';
import { StudioDb } from './database';
import { CharacterRepository } from './characters';
import { InterviewRepository } from './interviews';

let db: StudioDb;
let name: string;
let n = 0;

beforeEach(() => {
  name = `interviews-${Date.now()}-${n++}`;
  db = new StudioDb(name);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(name);
});

function draft() {
  let d = newInterviewDraft(10, 'i1');
  d = setAnswer(d, 'name', 'Maren Holt');
  d = setAnswer(d, 'likes', 'tea\nstorms');
  d = { ...d, step: 6 };
  for (const p of pendingProposals(d, 'preferences')) d = acceptProposal(d, 'preferences', p);
  return d;
}

describe('InterviewRepository', () => {
  it('saves a draft and reads it back the same (leave and resume)', async () => {
    const repo = new InterviewRepository(db);
    const d = draft();
    await repo.save(d);
    expect(await repo.get('i1')).toEqual(d);
    expect((await repo.latest())?.id).toBe('i1');
    await repo.save({ ...newInterviewDraft(20, 'i2'), updatedAt: 30 });
    expect((await repo.latest())?.id).toBe('i2');
  });

  it('repairs a damaged stored draft instead of losing it', async () => {
    await db.interviews.put({ id: 'bad', step: 42, answers: { name: 'Maren', likes: 7, bigFive: { openness: 'very' } }, accepted: [{ text: 'Maren likes tea.' }, 'x'], rejected: null } as never);
    const read = await new InterviewRepository(db).get('bad');
    expect(read?.answers.name).toBe('Maren');
    expect(read?.answers.likes).toBe('');
    expect(read?.answers.bigFive).toEqual({});
    expect(read?.step).toBe(9);
    expect(read?.accepted.map((a) => a.text)).toEqual(['Maren likes tea.']);
    expect(read?.rejected).toEqual([]);
  });

  it('finishing creates an ordinary character with the accepted statements and removes the draft', async () => {
    const repo = new InterviewRepository(db);
    await repo.save(draft());
    const c = await repo.finish((await repo.get('i1'))!);
    expect(await repo.get('i1')).toBeUndefined();
    const stored = await new CharacterRepository(db).get(c.id);
    expect(stored?.card.name).toBe('Maren Holt');
    expect(stored?.card.description).toBe('Maren Holt likes tea. Maren Holt likes storms.');
    expect(stored?.statements.map((s) => s.text)).toEqual(['Maren Holt likes tea.', 'Maren Holt likes storms.']);
  });

  it('a finish that fails keeps the draft (both or neither)', async () => {
    const repo = new InterviewRepository(db);
    const d = draft();
    await repo.save(d);
    // A name past the stored limit fails the stored-character schema.
    const broken = { ...d, answers: { ...d.answers, name: 'x'.repeat(100_000) } };
    await expect(repo.finish(broken)).rejects.toThrow();
    expect(await repo.get('i1')).toEqual(d);
    expect(await new CharacterRepository(db).list()).toEqual([]);
  });
});

describe('schema v4 (interviews), opened by the current schema', () => {
  it('opens a v3 database, keeps its data and adds the interviews table', async () => {
    const oldName = `${name}-v3`;
    const v3 = new Dexie(oldName);
    v3.version(1).stores({ characters: 'id, updatedAt', chats: 'id, characterId, updatedAt', messages: 'id, chatId, [chatId+order]', settings: 'key' });
    v3.version(2).stores({ chats: 'id, characterId, updatedAt, [characterId+updatedAt]', verdicts: 'id, messageId, chatId' });
    v3.version(3).stores({});
    await v3.open();
    await v3.table('characters').put({ id: 'c1', card: { name: 'Old' }, avatar: null, statements: [], createdAt: 1, updatedAt: 1 });
    v3.close();

    const upgraded = new StudioDb(oldName);
    try {
      await upgraded.open();
      expect(upgraded.verno).toBe(7);
      expect((await upgraded.characters.get('c1'))?.card.name).toBe('Old');
      const repo = new InterviewRepository(upgraded);
      expect(await repo.latest()).toBeUndefined();
      await repo.save(newInterviewDraft(1, 'i1'));
      expect((await repo.get('i1'))?.id).toBe('i1');
    } finally {
      upgraded.close();
      await Dexie.delete(oldName);
    }
  });
});
