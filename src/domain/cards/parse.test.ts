import { describe, expect, it } from 'vitest';
import { emptyCardData } from '../character.ts';
import { UNKNOWN_FIELDS_KEY } from './coerce.ts';
import { encodeBase64Utf8 } from './encoding.ts';
import { CardParseError, type CardParseReason } from './errors.ts';
import { MAX_CARD_FILE_BYTES, parseCardFile, parseCardJson, parseImportJson, type ImportResult } from './parse.ts';
import { readPngTextChunks } from './png.ts';
import { localFixture, localJson } from './testdata/fixtures.ts';
import { textChunk, tinyPng } from './testdata/tinyPng.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

function reasonOf(fn: () => unknown): CardParseReason | 'no error' | 'other error' {
  try {
    fn();
    return 'no error';
  } catch (error) {
    return error instanceof CardParseError ? error.reason : 'other error';
  }
}

function asCard(result: ImportResult) {
  if (result.kind !== 'card') throw new Error(`expected a card, got ${result.kind}`);
  return result;
}

function asLorebook(result: ImportResult) {
  if (result.kind !== 'lorebook') throw new Error(`expected a lorebook, got ${result.kind}`);
  return result;
}

/** A PNG carrying `chara` and/or `ccv3` chunks holding the given JSON values. */
function cardPng(chunks: { chara?: unknown; ccv3?: unknown }): Uint8Array {
  const extra = Object.entries(chunks).map(([k, v]) => textChunk(k, encodeBase64Utf8(JSON.stringify(v))));
  return tinyPng(0x80, extra);
}

