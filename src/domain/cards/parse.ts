/**
 * Import: bytes or JSON in any card layout (V1 flat, V2, V3; PNG or JSON) →
 * the studio's normalised {@link CardData}, or a {@link Lorebook} for
 * world-info files. Text is never altered (no trimming, no HTML handling):
 * rendering it safely is the UI's job.
 */
import type { CardAsset, CardData, Lorebook } from '../character.ts';
import { emptyCardData } from '../character.ts';
import {
  extensionsWithUnknown,
  isPresent,
  isRecord,
  toLabelList,
  toNum,
  toStr,
  toStringRecord,
  toTextList,
  unknownFields,
  type JsonRecord,
} from './coerce.ts';
import { decodeBase64, decodeUtf8, parseJsonText } from './encoding.ts';
import { CardParseError } from './errors.ts';
import { looksLikeLorebook, parseLorebook, parseWorldInfo } from './lorebook.ts';
import { isPng, readPngTextChunks, stripCardChunks, type PngTextChunk } from './png.ts';

/**
 * Largest file we try to import. Real PNG cards are avatars of 0.3–5 MB (the
 * SillyTavern defaults are 0.35–0.6 MB) and JSON cards are far smaller; 20 MiB
 * leaves room for big illustrations while bounding what one import allocates on
 * the main thread (the file, its base64 text, the decoded JSON and its object
 * tree exist at once, several times the file size).
 */
export const MAX_CARD_FILE_BYTES = 20 * 1024 * 1024;

export type CardSpec = 'v1' | 'v2' | 'v3';

export interface ParsedCard {
  card: CardData;
  /** The layout the card was read from (a V3 card converted from V2 says 'v2'). */
  spec: CardSpec;
}

export type ImportResult =
  | {
      kind: 'card';
      card: CardData;
      spec: CardSpec;
      /** For PNG cards: the image without its card chunks, to keep as the avatar. */
      image?: Uint8Array;
    }
  | { kind: 'lorebook'; lorebook: Lorebook; name: string };

const V1_FIELDS = ['name', 'description', 'personality', 'scenario', 'first_mes', 'mes_example'] as const;

/** Every `data` field V2 and V3 define; other `data` fields are parked (see UNKNOWN_FIELDS_KEY). */
const DATA_KEYS: ReadonlySet<string> = new Set(Object.keys(emptyCardData()));

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

function toAssets(value: unknown): CardAsset[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((a) => ({
    type: toStr(a.type),
    uri: toStr(a.uri),
    name: toStr(a.name),
    ext: toStr(a.ext),
  }));
}

/**
 * V3 dates are unix seconds, but some tools write milliseconds; a "seconds"
 * value past the year 5000 can only be milliseconds.
 */
const MAX_PLAUSIBLE_UNIX_SECONDS = 1e11;

function toUnixSeconds(value: unknown): number | null {
  const n = toNum(value, null);
  if (n === null) return null;
  return Math.abs(n) > MAX_PLAUSIBLE_UNIX_SECONDS ? Math.floor(n / 1000) : n;
}

/**
 * Reads `CardData` from `data` (the V2/V3 body, or the card itself for V1),
 * falling back to `root` for V1 fields that `data` lacks: cards in the wild
 * mirror those at the top level, and a few tools only fill one copy.
 */
function readCardData(data: JsonRecord, root: JsonRecord | null, keepUnknown: boolean): CardData {
  const pick = (key: string): unknown => (isPresent(data[key]) ? data[key] : root?.[key]);
  const card = emptyCardData();
  for (const field of V1_FIELDS) card[field] = toStr(pick(field));
  // SillyTavern's V1 export calls creator notes `creatorcomment`.
  const notes = isPresent(data.creator_notes) ? data.creator_notes : (data.creatorcomment ?? root?.creatorcomment);
  const book = data.character_book;
  return {
    ...card,
    nickname: toStr(data.nickname),
    creator_notes: toStr(notes),
    creator_notes_multilingual: toStringRecord(data.creator_notes_multilingual),
    system_prompt: toStr(data.system_prompt),
    post_history_instructions: toStr(data.post_history_instructions),
    alternate_greetings: toTextList(data.alternate_greetings),
    group_only_greetings: toTextList(data.group_only_greetings),
    tags: toLabelList(pick('tags')),
    creator: toStr(data.creator),
    character_version: toStr(data.character_version),
    character_book: isRecord(book) ? parseLorebook(book) : null,
    assets: toAssets(data.assets),
    source: toTextList(data.source),
    creation_date: toUnixSeconds(data.creation_date),
    modification_date: toUnixSeconds(data.modification_date),
    // V1 roots carry app state (chat, avatar, fav…) that is not card data: dropped.
    extensions: extensionsWithUnknown(data.extensions, keepUnknown ? unknownFields(data, DATA_KEYS) : {}),
  };
}

