/**
 * The stored shape of card data (domain/character.ts `CardData`) as a schema,
 * and the one way any card reaches storage: lenient coercion first (the same
 * rules as card import, domain/cards/coerce.ts), then this schema as the final
 * gate. Whatever passes renders: every text is a string, every list a list of
 * strings, `extensions` a plain object of bounded depth.
 */
import * as v from 'valibot';
import type { CardData, Lorebook, LorebookEntry } from '../character';
import { emptyCardData } from '../character';
import { CardParseError, normaliseCardData } from '../cards';
import { isRecord } from '../cards/coerce';
import { MAX_JSON_DEPTH, valueDepthExceeds } from './depth';
import { assertValid, describeIssues } from './issues';

/**
 * Longest name or nickname kept. Names show in one line in the library and in
 * every chat message header; a megabyte "name" would make each of those lay out
 * a megabyte of text. Real names are a few words.
 */
export const MAX_NAME_CHARS = 256;

/** What a card with no usable name is called, wherever a name is required (imports, restores). */
export const UNNAMED_CHARACTER = 'Unnamed character';

const finite = v.pipe(v.number(), v.finite());
const strings = v.array(v.string());

/** A plain JSON object (extensions): any content, but no deeper than MAX_JSON_DEPTH. */
export const JsonObjectSchema = v.pipe(
  v.custom<Record<string, unknown>>(isRecord, 'expected an object'),
  v.check((value) => !valueDepthExceeds(value, MAX_JSON_DEPTH), `is nested more than ${MAX_JSON_DEPTH} levels deep`),
);

export const LorebookEntrySchema = v.object({
  id: v.pipe(v.number(), v.safeInteger()),
  keys: strings,
  secondary_keys: strings,
  content: v.string(),
  enabled: v.boolean(),
  constant: v.boolean(),
  selective: v.boolean(),
  use_regex: v.boolean(),
  case_sensitive: v.boolean(),
  insertion_order: finite,
  priority: finite,
  position: v.picklist(['before_char', 'after_char']),
  name: v.string(),
  comment: v.string(),
  extensions: JsonObjectSchema,
});

const uniqueIds = <T extends { id: number }>(entries: T[]) => new Set(entries.map((e) => e.id)).size === entries.length;

export const LorebookSchema = v.object({
  name: v.string(),
  description: v.string(),
  scan_depth: v.nullable(finite),
  token_budget: v.nullable(finite),
  recursive_scanning: v.boolean(),
  extensions: JsonObjectSchema,
  // The editor and the prompt builder address entries by id.
  entries: v.pipe(v.array(LorebookEntrySchema), v.check(uniqueIds, 'two lorebook entries share an id')),
});

export const CardDataSchema = v.object({
  name: v.pipe(v.string(), v.maxLength(MAX_NAME_CHARS)),
  nickname: v.pipe(v.string(), v.maxLength(MAX_NAME_CHARS)),
  description: v.string(),
  personality: v.string(),
  scenario: v.string(),
  first_mes: v.string(),
  mes_example: v.string(),
  creator_notes: v.string(),
  creator_notes_multilingual: v.record(v.string(), v.string()),
  system_prompt: v.string(),
  post_history_instructions: v.string(),
  alternate_greetings: strings,
  group_only_greetings: strings,
  tags: strings,
  creator: v.string(),
  character_version: v.string(),
  character_book: v.nullable(LorebookSchema),
  assets: v.array(v.object({ type: v.string(), uri: v.string(), name: v.string(), ext: v.string() })),
  source: strings,
  creation_date: v.nullable(finite),
  modification_date: v.nullable(finite),
  extensions: JsonObjectSchema,
});

export interface NormalisedCard {
  card: CardData;
  /** What was wrong and got coerced, one sentence per field (empty for a sound card). */
  repairs: string[];
}

/** Drops the extension keys whose values nest too deeply; the rest is kept verbatim. */
function withinDepth(extensions: Record<string, unknown>, repairs: string[], path: string): Record<string, unknown> {
  if (!valueDepthExceeds(extensions, MAX_JSON_DEPTH)) return extensions;
  const kept = Object.entries(extensions).filter(([key, value]) => {
    const deep = valueDepthExceeds(value, MAX_JSON_DEPTH - 1);
    if (deep) repairs.push(`${path}.${key}: nested more than ${MAX_JSON_DEPTH} levels deep, left out`);
    return !deep;
  });
  return Object.fromEntries(kept);
}

