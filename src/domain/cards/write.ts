/**
 * Export: the studio's {@link CardData} → V3 JSON (lossless), V2 JSON (for
 * older readers), and PNG cards carrying both.
 */
import type { CardAsset, CardData } from '../character.ts';
import { takeUnknown, type JsonRecord } from './coerce.ts';
import { encodeBase64Utf8 } from './encoding.ts';
import { lorebookToJson, type LorebookJson } from './lorebook.ts';
import { writePngTextChunks } from './png.ts';

/** `data` of a V2 card as written. Index signature: parked unknown fields are spread back in. */
export interface CardV2DataJson {
  [key: string]: unknown;
  name: string;
  description: string;
  personality: string;
  scenario: string;
  first_mes: string;
  mes_example: string;
  creator_notes: string;
  system_prompt: string;
  post_history_instructions: string;
  alternate_greetings: string[];
  character_book?: LorebookJson;
  tags: string[];
  creator: string;
  character_version: string;
  extensions: JsonRecord;
}

export interface CardV3DataJson extends CardV2DataJson {
  nickname: string;
  creator_notes_multilingual: Record<string, string>;
  group_only_greetings: string[];
  assets?: CardAsset[];
  source: string[];
  creation_date?: number;
  modification_date?: number;
}

export interface CardV3Json {
  spec: 'chara_card_v3';
  spec_version: '3.0';
  data: CardV3DataJson;
}

/** V2 with the V1 fields mirrored at the top level, which V1-only readers need. */
export interface CardV2Json {
  spec: 'chara_card_v2';
  spec_version: '2.0';
  name: string;
  description: string;
  personality: string;
  scenario: string;
  first_mes: string;
  mes_example: string;
  data: CardV2DataJson;
}

function v2Data(card: CardData, spec: 'v2' | 'v3'): CardV2DataJson {
  const { unknown, extensions } = takeUnknown(card.extensions);
  return {
    // Parked fields first, so they can never overwrite a field we model.
    ...unknown,
    name: card.name,
    description: card.description,
    personality: card.personality,
    scenario: card.scenario,
    first_mes: card.first_mes,
    mes_example: card.mes_example,
    creator_notes: card.creator_notes,
    system_prompt: card.system_prompt,
    post_history_instructions: card.post_history_instructions,
    alternate_greetings: [...card.alternate_greetings],
    // The specs make character_book optional but never null: omit when absent.
    ...(card.character_book ? { character_book: lorebookToJson(card.character_book, spec) } : {}),
    tags: [...card.tags],
    creator: card.creator,
    character_version: card.character_version,
    extensions,
  };
}

/**
 * The card as Character Card V3 JSON: every V3 field, including the required
 * `group_only_greetings` and each entry's `use_regex`. Optional fields with no
 * value are omitted rather than written as null (V3 has no nulls); an empty
 * `assets` is omitted because V3 readers then assume the default icon (the
 * PNG itself), whereas `[]` would mean "no icon".
 */
export function toCardV3(card: CardData): CardV3Json {
  const data: CardV3DataJson = {
    ...v2Data(card, 'v3'),
    nickname: card.nickname,
    creator_notes_multilingual: { ...card.creator_notes_multilingual },
    group_only_greetings: [...card.group_only_greetings],
    ...(card.assets.length > 0 ? { assets: card.assets.map((a) => ({ ...a })) } : {}),
    source: [...card.source],
    ...(card.creation_date !== null ? { creation_date: card.creation_date } : {}),
    ...(card.modification_date !== null ? { modification_date: card.modification_date } : {}),
  };
  return { spec: 'chara_card_v3', spec_version: '3.0', data };
}

/**
 * The card as Character Card V2 JSON, for readers that predate V3. V3-only
 * fields (nickname, group-only greetings, assets, sources, dates, multilingual
 * notes, entries' `use_regex`) are dropped: a PNG export also carries the V3
 * copy, which V3 readers prefer.
 */
export function toCardV2(card: CardData): CardV2Json {
  return {
    spec: 'chara_card_v2',
    spec_version: '2.0',
    name: card.name,
    description: card.description,
    personality: card.personality,
    scenario: card.scenario,
    first_mes: card.first_mes,
    mes_example: card.mes_example,
    data: v2Data(card, 'v2'),
  };
}

/** A `.json` card file: V3 by default (lossless), V2 on request. */
export function cardToJsonText(card: CardData, spec: 'v2' | 'v3' = 'v3'): string {
  return JSON.stringify(spec === 'v3' ? toCardV3(card) : toCardV2(card), null, 2);
}

/**
 * A PNG card: `imagePng` with a `chara` chunk (V2, for older readers) and a
 * `ccv3` chunk (V3), each base64 of UTF-8 JSON, inserted before `IEND`. Any
 * card chunks already in the image are replaced.
 *
 * @throws {CardParseError} `not-png`, `truncated-png` or `corrupt-png` when
 *   `imagePng` is not a sound PNG (convert other formats to PNG first).
 */
export function writeCardPng(imagePng: Uint8Array, card: CardData): Uint8Array {
  return writePngTextChunks(imagePng, [
    { keyword: 'chara', text: encodeBase64Utf8(JSON.stringify(toCardV2(card))) },
    { keyword: 'ccv3', text: encodeBase64Utf8(JSON.stringify(toCardV3(card))) },
  ]);
}
