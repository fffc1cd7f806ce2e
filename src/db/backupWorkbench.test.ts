/**
 * Audit runs and interview drafts in backups (issue 12): exported with the
 * library, validated like every other record, restored with the rest; a
 * backup made before they were backed up still restores.
 */
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_RUN_VERSION, type AuditRun } from '../domain/audit';
import { newStatement } from '../domain/character';
import { INTERVIEW_STEPS, acceptProposal, newInterviewDraft, pendingProposals, setAnswer, type InterviewDraft } from '../domain/interview';
import { sampleVerdict } from '../test/sampleVerdict';
import { AuditRepository } from './audits';
import { exportBackup, parseBackupText, planRestore, restoreBackup, type RestoreInput } from './backup';
import { CharacterRepository } from './characters';
import { StudioDb } from './database';
import { InterviewRepository } from './interviews';

let db: StudioDb;
let other: StudioDb;
let name: string;
let n = 0;

beforeEach(() => {
  name = `backup-workbench-${Date.now()}-${n++}`;
  db = new StudioDb(name);
  other = new StudioDb(`${name}-other`);
});
afterEach(async () => {
  db.close();
  other.close();
  await Dexie.delete(name);
  await Dexie.delete(`${name}-other`);
});

function run(characterId: string, id: string): AuditRun {
  return {
    v: AUDIT_RUN_VERSION,
    id,
    characterId,
    characterName: 'Maren',
    createdAt: 1000,
    finishedAt: 1010,
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

function draft(id: string): InterviewDraft {
  let d = newInterviewDraft(10, id);
  d = setAnswer(d, 'name', 'Ada Quill');
  d = setAnswer(d, 'likes', 'tea\nstorms');
  d = { ...d, step: 6 };
  for (const p of pendingProposals(d, 'preferences')) d = acceptProposal(d, 'preferences', p);
  return d;
}

/** A library with one character, one audit run of it and one interview draft. */
async function seed(target: StudioDb) {
  const maren = await new CharacterRepository(target).create({ card: { name: 'Maren' }, statements: [newStatement('Maren cannot swim.', 'manual')] });
  await new AuditRepository(target).save(run(maren.id, 'run-1'));
  await new InterviewRepository(target).save(draft('draft-1'));
  return maren;
}

/** parseBackupText + the avatar step (these tests have no avatars). */
function read(text: string): RestoreInput {
  const { avatars, ...rest } = parseBackupText(text, 5);
  expect(avatars.size).toBe(0);
  return rest;
}

describe('backup: audit runs and interview drafts', () => {
  it('exports them, plans and restores them into another library as they were', async () => {
    await seed(db);
    const file = await exportBackup(db);
    expect(file.audits!.map((r) => r.id)).toEqual(['run-1']);
    expect(file.interviews!.map((d) => d.id)).toEqual(['draft-1']);
    const input = read(JSON.stringify(file));
    const plan = await planRestore(other, input);
    expect(plan.audits).toEqual({ added: 1, overwritten: 0, onlyInLibrary: 0 });
    expect(plan.interviews).toEqual({ added: 1, overwritten: 0, onlyInLibrary: 0 });
    const counts = await restoreBackup(other, input, 'merge');
    expect(counts).toMatchObject({ characters: 1, audits: 1, interviews: 1 });
    expect(await other.audits.toArray()).toEqual(await db.audits.toArray());
    expect(await new InterviewRepository(other).get('draft-1')).toEqual(await new InterviewRepository(db).get('draft-1'));
    const [character] = await other.characters.toArray();
    expect((await new AuditRepository(other).forCharacter(character!.id)).map((r) => r.id)).toEqual(['run-1']);
  });

  it('restores a backup made before they were backed up: the rest restores, merge keeps the library’s runs and drafts', async () => {
    await seed(db);
    const { audits: _a, interviews: _i, ...older } = await exportBackup(db);
    const input = read(JSON.stringify(older));
    expect(input.audits).toEqual([]);
    expect(input.interviews).toEqual([]);
    expect(input.notes).toEqual([]);
    const maren = await seed(other);
    const plan = await planRestore(other, input);
    expect(plan.audits).toEqual({ added: 0, overwritten: 0, onlyInLibrary: 1 });
    await restoreBackup(other, input, 'merge');
    expect(await other.characters.count()).toBe(2);
    expect((await new AuditRepository(other).forCharacter(maren.id)).map((r) => r.id)).toEqual(['run-1']);
    expect(await other.interviews.count()).toBe(1);
  });

  it('replace deletes the library’s runs and drafts that the backup does not hold', async () => {
    await new CharacterRepository(db).create({ card: { name: 'Ada' } });
    await seed(other);
    const input = read(JSON.stringify(await exportBackup(db)));
    await restoreBackup(other, input, 'replace');
    expect(await other.audits.count()).toBe(0);
    expect(await other.interviews.count()).toBe(0);
    expect((await other.characters.toArray()).map((c) => c.card.name)).toEqual(['Ada']);
  });

  it('validates them like every record: unreadable and orphaned runs left out and named, drafts repaired, a non-list named', async () => {
    const maren = await seed(db);
    const file = await exportBackup(db);
    const broken = {
      ...file,
      audits: [run(maren.id, 'ok'), { ...run(maren.id, 'bad'), status: 'bogus' }, run('nobody', 'orphan'), 'junk'],
      interviews: [{ ...draft('d2'), answers: { name: 7, likes: 'tea' }, step: 99 }, { answers: {} }],
    };
    const input = read(JSON.stringify(broken));
    expect(input.audits.map((r) => r.id)).toEqual(['ok']);
    expect(input.interviews.map((d) => [d.id, d.answers.name, d.answers.likes, d.step])).toEqual([['d2', '', 'tea', INTERVIEW_STEPS.length - 1]]);
    expect(input.notes).toEqual([
      'audit run #2 (“Maren”): not a readable audit run; left out',
      'audit run #4: not a readable audit run; left out',
      '1 audit run of no character in the backup: left out',
      'interview draft #1: some answers had the wrong type, repaired',
      'interview draft #2: has no id; left out',
    ]);
    const notList = read(JSON.stringify({ ...file, audits: { id: 'x' }, interviews: 'nope' }));
    expect(notList.audits).toEqual([]);
    expect(notList.interviews).toEqual([]);
    expect(notList.notes).toEqual(['"audits": expected a list, found an object; left out', '"interviews": expected a list, found text; left out']);
    expect(await restoreBackup(other, input, 'merge')).toMatchObject({ audits: 1, interviews: 1 });
  });
});
