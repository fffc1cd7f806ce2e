/**
 * Lorebooks (world info) in the three layouts seen in the wild:
 * - V2/V3 `character_book` (entries array, `keys`, `insertion_order`, …), also
 *   wrapped as a standalone V3 file `{spec: 'lorebook_v3', data}`;
 * - SillyTavern's own world-info file (`entries` keyed "0", "1", … with `uid`,
 *   `key`, `keysecondary`, `order`, `disable`, numeric `position`).
 * All of them become the studio's {@link Lorebook}; the writer emits V2/V3.
 */
import type { Lorebook, LorebookEntry } from '../character.ts';
import { emptyLorebookEntry } from '../character.ts';
import {
  copyRecord,
  extensionsWithUnknown,
  isPresent,
  isRecord,
  takeUnknown,
  toBool,
  toLabelList,
  toNum,
  toStr,
  unknownFields,
  type JsonRecord,
} from './coerce.ts';
import { CardParseError } from './errors.ts';

/** Entry fields of the V2/V3 `character_book` layout (anything else is parked). */
const ENTRY_KEYS: ReadonlySet<string> = new Set([
  'id',
  'keys',
  'secondary_keys',
  'content',
  'enabled',
  'constant',
  'selective',
  'use_regex',
  'case_sensitive',
  'insertion_order',
  'priority',
  'position',
  'name',
  'comment',
  'extensions',
]);

const BOOK_KEYS: ReadonlySet<string> = new Set([
  'name',
  'description',
  'scan_depth',
  'token_budget',
  'recursive_scanning',
  'extensions',
  'entries',
]);

/**
 * SillyTavern world-info fields that map onto entry fields. Every other field
 * of a SillyTavern entry (probability, depth, group, …) is copied into the
 * entry's `extensions` under its own name, as SillyTavern itself does when it
 * embeds a world-info file into a card.
 */
const ST_MAPPED_KEYS: ReadonlySet<string> = new Set([
  'uid',
  'key',
  'keysecondary',
  'content',
  'comment',
  'constant',
  'selective',
  'order',
  'position',
  'disable',
  'caseSensitive',
  'extensions',
]);

/** SillyTavern writes these instead of the V2 names; their presence tells the layouts apart. */
function isSillyTavernEntry(raw: JsonRecord): boolean {
  return !('keys' in raw) && ('key' in raw || 'uid' in raw || 'keysecondary' in raw || 'disable' in raw);
}

function toPosition(value: unknown): LorebookEntry['position'] {
  // SillyTavern numbers its positions; 0 is "before character", and it maps every
  // other number to 'after_char' when exporting to V2, so we do the same.
  if (typeof value === 'number') return value === 0 ? 'before_char' : 'after_char';
  return value === 'after_char' ? 'after_char' : 'before_char';
}

/** A V2/V3 entry; id resolved later (see {@link assignIds}). */
function parseCardBookEntry(raw: JsonRecord): { entry: LorebookEntry; rawId: unknown } {
  const d = emptyLorebookEntry(0);
  const entry: LorebookEntry = {
    id: 0,
    keys: toLabelList(raw.keys),
    secondary_keys: toLabelList(raw.secondary_keys),
    content: toStr(raw.content),
    enabled: toBool(raw.enabled, d.enabled),
    constant: toBool(raw.constant, d.constant),
    selective: toBool(raw.selective, d.selective),
    use_regex: toBool(raw.use_regex, d.use_regex),
    case_sensitive: toBool(raw.case_sensitive, d.case_sensitive),
    insertion_order: toNum(raw.insertion_order, d.insertion_order),
    priority: toNum(raw.priority, d.priority),
    position: toPosition(raw.position),
    name: toStr(raw.name),
    comment: toStr(raw.comment),
    extensions: extensionsWithUnknown(raw.extensions, unknownFields(raw, ENTRY_KEYS)),
  };
  return { entry, rawId: raw.id };
}

function parseSillyTavernEntry(raw: JsonRecord): { entry: LorebookEntry; rawId: unknown } {
  const d = emptyLorebookEntry(0);
  const extensions: JsonRecord = {
    ...copyRecord(raw.extensions),
    ...unknownFields(raw, ST_MAPPED_KEYS),
  };
  // Kept so a SillyTavern position other than 0/1 (e.g. "@ depth") is not lost.
  if (isPresent(raw.position)) extensions.position = raw.position;
  const entry: LorebookEntry = {
    ...d,
    keys: toLabelList(raw.key),
    secondary_keys: toLabelList(raw.keysecondary),
    content: toStr(raw.content),
    comment: toStr(raw.comment),
    constant: toBool(raw.constant, d.constant),
    selective: toBool(raw.selective, d.selective),
    insertion_order: toNum(raw.order, d.insertion_order),
    position: toPosition(toNum(raw.position, 0)),
    enabled: !toBool(raw.disable, false),
    case_sensitive: toBool(raw.caseSensitive, d.case_sensitive),
    extensions,
  };
  return { entry, rawId: raw.uid };
}

/**
 * Keeps each entry's own integer id when it has one and it is not taken yet;
 * gives the others fresh ids above the largest, in book order. Ids must be
 * unique because the editor and the prompt builder address entries by id.
 */
