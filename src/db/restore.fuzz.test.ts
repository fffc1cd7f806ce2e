/**
 * Fuzz (fast-check) of backup restore into IndexedDB (fake-indexeddb): for any
 * backup-shaped file, either a named BackupFormatError and an unchanged
 * library, or a restore after which every stored row passes the schema of its
 * stored shape and the library lists and renders. Slower per case than the pure
 * fuzz (domain/storage/fuzz.test.ts), so fewer cases.
 */
import Dexie from 'dexie';
import fc from 'fast-check';
import * as v from 'valibot';
import { afterAll, describe, expect, it } from 'vitest';
import { displayName, shortDescription } from '../domain/library';
import { readAuditRun } from '../domain/audit/run';
import { CharacterSchema, ChatSchema, InterviewDraftSchema, MessageSchema, readVerdictRecord, SETTING_SPECS, isSettingKey, storedTypeFor } from '../domain/storage';
import { backup, workbenchBackup } from '../domain/storage/testdata/arbitraries';
import { parseBackupText, restoreBackup, type RestoreInput } from './backup';
import { BackupFormatError } from './errors';
import { CharacterRepository } from './characters';
import { StudioDb } from './database';

const RUNS = 500;
const NAME = `restore-fuzz-${Date.now()}`;
const db = new StudioDb(NAME);
afterAll(async () => {
  db.close();
  await Dexie.delete(NAME);
});

describe('fuzz: backup restore into IndexedDB', () => {
  it(`writes only rows that pass their schema, and the library still renders (${RUNS} cases)`, { timeout: 180_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(backup, fc.constantFrom<'merge' | 'replace'>('merge', 'replace'), fc.subarray([...Object.keys(SETTING_SPECS), 'nope']), async (value, mode, settings) => {
        const before = await db.characters.count();
        let input: RestoreInput;
        try {
          const validated = parseBackupText(JSON.stringify(value), 1000);
          // TEST DOUBLE for platform/image's re-encoding (no canvas in Node): the sniffed bytes in a Blob of our type.
          const { avatars, ...rest } = validated;
          input = { ...rest, characters: validated.characters.map((c) => (avatars.has(c.id) ? { ...c, avatar: new Blob([avatars.get(c.id)!.bytes], { type: storedTypeFor(avatars.get(c.id)!.kind) }) } : c)) };
        } catch (e) {
          if (!(e instanceof BackupFormatError)) throw e;
          expect(await db.characters.count()).toBe(before);
          return;
        }
        await restoreBackup(db, input, mode, { settings: settings.filter(isSettingKey) });
        for (const row of await db.characters.toArray()) expect(v.is(CharacterSchema, row)).toBe(true);
        for (const row of await db.chats.toArray()) expect(v.is(ChatSchema, row)).toBe(true);
        for (const row of await db.messages.toArray()) expect(v.is(MessageSchema, row)).toBe(true);
        for (const row of await db.verdicts.toArray()) expect(readVerdictRecord(row)).not.toBeNull();
        for (const row of await db.audits.toArray()) expect(readAuditRun(row)).toEqual(row);
        for (const row of await db.interviews.toArray()) expect(v.is(InterviewDraftSchema, row)).toBe(true);
        for (const row of await db.settings.toArray()) {
          expect(isSettingKey(row.key)).toBe(true);
          if (isSettingKey(row.key)) expect(v.is(SETTING_SPECS[row.key].schema, row.value)).toBe(true);
        }
        for (const c of await new CharacterRepository(db).list()) {
          displayName(c);
          shortDescription(c);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`audit runs and interview drafts: only readable ones are written, each run with its character (${RUNS / 2} cases)`, { timeout: 180_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(workbenchBackup, fc.constantFrom<'merge' | 'replace'>('merge', 'replace'), async (value, mode) => {
        const { avatars: _avatars, ...input } = parseBackupText(JSON.stringify(value), 1000);
        await restoreBackup(db, input, mode);
        const characterIds = new Set(await db.characters.toCollection().primaryKeys());
        for (const row of await db.audits.toArray()) {
          expect(readAuditRun(row)).toEqual(row);
          expect(characterIds.has(row.characterId)).toBe(true);
        }
        for (const row of await db.interviews.toArray()) expect(v.is(InterviewDraftSchema, row)).toBe(true);
        if (mode === 'replace') expect(await db.audits.count()).toBe(new Set(input.audits.map((r) => r.id)).size);
      }),
      { numRuns: RUNS / 2 },
    );
  });
});
