/**
 * The stored character record (table `characters`, backups) as a schema, and
 * its reader. The same reader serves restores and reads of records already in
 * IndexedDB (an older version or a bug may have written anything there), so
 * one bad record is repaired in what the UI sees instead of crashing it.
 */
import * as v from 'valibot';
import type { Character, PersonaStatement, StatementOrigin } from '../character';
import { isRecord, toBool, toNum, toStr } from '../cards/coerce';
import { CardDataSchema, normaliseCard } from './card';
import { isAvatarBlob } from './image';
import { describeIssues, describeValue } from './issues';

const ORIGINS = ['manual', 'extracted', 'imported', 'sample'] as const satisfies readonly StatementOrigin[];
const finite = v.pipe(v.number(), v.finite());
const id = v.pipe(v.string(), v.nonEmpty());

export const PersonaStatementSchema = v.object({
  id,
  text: v.string(),
  origin: v.picklist(ORIGINS),
  enabled: v.boolean(),
  version: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
});

const KeptSideSchema = v.object({ ref: id, text: v.pipe(v.string(), v.maxLength(4_000)) });
/** Kept conflicts (issue 12 §4): bounded, since each card change could add some. */
export const KeptConflictsSchema = v.pipe(v.array(v.object({ a: KeptSideSchema, b: KeptSideSchema })), v.maxLength(2_000));

/** Checked statements and their conflicts: bounded like the statement list and the kept pairs. */
export const ConflictChecksSchema = v.object({
  checked: v.pipe(v.array(KeptSideSchema), v.maxLength(20_000)),
  found: v.pipe(
    v.array(v.object({ a: KeptSideSchema, b: KeptSideSchema, contradiction: v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1)) })),
    v.maxLength(2_000),
  ),
});

const uniqueIds = <T extends { id: string }>(items: T[]) => new Set(items.map((s) => s.id)).size === items.length;

export const CharacterSchema = v.object({
  id,
  card: CardDataSchema,
  avatar: v.nullable(v.custom<Blob>(isAvatarBlob, 'expected an image (PNG, JPEG or WebP)')),
  statements: v.pipe(v.array(PersonaStatementSchema), v.check(uniqueIds, 'two statements share an id')),
  keptConflicts: v.optional(KeptConflictsSchema),
  conflictChecks: v.optional(ConflictChecksSchema),
  createdAt: finite,
  updatedAt: finite,
});

export interface ReadCharacter {
  character: Character;
  /** What was repaired, one sentence per field; empty for a sound record. */
  repairs: string[];
}

function readStatements(raw: unknown, characterId: string, repairs: string[]): PersonaStatement[] {
  if (!Array.isArray(raw)) {
    if (raw !== undefined) repairs.push(`statements: expected a list, found ${describeValue(raw)}; none kept`);
    return [];
  }
  const seen = new Set<string>();
  const out: PersonaStatement[] = [];
  raw.forEach((item: unknown, i) => {
    const text = isRecord(item) ? toStr(item.text) : '';
    if (!isRecord(item) || text.trim() === '') {
      repairs.push(`statements.${i}: has no text, left out`);
      return;
    }
    let sid = typeof item.id === 'string' && item.id !== '' ? item.id : `${characterId}:statement-${i}`;
    // Ids must be unique (list keys, verdict fingerprints); a stable suffix keeps reads repeatable.
    while (seen.has(sid)) sid = `${sid}-${i}`;
    seen.add(sid);
    const version = toNum(item.version, 1);
    const origin = (ORIGINS as readonly unknown[]).includes(item.origin) ? (item.origin as StatementOrigin) : 'manual';
    out.push({ id: sid, text, origin, enabled: toBool(item.enabled, true), version: Number.isSafeInteger(version) && version >= 1 ? version : 1 });
  });
  if (out.length === raw.length && !v.is(v.array(PersonaStatementSchema), raw)) repairs.push('statements: some fields had the wrong type, repaired');
  return out;
}

/**
 * Reads a character record of unknown quality. A sound record comes back as
 * it is (with no repairs); otherwise wrong types are coerced like card import
 * does, statements without text are left out, an avatar that is not an image
 * type is hidden, and missing timestamps are filled (`now` when neither
 * exists). Returns null only when the record has no usable id (nothing can
 * address it). Never throws; linear in the size of the record.
 */
export function readCharacter(raw: unknown, now = 0): ReadCharacter | null {
  const sound = v.safeParse(CharacterSchema, raw);
  if (sound.success) return { character: sound.output as Character, repairs: [] };
  if (!isRecord(raw) || typeof raw.id !== 'string' || raw.id === '') return null;
  const repairs: string[] = [];
  const { card, repairs: cardRepairs } = normaliseCard(raw.card);
  repairs.push(...cardRepairs);
  let avatar: Blob | null = null;
  if (isAvatarBlob(raw.avatar)) avatar = raw.avatar;
  else if (raw.avatar !== null && raw.avatar !== undefined) {
    const type = raw.avatar instanceof Blob ? `a file of type "${raw.avatar.type || 'unknown'}"` : describeValue(raw.avatar);
    repairs.push(`avatar: ${type}, not an image; hidden`);
  }
  const statements = readStatements(raw.statements, raw.id, repairs);
  const created = toNum(raw.createdAt, null);
  const updated = toNum(raw.updatedAt, null);
  if (created === null) repairs.push(`createdAt: expected a number, found ${describeValue(raw.createdAt)}`);
  if (updated === null) repairs.push(`updatedAt: expected a number, found ${describeValue(raw.updatedAt)}`);
  // Whatever else failed the schema (duplicate ids…) was repaired above too; say so.
  if (repairs.length === 0) repairs.push(...describeIssues(sound.issues));
  const kept = v.safeParse(KeptConflictsSchema, raw.keptConflicts);
  if (raw.keptConflicts !== undefined && !kept.success) repairs.push('keptConflicts: not a list of kept pairs; cleared (the warnings may show again)');
  const checks = v.safeParse(ConflictChecksSchema, raw.conflictChecks);
  if (raw.conflictChecks !== undefined && !checks.success) repairs.push('conflictChecks: not a record of checked statements; cleared (the statements will be checked again)');
  const character: Character = {
    id: raw.id,
    card,
    avatar,
    statements,
    ...(kept.success ? { keptConflicts: kept.output } : {}),
    ...(checks.success ? { conflictChecks: checks.output } : {}),
    createdAt: created ?? updated ?? now,
    updatedAt: updated ?? created ?? now,
  };
  return { character, repairs };
}

// The interface and the schema describe one shape: this fails to compile when they drift.
type CharacterOutput = v.InferOutput<typeof CharacterSchema>;
const _sameCharacter: [CharacterOutput extends Character ? true : false, Character extends CharacterOutput ? true : false] = [true, true];
void _sameCharacter;
