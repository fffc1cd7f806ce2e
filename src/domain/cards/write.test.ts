import { describe, expect, it } from 'vitest';
import { emptyCardData, emptyLorebook, emptyLorebookEntry, type CardData } from '../character.ts';
import { UNKNOWN_FIELDS_KEY } from './coerce.ts';
import { CardParseError } from './errors.ts';
import { toLorebookV3 } from './lorebook.ts';
import { parseCardFile, parseCardJson, parseImportJson } from './parse.ts';
import { readPngChunks, readPngTextChunks } from './png.ts';
import { localJson } from './testdata/fixtures.ts';
import { textChunk, tinyPng } from './testdata/tinyPng.ts';
import { cardToJsonText, toCardV2, toCardV3, writeCardPng } from './write.ts';

const LOCAL_CARDS = ['v1-card.json', 'v3-card.json', 'hostile.json'];

function cardFromPng(png: Uint8Array): CardData {
  const result = parseCardFile('card.png', png);
  if (result.kind !== 'card') throw new Error('expected a card');
  return result.card;
}

/** Paths of every null or undefined value inside `value`. */
function nullPaths(value: unknown, path = '$'): string[] {
  if (value === null || value === undefined) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => nullPaths(v, `${path}[${i}]`));
  if (typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (path.includes('.extensions') ? [] : nullPaths(v, `${path}.${k}`)));
  }
  return [];
}

describe('toCardV3', () => {
  const { card } = parseCardJson(localJson('v3-card.json'));
  const json = toCardV3(card);

  it('writes the V3 envelope with the required fields', () => {
    expect(json.spec).toBe('chara_card_v3');
    expect(json.spec_version).toBe('3.0');
    expect(json.data.group_only_greetings).toEqual(['Hello, everyone.']);
    expect(json.data.character_book!.entries.every((e) => typeof e.use_regex === 'boolean')).toBe(true);
    expect(json.data.nickname).toBe('Zoë');
    expect(json.data.creation_date).toBe(1700000000);
  });

  it('puts parked unknown fields back where they came from', () => {
    expect(json.data.x_other_tool_field).toEqual({ kept: [1, 2, 3] });
    expect(json.data.extensions).not.toHaveProperty(UNKNOWN_FIELDS_KEY);
    expect(json.data.character_book!.x_book_field).toBe('kept');
    expect(json.data.character_book!.extensions).toEqual({ book_tool: { v: 1 } });
    expect(json.data.character_book!.entries[0]!.x_entry_field).toBe(7);
    expect(json.data.character_book!.entries[0]!.extensions).toEqual({ tool: { weight: 0.5 } });
  });

  it('never lets a parked field overwrite a modelled one', () => {
    const sneaky = { ...emptyCardData('Real'), extensions: { [UNKNOWN_FIELDS_KEY]: { name: 'Fake', extra: 1 } } };
    const data = toCardV3(sneaky).data;
    expect(data.name).toBe('Real');
    expect(data.extra).toBe(1);
  });

  it('writes no nulls (V3 has none) and omits empty optional values', () => {
    const blank = toCardV3(emptyCardData('Blank'));
    expect(nullPaths(blank)).toEqual([]);
    expect(blank.data).not.toHaveProperty('character_book');
    expect(blank.data).not.toHaveProperty('assets');
    expect(blank.data).not.toHaveProperty('creation_date');
    const withBook = toCardV3({ ...emptyCardData('B'), character_book: { ...emptyLorebook(), entries: [emptyLorebookEntry(0)] } });
    expect(nullPaths(withBook)).toEqual([]);
    expect(withBook.data.character_book).not.toHaveProperty('scan_depth');
  });
});

