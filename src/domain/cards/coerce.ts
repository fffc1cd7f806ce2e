/**
 * Lenient readers for JSON written by many tools: cards in the wild carry
 * `null` for absent fields, numbers as strings, tags as one comma-separated
 * string, and so on. Each reader returns a well-typed value or a fallback and
 * never throws, so one odd field never costs the user the whole card.
 */

/**
 * Extension key under which fields this studio does not model are parked, so a
 * card survives import → export even when another tool added its own fields to
 * `data`, a lorebook or an entry. The writers put them back where they came
 * from and remove this key.
 * IMPORTANT: part of the stored data format; do not rename without a migration.
 */
export const UNKNOWN_FIELDS_KEY = 'in_character_unknown_fields';

export type JsonRecord = Record<string, unknown>;

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `undefined` and `null` both mean "absent" in the wild. */
export function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** Strings as they are (never trimmed: whitespace can matter in prompts); numbers and booleans as text. */
export function toStr(value: unknown, fallback = ''): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return fallback;
}

/** A finite number, or the same as a numeric string (`"100"`), else `fallback`. */
export function toNum<F extends number | null>(value: unknown, fallback: F): number | F {
  if (typeof value === 'number') return Number.isFinite(value) ? value : fallback;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : fallback;
  }
  return fallback;
}

/** Booleans, `"true"`/`"false"` and 1/0. */
export function toBool(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    if (s === 'true' || s === '1') return true;
    if (s === 'false' || s === '0') return false;
    return fallback;
  }
  if (value === 1 || value === 0) return value === 1;
  return fallback;
}

/**
 * A list of texts where each item is a whole text (greetings, sources): a lone
 * string becomes a one-item list, never split, because greetings contain commas.
 */
export function toTextList(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.filter((v) => typeof v === 'string' || typeof v === 'number').map((v) => toStr(v));
  }
  return typeof value === 'string' && value !== '' ? [value] : [];
}

/**
 * A list of short labels (tags, lorebook keys): a lone string is taken as a
 * comma-separated list, the way several editors store it. Items inside an array
 * are kept as they are.
 */
export function toLabelList(value: unknown): string[] {
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  return toTextList(value);
}

/** A record of strings (e.g. `creator_notes_multilingual`); non-string values are dropped. */
export function toStringRecord(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * Shallow copy of a record. `Object.fromEntries` defines own properties, so a
 * JSON key named `__proto__` stays data instead of replacing the prototype.
 */
export function copyRecord(value: unknown): JsonRecord {
  return isRecord(value) ? Object.fromEntries(Object.entries(value)) : {};
}

/** The entries of `value` whose keys are not in `known`. */
export function unknownFields(value: JsonRecord, known: ReadonlySet<string>): JsonRecord {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !known.has(key)));
}

/**
 * `extensions` copied verbatim, with `unknown` (fields we do not model) parked
 * under {@link UNKNOWN_FIELDS_KEY} when there are any.
 */
export function extensionsWithUnknown(extensions: unknown, unknown: JsonRecord): JsonRecord {
  const out = copyRecord(extensions);
  if (Object.keys(unknown).length > 0) {
    return Object.fromEntries([...Object.entries(out), [UNKNOWN_FIELDS_KEY, unknown]]);
  }
  return out;
}

/**
 * The inverse of {@link extensionsWithUnknown} for writers: the parked fields
 * (to spread back at their original level) and the remaining extensions.
 */
export function takeUnknown(extensions: JsonRecord): { unknown: JsonRecord; extensions: JsonRecord } {
  const parked = extensions[UNKNOWN_FIELDS_KEY];
  // A non-object under our key was not put there by us: leave it alone.
  if (!isRecord(parked)) return { unknown: {}, extensions: copyRecord(extensions) };
  const rest = Object.entries(extensions).filter(([key]) => key !== UNKNOWN_FIELDS_KEY);
  return { unknown: copyRecord(parked), extensions: Object.fromEntries(rest) };
}
