/**
 * The real SillyTavern cards in ../shared/fixtures/cards: cards nobody on this
 * project wrote, so they catch what hand-made fixtures would not.
 */
import { describe, expect, it } from 'vitest';
import { parseCardFile, parseCardJson, type ImportResult } from './parse.ts';
import { readPngChunks, readPngTextChunks } from './png.ts';
import { SHARED_CARD_PNGS, sharedCard } from './testdata/fixtures.ts';
import { tinyPng } from './testdata/tinyPng.ts';
import { toCardV2, writeCardPng } from './write.ts';

function card(result: ImportResult) {
  if (result.kind !== 'card') throw new Error(`expected a card, got ${result.kind}`);
  return result;
}

const load = (file: string) => card(parseCardFile(file, sharedCard(file)));

describe('default_Seraphina.png', () => {
  const result = load('default_Seraphina.png');

  it('reads the V2 card and its 4-entry lorebook', () => {
    expect(result.spec).toBe('v2');
    expect(result.card.name).toBe('Seraphina');
    expect(result.card.description).toContain('amber eyes');
    expect(result.card.description).toContain('\r\n'); // text kept as written
    expect(result.card.creator).toBe('OtisAlejandro');
    expect(result.card.creator_notes).toBe('ST Default Bot contest winner: roleplay bots category');
    expect(result.card.extensions).toEqual({ talkativeness: '0.5', fav: false, world: 'Eldoria' });
    const book = result.card.character_book!;
    expect(book.name).toBe('Eldoria');
    expect(book.entries).toHaveLength(4);
    expect(book.entries.map((e) => e.id)).toEqual([0, 1, 2, 3]);
    expect(book.entries[0]).toMatchObject({
      keys: ['eldoria', 'wood', 'forest', 'magical forest'],
      enabled: true,
      position: 'before_char',
      insertion_order: 100,
      extensions: { position: 0, probability: null, useProbability: false },
    });
  });

  it('returns the avatar image without the card chunk', () => {
    const image = result.image!;
    expect(readPngTextChunks(image)).toEqual([]);
    const original = readPngChunks(sharedCard('default_Seraphina.png'));
    expect(readPngChunks(image).map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    // Buffer.equals: vitest's element-wise toEqual takes seconds on 0.5 MB.
    expect(Buffer.from(readPngChunks(image)[1]!.data).equals(original[1]!.data)).toBe(true);
  });
});

describe('default_FluxTheCat.png and default_CodingSensei.png', () => {
  it('reads Flux the Cat', () => {
    const { card: flux } = load('default_FluxTheCat.png');
    expect(flux.name).toBe('Flux the Cat');
    expect(flux.character_book).toBeNull();
    expect(flux.creator).toBe('@kallmeflocc on Discord');
    expect(flux.post_history_instructions).toContain('{{char}}');
    expect(flux.tags).toEqual([]);
  });

  it('reads Coding Sensei with its nested extension kept verbatim', () => {
    const { card: sensei } = load('default_CodingSensei.png');
    expect(sensei.name).toBe('Coding Sensei');
    expect(sensei.tags).toEqual(['coding', 'utility', 'assistant']);
    expect(sensei.first_mes).toContain('```js\r\n');
    expect(sensei.extensions.depth_prompt).toEqual({ prompt: '', depth: 4, role: 'system' });
  });
});

describe('Eldoria.json (SillyTavern world info)', () => {
  const result = parseCardFile('Eldoria.json', sharedCard('Eldoria.json'));

  it('is a lorebook with keys, content and flags', () => {
    if (result.kind !== 'lorebook') throw new Error('expected a lorebook');
    const { lorebook, name } = result;
    expect(name).toBe('Eldoria');
    expect(lorebook.entries).toHaveLength(4);
    expect(lorebook.entries.map((e) => e.id)).toEqual([0, 1, 2, 3]);
    expect(lorebook.entries[1]!.keys).toEqual(['shadowfang', 'beast', 'monster', 'monsters', 'beasts']);
    expect(lorebook.entries[0]!.content).toMatch(/^\{\{user\}\}: "What is Eldoria\?"/);
    for (const entry of lorebook.entries) {
      expect(entry).toMatchObject({
        secondary_keys: [],
        enabled: true,
        constant: false,
        selective: false,
        insertion_order: 100,
        position: 'before_char',
      });
    }
  });

  it('matches the book SillyTavern embedded in Seraphina', () => {
    if (result.kind !== 'lorebook') throw new Error('expected a lorebook');
    const embedded = load('default_Seraphina.png').card.character_book!;
    const strip = (e: { keys: string[]; content: string; id: number }) => ({ id: e.id, keys: e.keys, content: e.content });
    expect(result.lorebook.entries.map(strip)).toEqual(embedded.entries.map(strip));
  });
});

describe('real cards round trip', () => {
  for (const file of SHARED_CARD_PNGS) {
    it(`${file}: PNG → card → PNG → card is lossless`, () => {
      const first = load(file);
      const written = writeCardPng(first.image!, first.card);
      const second = card(parseCardFile(file, written));
      expect(second.card).toEqual(first.card);
      expect(second.spec).toBe('v3');
      // These cards have no V3-only fields, so the V2 copy alone is lossless too.
      expect(parseCardJson(toCardV2(first.card)).card).toEqual(first.card);
    });
  }

  it('a real card rewritten onto another image', () => {
    const first = load('default_CodingSensei.png');
    const second = card(parseCardFile('x.png', writeCardPng(tinyPng(), first.card)));
    expect(second.card).toEqual(first.card);
  });
});