/**
 * Reads card data already in the studio's own layout (a stored character, a
 * backup) with the same lenient rules as import: wrong types become text,
 * lists or defaults, odd fields are parked. A sound CardData comes back equal
 * to itself. Never throws.
 */
export function normaliseCardData(value: unknown): CardData {
  return readCardData(isRecord(value) ? value : {}, null, true);
}

/**
 * Normalises a card in any layout: V1 (flat fields), V2 (`spec:
 * 'chara_card_v2'`, `data`) or V3 (`spec: 'chara_card_v3'`). Lenient: null or
 * missing fields get defaults, numbers given as strings are read, V1 fields
 * mirrored at the top level fill gaps in `data`. Unknown `data.extensions`
 * keys are kept verbatim; unknown `data` fields (and unknown lorebook/entry
 * fields) are parked under `extensions[UNKNOWN_FIELDS_KEY]` for the writers to
 * put back.
 *
 * A value is a card when it declares a card spec with a `data` object, or when
 * it has at least one non-empty V1 field (name, description, first_mes, …).
 *
 * @throws {CardParseError} `not-a-card` for non-objects (arrays, primitives,
 *   null), lorebooks, and objects without any card field.
 */
export function parseCardJson(value: unknown): ParsedCard {
  if (!isRecord(value)) {
    const what = describe(value);
    throw new CardParseError('not-a-card', `This is not a character card: the JSON is ${what}, not an object.`);
  }
  if (value.spec === 'lorebook_v3') {
    throw new CardParseError('not-a-card', 'This is a lorebook, not a character card.');
  }
  const spec = toStr(value.spec);
  const data = value.data;
  if (isRecord(data)) {
    const declared = spec.startsWith('chara_card_v');
    const card = readCardData(data, value, true);
    if (!declared && !V1_FIELDS.some((f) => card[f] !== '')) {
      throw new CardParseError('not-a-card', 'This is not a character card: its "data" has no card fields.');
    }
    const isV3 = spec === 'chara_card_v3' || toStr(value.spec_version).startsWith('3');
    return { card, spec: isV3 ? 'v3' : 'v2' };
  }
  const card = readCardData(value, null, false);
  if (!V1_FIELDS.some((f) => card[f] !== '')) {
    throw new CardParseError(
      'not-a-card',
      'This is not a character card: it has no name, description, personality, scenario or greeting.',
    );
  }
  return { card, spec: 'v1' };
}

/** Card JSON inside a `chara`/`ccv3` chunk: base64 of UTF-8 per the specs, raw JSON from a few old tools. */
function parseChunkJson(chunk: PngTextChunk): unknown {
  const looksRaw = chunk.text.trimStart().startsWith('{');
  // tEXt is Latin-1, so each char is one byte of the original UTF-8.
  const bytes = looksRaw ? Uint8Array.from(chunk.text, (c) => c.charCodeAt(0)) : decodeBase64(chunk.text);
  const text = decodeUtf8(bytes, `The card data in the "${chunk.keyword}" chunk`);
  return parseJsonText(text, `The card data in the "${chunk.keyword}" chunk`);
}

/**
 * Reads the card embedded in a PNG: `ccv3` when present (V3 says so), else
 * `chara`. A damaged `ccv3` next to a good `chara` still imports from `chara`.
 *
 * @throws {CardParseError} PNG structure errors (see readPngChunks),
 *   `no-card-in-png`, `bad-base64`, `bad-utf8`, `invalid-json`, `not-a-card`.
 */