function clampName(text: string, field: string, repairs: string[]): string {
  if (text.length <= MAX_NAME_CHARS) return text;
  repairs.push(`${field}: longer than ${MAX_NAME_CHARS} characters, shortened`);
  return text.slice(0, MAX_NAME_CHARS);
}

function lorebookWithinDepth(book: Lorebook | null, repairs: string[], path: string): Lorebook | null {
  if (!book) return null;
  const entries = book.entries.map(
    (e, i): LorebookEntry => ({ ...e, extensions: withinDepth(e.extensions, repairs, `${path}.entries.${i}.extensions`) }),
  );
  return { ...book, extensions: withinDepth(book.extensions, repairs, `${path}.extensions`), entries };
}

/**
 * Card data of unknown quality (a backup, an old or damaged stored record, a
 * freshly parsed import) → sound {@link CardData} and the list of what was
 * repaired. A sound card comes back as it is. Never throws; linear in the size
 * of the value.
 *
 * `path` prefixes the field names in the repairs (e.g. `card`).
 */
export function normaliseCard(value: unknown, path = 'card'): NormalisedCard {
  const first = v.safeParse(CardDataSchema, value);
  if (first.success) return { card: first.output as CardData, repairs: [] };
  if (!isRecord(value)) {
    return { card: emptyCardData(), repairs: [`${path}: expected an object, found ${value === null ? 'null' : typeof value}; an empty card was used`] };
  }
  const repairs = describeIssues(first.issues, path).filter((r) => !/nested more than|longer than|maxLength|Invalid length/i.test(r));
  const coerced = normaliseCardData(value);
  const card: CardData = {
    ...coerced,
    name: clampName(coerced.name, `${path}.name`, repairs),
    nickname: clampName(coerced.nickname, `${path}.nickname`, repairs),
    extensions: withinDepth(coerced.extensions, repairs, `${path}.extensions`),
    character_book: lorebookWithinDepth(coerced.character_book, repairs, `${path}.character_book`),
  };
  return { card, repairs };
}

/** True when a card holds nothing a writer typed: no name, text, greeting or lorebook entry. */
export function isEmptyCard(card: CardData): boolean {
  const texts = [card.name, card.nickname, card.description, card.personality, card.scenario, card.first_mes, card.mes_example, card.system_prompt, card.creator_notes];
  return (
    texts.every((t) => t.trim() === '') &&
    card.alternate_greetings.every((g) => g.trim() === '') &&
    card.group_only_greetings.every((g) => g.trim() === '') &&
    (card.character_book?.entries.length ?? 0) === 0
  );
}

/** The card with {@link UNNAMED_CHARACTER} as its name when it has none; `named` says whether it had one. */
export function withUsableName(card: CardData): { card: CardData; named: boolean } {
  if (card.name.trim() !== '') return { card, named: true };
  return { card: { ...card, name: UNNAMED_CHARACTER }, named: false };
}

export interface AdmittedCard {
  card: CardData;
  /** Said to the user after the import: what was changed to store the card. */
  notes: string[];
}

/**
 * The last gate between a parsed card (any parser, any thread) and storage.
 * A card with nothing in it is refused; a card with content but no usable
 * name is kept as {@link UNNAMED_CHARACTER} (cards in the wild sometimes leave
 * the name to the file name, and losing the rest over it would be worse).
 * Whatever comes out passes {@link CardDataSchema}.
 *
 * @throws {CardParseError} `empty-card` when the card holds no name, text,
 *   greeting or lorebook entry.
 * @throws RecordInvalidError only on a bug (the normaliser's output failing the schema).
 */
export function admitCard(parsed: CardData): AdmittedCard {
  const { card: sound, repairs } = normaliseCard(parsed);
  if (isEmptyCard(sound)) {
    throw new CardParseError('empty-card', 'This card is empty: it has no name, description, personality, scenario, greeting or lorebook entry.');
  }
  const { card, named } = withUsableName(sound);
  const notes = repairs.slice();
  if (!named) notes.push(`It has no name, so it was saved as “${UNNAMED_CHARACTER}”.`);
  return { card: assertValid(CardDataSchema, card, 'The card') as CardData, notes };
}

// The interface and the schema describe one shape: this fails to compile when they drift.
type CardOutput = v.InferOutput<typeof CardDataSchema>;
const _sameCard: [CardOutput extends CardData ? true : false, CardData extends CardOutput ? true : false] = [true, true];
void _sameCard;