function assignIds(parsed: { entry: LorebookEntry; rawId: unknown }[]): LorebookEntry[] {
  const wanted = parsed.map(({ rawId }) => {
    const n = toNum(rawId, null);
    return n !== null && Number.isSafeInteger(n) ? n : null;
  });
  // reduce, not Math.max(...list): a hostile book can hold more entries than a call has arguments.
  let next = wanted.reduce<number>((max, n) => (n !== null && n > max ? n : max), -1) + 1;
  const used = new Set<number>();
  return parsed.map(({ entry }, i) => {
    const want = wanted[i] ?? null;
    const id = want !== null && !used.has(want) ? want : next++;
    used.add(id);
    return { ...entry, id };
  });
}

function entryList(entries: unknown): JsonRecord[] {
  // SillyTavern keys entries by number in an object; V2/V3 use an array.
  const list = Array.isArray(entries) ? entries : isRecord(entries) ? Object.values(entries) : [];
  return list.filter(isRecord);
}

/**
 * Reads a lorebook body: V2/V3 `character_book` fields, entries in either the
 * card layout or SillyTavern's world-info layout (decided per entry). Never
 * throws: absent or odd fields get defaults.
 */
export function parseLorebook(raw: JsonRecord, fallbackName = ''): Lorebook {
  const entries = entryList(raw.entries).map((e) =>
    isSillyTavernEntry(e) ? parseSillyTavernEntry(e) : parseCardBookEntry(e),
  );
  const name = toStr(raw.name);
  return {
    name: name === '' ? fallbackName : name,
    description: toStr(raw.description),
    scan_depth: toNum(raw.scan_depth, null),
    token_budget: toNum(raw.token_budget, null),
    recursive_scanning: toBool(raw.recursive_scanning, false),
    extensions: extensionsWithUnknown(raw.extensions, unknownFields(raw, BOOK_KEYS)),
    entries: assignIds(entries),
  };
}

/** True when `value` is shaped like a lorebook file (has an `entries` list or map). */
export function looksLikeLorebook(value: unknown): value is JsonRecord {
  return isRecord(value) && (Array.isArray(value.entries) || isRecord(value.entries));
}

/**
 * Reads a standalone lorebook file: SillyTavern world info (`{entries: {"0": …}}`),
 * a V3 lorebook (`{spec: 'lorebook_v3', data}`) or a bare V2 `character_book`.
 * `fallbackName` (e.g. the file name) names a book that has no name of its own.
 *
 * @throws {CardParseError} `not-a-lorebook` when `value` has no entries list or map.
 */
export function parseWorldInfo(value: unknown, fallbackName = ''): Lorebook {
  const body = isRecord(value) && value.spec === 'lorebook_v3' ? value.data : value;
  if (!looksLikeLorebook(body)) {
    throw new CardParseError('not-a-lorebook', 'This is not a lorebook: it has no "entries".');
  }
  return parseLorebook(body, fallbackName);
}

/** JSON shape of one lorebook entry as written (V3 layout; V2 omits `use_regex`). */
export interface LorebookEntryJson {
  [key: string]: unknown;
  id: number;
  keys: string[];
  secondary_keys: string[];
  content: string;
  enabled: boolean;
  constant: boolean;
  selective: boolean;
  use_regex?: boolean;
  case_sensitive: boolean;
  insertion_order: number;
  priority: number;
  position: 'before_char' | 'after_char';
  name: string;
  comment: string;
  extensions: JsonRecord;
}

export interface LorebookJson {
  [key: string]: unknown;
  name: string;
  description: string;
  scan_depth?: number;
  token_budget?: number;
  recursive_scanning: boolean;
  extensions: JsonRecord;
  entries: LorebookEntryJson[];
}

function entryToJson(entry: LorebookEntry, spec: 'v2' | 'v3'): LorebookEntryJson {
  const { unknown, extensions } = takeUnknown(entry.extensions);
  return {
    // Parked fields first, so they can never overwrite a field we model.
    ...unknown,
    id: entry.id,
    keys: [...entry.keys],
    secondary_keys: [...entry.secondary_keys],
    content: entry.content,
    enabled: entry.enabled,
    constant: entry.constant,
    selective: entry.selective,
    ...(spec === 'v3' ? { use_regex: entry.use_regex } : {}),
    case_sensitive: entry.case_sensitive,
    insertion_order: entry.insertion_order,
    priority: entry.priority,
    position: entry.position,
    name: entry.name,
    comment: entry.comment,
    extensions,
  };
}

/** A lorebook as V2/V3 `character_book` JSON (nulls omitted: the specs have no null). */
export function lorebookToJson(book: Lorebook, spec: 'v2' | 'v3'): LorebookJson {
  const { unknown, extensions } = takeUnknown(book.extensions);
  return {
    ...unknown,
    name: book.name,
    description: book.description,
    ...(book.scan_depth !== null ? { scan_depth: book.scan_depth } : {}),
    ...(book.token_budget !== null ? { token_budget: book.token_budget } : {}),
    recursive_scanning: book.recursive_scanning,
    extensions,
    entries: book.entries.map((e) => entryToJson(e, spec)),
  };
}

/** A standalone V3 lorebook file: `{spec: 'lorebook_v3', data}`. */
export function toLorebookV3(book: Lorebook): { spec: 'lorebook_v3'; data: LorebookJson } {
  return { spec: 'lorebook_v3', data: lorebookToJson(book, 'v3') };
}