describe('toCardV2', () => {
  const { card } = parseCardJson(localJson('v3-card.json'));
  const json = toCardV2(card);

  it('mirrors the V1 fields at the top level for old readers', () => {
    expect(json.spec).toBe('chara_card_v2');
    expect(json.spec_version).toBe('2.0');
    expect(json.name).toBe(card.name);
    expect(json.first_mes).toBe(card.first_mes);
    expect(json.description).toBe(card.description);
  });

  it('writes V2 fields only', () => {
    for (const v3Only of ['nickname', 'group_only_greetings', 'assets', 'source', 'creation_date', 'creator_notes_multilingual']) {
      expect(json.data).not.toHaveProperty(v3Only);
    }
    expect(json.data.character_book!.entries[0]).not.toHaveProperty('use_regex');
    expect(json.data.extensions).toEqual(toCardV3(card).data.extensions);
  });

  it('is read back as V2 with the V2 fields intact', () => {
    const back = parseCardJson(JSON.parse(JSON.stringify(json)));
    expect(back.spec).toBe('v2');
    expect(back.card).toEqual({
      ...card,
      nickname: '',
      group_only_greetings: [],
      assets: [],
      source: [],
      creation_date: null,
      modification_date: null,
      creator_notes_multilingual: {},
      character_book: {
        ...card.character_book!,
        entries: card.character_book!.entries.map((e) => ({ ...e, use_regex: false })),
      },
    });
  });
});

describe('writeCardPng', () => {
  const { card } = parseCardJson(localJson('v3-card.json'));

  it('writes one chara (V2) and one ccv3 (V3) chunk before IEND, keeping the image', () => {
    const image = tinyPng(0x10, [textChunk('Software', 'paint'), textChunk('chara', 'stale')]);
    const png = writeCardPng(image, card);
    const texts = readPngTextChunks(png);
    expect(texts.map((t) => t.keyword)).toEqual(['Software', 'chara', 'ccv3']);
    const decode = (b64: string) => JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))));
    expect(decode(texts[1]!.text)).toEqual(JSON.parse(JSON.stringify(toCardV2(card))));
    expect(decode(texts[2]!.text)).toEqual(JSON.parse(JSON.stringify(toCardV3(card))));
    const chunks = readPngChunks(png);
    expect(chunks.at(-1)!.type).toBe('IEND');
    expect(chunks[1]!.data).toEqual(readPngChunks(image)[1]!.data);
    // Writing again replaces rather than adds.
    expect(readPngTextChunks(writeCardPng(png, card))).toEqual(texts);
  });

  it('refuses an image that is not a PNG', () => {
    expect(() => writeCardPng(new Uint8Array([1, 2, 3]), card)).toThrow(CardParseError);
  });
});

describe('round trip: parse(write(parse(x))) equals parse(x)', () => {
  for (const file of LOCAL_CARDS) {
    it(`${file} through PNG, V3 JSON text and V3 object`, () => {
      const first = parseCardJson(localJson(file)).card;
      expect(cardFromPng(writeCardPng(tinyPng(), first))).toEqual(first);
      expect(parseCardJson(JSON.parse(cardToJsonText(first))).card).toEqual(first);
      expect(parseCardJson(toCardV3(first)).card).toEqual(first);
    });
  }

  it('a SillyTavern world-info book embedded in a card, and as a V3 lorebook file', () => {
    const worldInfo = {
      entries: { '0': { uid: 4, key: ['a'], content: 'A', order: 1, position: 2, disable: false, depth: 4, group: 'g' } },
    };
    const imported = parseImportJson(worldInfo, 'Book.json');
    if (imported.kind !== 'lorebook') throw new Error('expected a lorebook');
    const card = { ...emptyCardData('Holder'), character_book: imported.lorebook };
    expect(cardFromPng(writeCardPng(tinyPng(), card))).toEqual(card);
    expect(parseImportJson(JSON.parse(JSON.stringify(toLorebookV3(imported.lorebook))), 'x.json')).toEqual(imported);
  });

  it('cardToJsonText can write V2', () => {
    const { card } = parseCardJson(localJson('v1-card.json'));
    expect(JSON.parse(cardToJsonText(card, 'v2')).spec).toBe('chara_card_v2');
    expect(parseCardJson(JSON.parse(cardToJsonText(card, 'v2'))).card).toEqual(card);
  });
});
