/**
 * Test helper (Node only) for persona and prompt tests: decodes the shared
 * real-world SillyTavern cards in ../shared/fixtures/cards without depending on
 * the card parser (domain/cards), so these tests stand on their own. Only the
 * V2 `chara` tEXt chunk is read; missing fields fall back to empty ones.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyCardData, emptyLorebookEntry, type CardData, type LorebookEntry } from '../../character';

const here = path.dirname(fileURLToPath(import.meta.url));
/** src/domain/persona/testdata → project root is four levels up; shared/ sits beside it. */
const CARDS_DIR = path.resolve(here, '../../../..', '../shared/fixtures/cards');

/** The raw JSON in the PNG's `chara` chunk (V2: `{spec, data, ...V1 fields}`). */
export function readCharaJson(file: string): Record<string, unknown> {
  const full = path.join(CARDS_DIR, file);
  if (!existsSync(full)) throw new Error(`Shared card fixture missing: ${full}`);
  const png = readFileSync(full);
  let offset = 8; // PNG signature
  while (offset + 8 <= png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    if (type === 'tEXt') {
      const body = png.subarray(offset + 8, offset + 8 + length);
      const nul = body.indexOf(0);
      if (body.toString('latin1', 0, nul) === 'chara') {
        const json = Buffer.from(body.toString('latin1', nul + 1), 'base64').toString('utf8');
        return JSON.parse(json) as Record<string, unknown>;
      }
    }
    offset += 12 + length; // length + type + data + CRC
  }
  throw new Error(`No chara chunk in ${file}`);
}

/** A shared card's `.data` as normalised CardData (lorebook entries filled in). */
export function loadSharedCard(file: string): CardData {
  const data = readCharaJson(file)['data'] as Partial<CardData> & {
    character_book?: { entries?: Partial<LorebookEntry>[]; name?: string } | null;
  };
  const card: CardData = { ...emptyCardData(), ...data, character_book: null };
  if (data.character_book?.entries) {
    card.character_book = {
      name: data.character_book.name ?? '',
      description: '',
      scan_depth: null,
      token_budget: null,
      recursive_scanning: false,
      extensions: {},
      entries: data.character_book.entries.map((e, i) => ({ ...emptyLorebookEntry(i), ...e })),
    };
  }
  return card;
}