export function parseCardPng(bytes: Uint8Array): ParsedCard {
  const texts = readPngTextChunks(bytes);
  const candidates = ['ccv3', 'chara']
    .map((keyword) => texts.find((t) => t.keyword === keyword))
    .filter((t): t is PngTextChunk => t !== undefined);
  if (candidates.length === 0) {
    throw new CardParseError('no-card-in-png', 'This PNG is an ordinary image: it holds no character card.');
  }
  let firstError: unknown = null;
  for (const chunk of candidates) {
    try {
      return parseCardJson(parseChunkJson(chunk));
    } catch (error) {
      if (!(error instanceof CardParseError)) throw error;
      firstError ??= error;
    }
  }
  throw firstError;
}

function baseName(fileName: string): string {
  const last = fileName.split(/[\\/]/).pop() ?? fileName;
  return last.replace(/\.[^.]*$/, '');
}

/** Formats people drop on the importer by mistake, sniffed so the message can say what it is. */
function sniffOtherFormat(bytes: Uint8Array): string | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'a JPEG image';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'a GIF image';
  const webp = [0x57, 0x45, 0x42, 0x50].every((b, i) => bytes[8 + i] === b);
  if (starts(0x52, 0x49, 0x46, 0x46) && webp) return 'a WebP image';
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'a ZIP archive (CHARX cards are not supported yet)';
  return null;
}

/**
 * A lorebook file: V3 envelope, or a top-level `entries` list/map (cards only
 * have entries inside `character_book`) without card text. `name` is allowed:
 * books have names too.
 */
function isLorebookFile(value: unknown): boolean {
  if (!isRecord(value)) return false;
  if (value.spec === 'lorebook_v3') return true;
  if (isPresent(value.spec) || isPresent(value.data) || !looksLikeLorebook(value)) return false;
  return V1_FIELDS.every((f) => f === 'name' || !isPresent(value[f]));
}

/**
 * Classifies parsed JSON from a file: a V3 lorebook, a SillyTavern world-info
 * file (has `entries` but no card fields), or a card.
 *
 * @throws {CardParseError} `not-a-card` when it is neither.
 */
export function parseImportJson(value: unknown, fileName = ''): ImportResult {
  if (isLorebookFile(value)) {
    const lorebook = parseWorldInfo(value, baseName(fileName));
    return { kind: 'lorebook', lorebook, name: lorebook.name };
  }
  const { card, spec } = parseCardJson(value);
  return { kind: 'card', card, spec };
}

/**
 * Imports a file the user picked: a PNG card, a JSON card (V1/V2/V3) or a
 * lorebook JSON (SillyTavern world info, V3 lorebook). The format is sniffed
 * from the bytes; the name is only used for messages and the lorebook name.
 *
 * @throws {CardParseError} `too-large` (checked first, see
 *   {@link MAX_CARD_FILE_BYTES}), `unsupported-format` (JPEG, WebP, GIF, ZIP),
 *   `not-png` (named .png but is not one), PNG errors, `no-card-in-png`,
 *   `bad-base64`, `bad-utf8`, `invalid-json`, `not-a-card`.
 */
export function parseCardFile(name: string, bytes: Uint8Array): ImportResult {
  if (bytes.length > MAX_CARD_FILE_BYTES) {
    const mib = (bytes.length / 1024 / 1024).toFixed(1);
    const limit = MAX_CARD_FILE_BYTES / 1024 / 1024;
    throw new CardParseError('too-large', `This file is ${mib} MiB; cards over ${limit} MiB are refused.`);
  }
  if (isPng(bytes)) {
    const { card, spec } = parseCardPng(bytes);
    return { kind: 'card', card, spec, image: stripCardChunks(bytes) };
  }
  const other = sniffOtherFormat(bytes);
  if (other) throw new CardParseError('unsupported-format', `This file is ${other}; import a PNG or JSON card.`);
  if (/\.png$/i.test(name)) {
    throw new CardParseError('not-png', `"${name}" is named like a PNG but is not a PNG image.`);
  }
  const text = decodeUtf8(bytes, 'The file');
  return parseImportJson(parseJsonText(text, 'The file'), name);
}