describe('parseCardJson: layouts', () => {
  it('reads a V1 card, mapping SillyTavern extras and dropping app state', () => {
    const { card, spec } = parseCardJson(localJson('v1-card.json'));
    expect(spec).toBe('v1');
    expect(card.name).toBe('Mira');
    expect(card.first_mes).toBe('*Mira opens the door.* "Come in, quickly."');
    expect(card.mes_example).toContain('<START>');
    expect(card.creator_notes).toBe('A V1 card as old SillyTavern exported it.');
    expect(card.tags).toEqual(['lighthouse', 'storm']);
    expect(card.extensions).toEqual({});
    expect(Object.keys(card).sort()).toEqual(Object.keys(emptyCardData()).sort());
  });

  it('reads every field of a V3 card and keeps unknown things', () => {
    const { card, spec } = parseCardJson(localJson('v3-card.json'));
    expect(spec).toBe('v3');
    expect(card.name).toBe('Zoë the Fox 🦊');
    expect(card.nickname).toBe('Zoë');
    expect(card.creator_notes_multilingual).toEqual({ en: 'English notes', ja: '日本語のノート' });
    expect(card.group_only_greetings).toEqual(['Hello, everyone.']);
    expect(card.alternate_greetings).toHaveLength(2);
    expect(card.assets).toEqual([{ type: 'icon', uri: 'ccdefault:', name: 'main', ext: 'png' }]);
    expect(card.source).toEqual(['https://example.invalid/zoe']);
    expect(card.creation_date).toBe(1700000000);
    expect(card.modification_date).toBe(1700000500);
    expect(card.extensions).toEqual({
      talkativeness: '0.5',
      depth_prompt: { prompt: 'Stay foxy.', depth: 4, role: 'system' },
      some_tool: { nested: { deep: [true, null, 'x'] } },
      [UNKNOWN_FIELDS_KEY]: { x_other_tool_field: { kept: [1, 2, 3] } },
    });

    const book = card.character_book!;
    expect(book).toMatchObject({ name: 'Fox lore', scan_depth: 4, token_budget: 512, recursive_scanning: true });
    expect(book.extensions).toEqual({ book_tool: { v: 1 }, [UNKNOWN_FIELDS_KEY]: { x_book_field: 'kept' } });
    const [first, second] = book.entries;
    // Decorators are content, kept byte for byte.
    expect(first!.content).toBe('@@depth 4\n@@role system\nThe shrine sits on the hill.');
    expect(second!.content).toBe('@@activate_only_after 2\nFoxes have nine tails.');
    // The missing id is assigned above the largest existing one.
    expect(first!.id).toBe(10);
    expect(second!.id).toBe(9);
    expect(first!.insertion_order).toBe(5);
    expect(first!.extensions).toEqual({ tool: { weight: 0.5 }, [UNKNOWN_FIELDS_KEY]: { x_entry_field: 7 } });
    expect(second).toMatchObject({
      keys: ['/fox(es)?/i'],
      secondary_keys: ['tail'],
      enabled: false,
      case_sensitive: true,
      use_regex: true,
      constant: true,
      selective: true,
      priority: 3,
      position: 'after_char',
      name: 'Foxes',
      comment: 'regex entry',
      extensions: {},
    });
  });

  it('prefers data over the mirrored V1 fields, and falls back to them', () => {
    const { card, spec } = parseCardJson({
      name: 'Top',
      description: 'top description',
      spec: 'chara_card_v2',
      data: { name: 'Data', description: null },
    });
    expect(spec).toBe('v2');
    expect(card.name).toBe('Data');
    expect(card.description).toBe('top description');
  });

  it('is lenient with nulls, strings for numbers and odd types', () => {
    const { card } = parseCardJson({
      spec: 'chara_card_v2',
      data: {
        name: 'Lenient',
        description: null,
        tags: null,
        character_book: null,
        alternate_greetings: 'just one, with a comma',
        extensions: null,
        character_version: 2,
        creation_date: '1700000000123',
      },
    });
    expect(card.description).toBe('');
    expect(card.tags).toEqual([]);
    expect(card.character_book).toBeNull();
    expect(card.alternate_greetings).toEqual(['just one, with a comma']);
    expect(card.extensions).toEqual({});
    expect(card.character_version).toBe('2');
    // Milliseconds are recognised and turned into the V3 unit (seconds).
    expect(card.creation_date).toBe(1700000000);
    expect(card.modification_date).toBeNull();
  });

  it('reads lenient lorebook entries and keeps ids unique', () => {
    const { card } = parseCardJson({
      spec: 'chara_card_v2',
      data: {
        name: 'Book',
        character_book: {
          entries: [
            { id: '3', keys: 'a, b', content: 'x', enabled: 'false', insertion_order: '7', position: 1 },
            { id: 3, keys: ['c'], content: 'y' },
            { keys: null, content: null },
            'not an entry',
          ],
        },
      },
    });
    const entries = card.character_book!.entries;
    expect(entries.map((e) => e.id)).toEqual([3, 4, 5]);
    expect(entries[0]).toMatchObject({ keys: ['a', 'b'], enabled: false, insertion_order: 7, position: 'after_char' });
    expect(entries[2]).toMatchObject({ keys: [], content: '', enabled: true, use_regex: false });
  });

  it('says what is not a card', () => {
    for (const value of [{ foo: 1 }, [], 42, null, 'a string', true, { name: '' }, { data: { foo: 1 } }]) {
      expect(reasonOf(() => parseCardJson(value)), JSON.stringify(value)).toBe('not-a-card');
    }
    expect(reasonOf(() => parseCardJson({ spec: 'lorebook_v3', data: { entries: [] } }))).toBe('not-a-card');
  });

  it('accepts an explicitly declared card even when it is blank', () => {
    expect(parseCardJson({ spec: 'chara_card_v3', spec_version: '3.0', data: {} }).card).toEqual(emptyCardData());
  });
});

