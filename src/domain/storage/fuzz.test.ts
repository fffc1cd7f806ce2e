/**
 * Fuzz (fast-check) over everything that enters storage from a file: card
 * import (JSON and PNG paths, parsed and then admitted by the schema) and
 * backup validation (audit runs and interview drafts included). Properties:
 * - no crash: the only errors are our named ones (CardParseError, BackupFormatError);
 * - no unvalidated write: whatever would be stored passes the schema of its
 *   stored shape, and the library's own formatting (search, summary, name)
 *   and the card export work on it;
 * Linear time on adversarial input is checked in fuzz.linear.test.ts.
 * Restores into IndexedDB are fuzzed in db/restore.fuzz.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importBytes } from './testdata/importBytes';
import * as v from 'valibot';
import { cardToJsonText, encodeBase64, writeCardPng } from '../cards';
import { backup, cardJson, workbenchBackup } from './testdata/arbitraries';
import { textChunk, tinyPng } from '../cards/testdata/tinyPng';
import type { Character } from '../character';
import { displayName, filterCharacters, libraryEntryOf, shortDescription } from '../library';
import { BackupFormatError, validateBackup } from './backup';
import { CardDataSchema } from './card';
import { CharacterSchema } from './character';
import { ChatSchema, MessageSchema } from './chat';
import { readVerdictRecord } from './records';
import { readAuditRun } from '../audit/run';
import { InterviewDraftSchema } from './interview';

/** Cases per property: 10,000 per run here, plus the IndexedDB restores of db/restore.fuzz.test.ts. */
const RUNS = { json: 4000, png: 2000, backup: 4000, workbench: 2000 };

const asCharacter = (card: Character['card']): Character => ({ id: 'x', card, avatar: null, statements: [], createdAt: 0, updatedAt: 0 });

/** What the library does with a stored card: must not throw. */
function rendersInLibrary(c: Character): void {
  expect(typeof displayName(c)).toBe('string');
  expect(typeof shortDescription(c)).toBe('string');
  const entry = libraryEntryOf(c);
  expect(entry.blurb).toBe(shortDescription(c));
  filterCharacters([entry], 'a');
  filterCharacters([entry], '#b');
}

function checkStoredCard(card: Character['card'] | null): void {
  if (!card) return;
  expect(v.is(CardDataSchema, card)).toBe(true);
  expect(card.name.trim()).not.toBe('');
  rendersInLibrary(asCharacter(card));
  // The studio's own export must work on whatever was stored.
  expect(() => cardToJsonText(card)).not.toThrow();
}

describe('fuzz: card import', { timeout: 120_000 }, () => {
  it(`JSON cards: named errors only, and every stored card passes the schema and renders (${RUNS.json} cases)`, () => {
    fc.assert(
      fc.property(cardJson, (value) => {
        checkStoredCard(importBytes('card.json', new TextEncoder().encode(JSON.stringify(value) ?? 'null')));
      }),
      { numRuns: RUNS.json },
    );
  });

  it(`PNG cards: any chunk content, truncation or corruption (${RUNS.png} cases)`, () => {
    const utf8 = new TextEncoder();
    const png = fc.tuple(cardJson, fc.constantFrom('chara', 'ccv3', 'both'), fc.constantFrom('base64', 'raw', 'garbage'), fc.option(fc.nat(), { freq: 3 }), fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }))));
    fc.assert(
      fc.property(png, ([value, keyword, encoding, truncateAt, flip]) => {
        const json = JSON.stringify(value) ?? 'null';
        const text = encoding === 'base64' ? encodeBase64(utf8.encode(json)) : encoding === 'raw' ? json.replace(/[^\x20-\x7e]/g, '?') : '@@not base64@@';
        const chunks = keyword === 'both' ? [textChunk('chara', text), textChunk('ccv3', text)] : [textChunk(keyword, text)];
        let bytes = tinyPng(0x80, chunks);
        if (truncateAt !== null) bytes = bytes.subarray(0, truncateAt % (bytes.length + 1));
        if (flip !== null && bytes.length > 0) {
          bytes = bytes.slice();
          bytes[flip[0] % bytes.length] = flip[1];
        }
        const card = importBytes('card.png', bytes);
        checkStoredCard(card);
        if (card) expect(() => writeCardPng(tinyPng(), card)).not.toThrow();
      }),
      { numRuns: RUNS.png },
    );
  });
});

describe('fuzz: backup validation', { timeout: 120_000 }, () => {
  it(`named errors only; every record it would write passes its schema and renders (${RUNS.backup} cases)`, () => {
    fc.assert(
      fc.property(backup, (value) => {
        let validated;
        try {
          validated = validateBackup(JSON.parse(JSON.stringify(value)), 1000);
        } catch (e) {
          if (e instanceof BackupFormatError) return;
          throw e;
        }
        for (const c of validated.characters) {
          expect(v.is(CharacterSchema, c)).toBe(true);
          rendersInLibrary(c);
          expect(() => cardToJsonText(c.card)).not.toThrow();
        }
        for (const c of validated.chats) expect(v.is(ChatSchema, c)).toBe(true);
        for (const m of validated.messages) expect(v.is(MessageSchema, m)).toBe(true);
        for (const r of validated.verdicts) expect(readVerdictRecord(r)).not.toBeNull();
        for (const [, a] of validated.avatars) expect(['png', 'jpeg', 'webp', 'gif']).toContain(a.kind);
        const characterIds = new Set(validated.characters.map((c) => c.id));
        for (const r of validated.audits) {
          expect(readAuditRun(r)).toEqual(r);
          expect(characterIds.has(r.characterId)).toBe(true);
        }
        for (const d of validated.interviews) expect(v.is(InterviewDraftSchema, d)).toBe(true);
      }),
      { numRuns: RUNS.backup },
    );
  });

  it(`audit runs and interview drafts: each kept one reads back as it is and has its character; the rest is named (${RUNS.workbench} cases)`, () => {
    let kept = 0;
    fc.assert(
      fc.property(workbenchBackup, (value) => {
        const raw = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
        const validated = validateBackup(raw, 1000);
        for (const r of validated.audits) {
          expect(readAuditRun(r)).toEqual(r);
          expect(['a', 'b']).toContain(r.characterId);
        }
        for (const d of validated.interviews) expect(v.is(InterviewDraftSchema, d)).toBe(true);
        kept += validated.audits.length + validated.interviews.length;
        // Nothing vanishes unnamed: a record left out is named in the notes (orphan runs by count).
        const given = (key: string) => (Array.isArray(raw[key]) ? (raw[key] as unknown[]).length : 0);
        const leftOut = given('audits') + given('interviews') - validated.audits.length - validated.interviews.length;
        if (leftOut > 0) expect(validated.notes.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS.workbench },
    );
    // The generator must reach the restore path, not only the refusals.
    expect(kept).toBeGreaterThan(RUNS.workbench / 2);
  });
});
