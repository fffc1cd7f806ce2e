/**
 * Fuzz (fast-check) over everything that enters storage from a file: card
 * import (JSON and PNG paths, parsed and then admitted by the schema) and
 * backup validation. Properties:
 * - no crash: the only errors are our named ones (CardParseError, BackupFormatError);
 * - no unvalidated write: whatever would be stored passes the schema of its
 *   stored shape, and the library's own formatting (search, summary, name)
 *   and the card export work on it;
 * - linear time on adversarial input (nesting, long strings): 10× the input
 *   costs at most ~12× the time.
 * Restores into IndexedDB are fuzzed in db/restore.fuzz.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { CardParseError, cardToJsonText, encodeBase64, parseCardFile, writeCardPng } from '../cards';
import { backup, cardJson } from './testdata/arbitraries';
import { textChunk, tinyPng } from '../cards/testdata/tinyPng';
import type { Character } from '../character';
import { displayName, filterCharacters, shortDescription } from '../library';
import { msPerCall, repeatTo, type Growth } from '../../test/linearity';
import { BackupFormatError, validateBackup } from './backup';
import { admitCard, CardDataSchema } from './card';
import { CharacterSchema } from './character';
import { ChatSchema, MessageSchema } from './chat';
import { readVerdictRecord } from './records';

/** Cases per property: 10,000 per run here, plus the IndexedDB restores of db/restore.fuzz.test.ts. */
const RUNS = { json: 4000, png: 2000, backup: 4000 };

const asCharacter = (card: Character['card']): Character => ({ id: 'x', card, avatar: null, statements: [], createdAt: 0, updatedAt: 0 });

/** What the library does with a stored card: must not throw. */
function rendersInLibrary(c: Character): void {
  expect(typeof displayName(c)).toBe('string');
  expect(typeof shortDescription(c)).toBe('string');
  filterCharacters([c], 'a');
  filterCharacters([c], '#b');
}

/** Imports bytes the way the service does (parse, then admit); returns the stored card or null for a named refusal. */
function importBytes(name: string, bytes: Uint8Array): Character['card'] | null {
  try {
    const result = parseCardFile(name, bytes);
    if (result.kind !== 'card') return null;
    return admitCard(result.card).card;
  } catch (e) {
    if (e instanceof CardParseError) return null;
    throw e;
  }
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
      }),
      { numRuns: RUNS.backup },
    );
  });
});

/**
 * time(10 n) / time(n) for `work`, from the fastest of several runs of each
 * size, taken in alternation so a burst of load on this shared machine slows
 * both sizes rather than one. Stops as soon as the ratio is within `bound`.
 */
function growth(work: (input: string) => unknown, makeInput: (n: number) => string, n: number, bound: number): Growth {
  const small = makeInput(n);
  const large = makeInput(10 * n);
  work(small);
  work(large);
  let smallMs = Number.POSITIVE_INFINITY;
  let largeMs = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 8; round++) {
    smallMs = Math.min(smallMs, msPerCall(work, small));
    largeMs = Math.min(largeMs, msPerCall(work, large));
    if (round >= 1 && largeMs / smallMs <= bound) break;
  }
  return { ratio: largeMs / smallMs, smallMs, largeMs };
}

describe('linear time on adversarial input (10× input ≤ ~12× time)', { timeout: 120_000 }, () => {
  /**
   * ~12×, with room for the machine: linear code measured 9–12.4× here, the
   * larger input no longer fitting the CPU caches and the garbage collector
   * working harder; a quadratic step shows ~100×.
   */
  const BOUND = 15;
  const importJson = (text: string) => importBytes('card.json', new TextEncoder().encode(text));
  const expectLinear = (g: Growth) => expect(g.ratio, JSON.stringify(g)).toBeLessThanOrEqual(BOUND);

  it('nesting: many sibling subtrees, each nested just under the limit', () => {
    const unit = `${'['.repeat(120)}"${'x'.repeat(3000)}"${']'.repeat(120)}`;
    const input = (n: number) => `{"name":"N","extensions":{"x":[${Array.from({ length: Math.max(1, Math.round(n / unit.length)) }, () => unit).join(',')}]}}`;
    expectLinear(growth(importJson, input, 300_000, BOUND));
  });

  it('nesting past the limit is refused after the same linear scan', () => {
    // Sizes past the CPU caches: the refusal itself is immediate, the file's decoding is the linear part.
    expectLinear(growth(importJson, (n) => `{"name":"N","d":${'[{"a":'.repeat(n / 6)}`, 500_000, BOUND));
  });

  it('long strings full of escapes, quotes, brackets and separators', () => {
    const input = (n: number) => JSON.stringify({ name: repeatTo('N\\"', n), description: repeatTo('\\"[{,a \\u00e9', n), first_mes: repeatTo('*"“', n), tags: repeatTo(`${'t'.repeat(49)},`, n) });
    expectLinear(growth(importJson, input, 50_000, BOUND));
  });

  it('a backup with many records of the wrong types', () => {
    const record = { id: 'c', card: { name: 1, description: { x: 'y' }, personality: 'p'.repeat(400), tags: 'a,b,c' }, statements: [{}, { text: 1 }], avatar: null, createdAt: '1' };
    const input = (n: number) => JSON.stringify({ format: 'in-character-backup', version: 1, characters: Array.from({ length: Math.max(1, Math.round(n / 560)) }, (_, i) => ({ ...record, id: `c${i}` })), chats: [], messages: [], verdicts: [], settings: [] });
    expectLinear(growth((text) => validateBackup(JSON.parse(text), 1), input, 50_000, BOUND));
  });
});