describe('hostile text', () => {
  it('keeps markup and links as plain text, byte for byte', () => {
    const raw = localJson('hostile.json') as { data: Record<string, unknown> };
    const result = asCard(parseCardFile('hostile.json', localFixture('hostile.json')));
    const { card } = result;
    expect(card.name).toBe('<script>alert(1)</script>');
    expect(card.description).toBe('<img src=x onerror=alert(1)>');
    expect(card.first_mes).toBe('[link](javascript:alert(1))');
    for (const field of ['personality', 'scenario', 'mes_example', 'creator_notes'] as const) {
      expect(card[field]).toBe(raw.data[field]);
    }
    expect(card.personality).toContain('\u0000');
    expect(card.alternate_greetings).toEqual(['<svg onload=alert(1)>']);
  });

  it('keeps a "__proto__" key as data without touching prototypes', () => {
    const { card } = asCard(parseCardFile('hostile.json', localFixture('hostile.json')));
    expect(Object.getPrototypeOf(card.extensions)).toBe(Object.prototype);
    expect(Object.keys(card.extensions)).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('survives a trip through a PNG', () => {
    const json = localJson('hostile.json');
    const { card } = asCard(parseCardFile('hostile.png', cardPng({ chara: json })));
    expect(card).toEqual(parseCardJson(json).card);
  });
});

describe('parseCardFile: PNG', () => {
  const v2 = (name: string) => ({ spec: 'chara_card_v2', spec_version: '2.0', data: { name } });
  const v3 = (name: string) => ({ spec: 'chara_card_v3', spec_version: '3.0', data: { name } });

  it('prefers ccv3 over chara, whatever the chunk order', () => {
    const png = tinyPng(0, [
      textChunk('ccv3', encodeBase64Utf8(JSON.stringify(v3('From ccv3')))),
      textChunk('chara', encodeBase64Utf8(JSON.stringify(v2('From chara')))),
    ]);
    const result = asCard(parseCardFile('card.png', png));
    expect(result.card.name).toBe('From ccv3');
    expect(result.spec).toBe('v3');
    expect(asCard(parseCardFile('card.png', cardPng({ chara: v2('From chara'), ccv3: v3('New') }))).card.name).toBe('New');
  });

  it('falls back to chara when ccv3 is damaged', () => {
    const png = tinyPng(0, [textChunk('chara', encodeBase64Utf8(JSON.stringify(v2('Good')))), textChunk('ccv3', '%%%')]);
    expect(asCard(parseCardFile('card.png', png)).card.name).toBe('Good');
  });

  it('decodes UTF-8 inside the base64 (not latin-1)', () => {
    const { card } = asCard(parseCardFile('card.png', cardPng({ chara: localJson('v3-card.json') })));
    expect(card.name).toBe('Zoë the Fox 🦊');
    expect(card.creator_notes_multilingual.ja).toBe('日本語のノート');
  });

  it('accepts raw JSON in a chara chunk, as a few old tools wrote it', () => {
    const json = JSON.stringify(v2('Raw Zoë'));
    const latin1 = String.fromCharCode(...utf8(json));
    const { card } = asCard(parseCardFile('card.png', tinyPng(0, [textChunk('chara', latin1)])));
    expect(card.name).toBe('Raw Zoë');
  });

  it('returns the image without its card chunks', () => {
    const result = asCard(parseCardFile('card.png', cardPng({ chara: v2('A'), ccv3: v3('A') })));
    expect(result.image).toEqual(tinyPng(0x80));
    expect(readPngTextChunks(result.image!)).toEqual([]);
  });

  it('sniffs bytes, not names', () => {
    expect(parseCardFile('card.json', cardPng({ chara: v2('Misnamed') })).kind).toBe('card');
    expect(reasonOf(() => parseCardFile('card.png', utf8(JSON.stringify(v2('x')))))).toBe('not-png');
    expect(parseCardFile('card.txt', utf8(JSON.stringify(v2('x')))).kind).toBe('card');
  });

  it('reports malformed PNG cards', () => {
    const truncated = cardPng({ chara: v2('x') }).subarray(0, 60);
    expect(reasonOf(() => parseCardFile('t.png', truncated))).toBe('truncated-png');
    expect(reasonOf(() => parseCardFile('plain.png', tinyPng()))).toBe('no-card-in-png');
    expect(reasonOf(() => parseCardFile('b.png', tinyPng(0, [textChunk('chara', '!!not base64!!')])))).toBe('bad-base64');
    const notUtf8 = btoa(String.fromCharCode(0x7b, 0xff, 0xfe, 0x7d));
    expect(reasonOf(() => parseCardFile('u.png', tinyPng(0, [textChunk('chara', notUtf8)])))).toBe('bad-utf8');
    expect(reasonOf(() => parseCardFile('j.png', tinyPng(0, [textChunk('chara', btoa('{"name": ')) ])))).toBe('invalid-json');
    expect(reasonOf(() => parseCardFile('n.png', cardPng({ chara: { foo: 1 } })))).toBe('not-a-card');
  });
});

describe('parseCardFile: JSON and limits', () => {
  it('reads JSON cards, with or without a BOM', () => {
    const bytes = localFixture('v3-card.json');
    expect(asCard(parseCardFile('v3-card.json', bytes)).spec).toBe('v3');
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
    expect(asCard(parseCardFile('v3-card.json', withBom)).card.name).toBe('Zoë the Fox 🦊');
  });

  it('reports invalid JSON, non-cards and non-UTF-8 text', () => {
    expect(reasonOf(() => parseCardFile('a.json', utf8('{"name": "x",')))).toBe('invalid-json');
    expect(reasonOf(() => parseCardFile('a.json', utf8('')))).toBe('invalid-json');
    for (const text of ['{"foo":1}', '[]', '42', 'null', '"card"']) {
      expect(reasonOf(() => parseCardFile('a.json', utf8(text))), text).toBe('not-a-card');
    }
    expect(reasonOf(() => parseCardFile('a.json', Uint8Array.of(0x7b, 0xff, 0x7d)))).toBe('bad-utf8');
  });

  it('names other formats instead of calling them bad JSON', () => {
    expect(reasonOf(() => parseCardFile('a.jpg', Uint8Array.of(0xff, 0xd8, 0xff, 0xe0)))).toBe('unsupported-format');
    const webp = utf8('RIFF\0\0\0\0WEBPVP8 ');
    expect(reasonOf(() => parseCardFile('a.webp', webp))).toBe('unsupported-format');
    expect(reasonOf(() => parseCardFile('a.charx', Uint8Array.of(0x50, 0x4b, 0x03, 0x04)))).toBe('unsupported-format');
  });

  it('refuses oversized input before looking at it', () => {
    const big = new Uint8Array(MAX_CARD_FILE_BYTES + 1);
    expect(reasonOf(() => parseCardFile('big.png', big))).toBe('too-large');
    // Exactly at the limit is looked at (and here fails for another reason).
    expect(reasonOf(() => parseCardFile('big.json', new Uint8Array(MAX_CARD_FILE_BYTES)))).toBe('invalid-json');
  });

  it('gives errors a name, a reason and a message', () => {
    try {
      parseCardFile('a.json', utf8('[]'));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CardParseError);
      expect(error).toBeInstanceOf(Error);
      const e = error as CardParseError;
      expect(e.name).toBe('CardParseError');
      expect(e.reason).toBe('not-a-card');
      expect(e.message).toMatch(/not a character card/);
    }
  });
});

describe('lorebook files', () => {
  const worldInfo = {
    entries: {
      '0': { uid: 0, key: ['moon'], keysecondary: ['night'], content: 'The moon is red.', comment: 'Moon', constant: true, selective: true, order: 50, position: 1, disable: true, probability: 80, depth: 2 },
      '1': { uid: 1, key: ['sun'], content: 'The sun is cold.', position: 4, caseSensitive: null },
    },
  };

  it('reads SillyTavern world info, naming it after the file', () => {
    const { lorebook, name } = asLorebook(parseCardFile('Moon Lore.json', utf8(JSON.stringify(worldInfo))));
    expect(name).toBe('Moon Lore');
    expect(lorebook.name).toBe('Moon Lore');
    expect(lorebook.entries[0]).toEqual({
      id: 0,
      keys: ['moon'],
      secondary_keys: ['night'],
      content: 'The moon is red.',
      enabled: false,
      constant: true,
      selective: true,
      use_regex: false,
      case_sensitive: false,
      insertion_order: 50,
      priority: 10,
      position: 'after_char',
      name: '',
      comment: 'Moon',
      extensions: { position: 1, probability: 80, depth: 2 },
    });
    expect(lorebook.entries[1]).toMatchObject({ id: 1, position: 'after_char', extensions: { position: 4 } });
  });

  it('keeps a world-info file that has its own name a lorebook', () => {
    const result = asLorebook(parseImportJson({ ...worldInfo, name: 'Named' }, 'file.json'));
    expect(result.name).toBe('Named');
  });

  it('reads a V3 lorebook file', () => {
    const v3 = { spec: 'lorebook_v3', data: { name: 'V3 book', entries: [{ keys: ['k'], content: 'c', use_regex: true }] } };
    const { lorebook } = asLorebook(parseImportJson(v3, 'x.json'));
    expect(lorebook.name).toBe('V3 book');
    expect(lorebook.entries[0]).toMatchObject({ id: 0, keys: ['k'], content: 'c', use_regex: true });
  });
});
