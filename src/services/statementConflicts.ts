/**
 * Checking a character's card against itself (issue 12 §4): a new or edited
 * statement against the others, or the whole card ("Check card") with the
 * description's sentences, through the consistency checker's NLI model (both
 * directions) and, past FULL_PAIRING_MAX statements, its embeddings to pick
 * candidates. The pairing and the conflict model are domain/persona/conflicts.
 */
import type { Character } from '../domain/character';
import { dedupeKey, extractStatements } from '../domain/persona';
import {
  CONFLICT_THRESHOLD,
  FULL_PAIRING_MAX,
  conflictsFromScores,
  planConflictPairs,
  recordChecks,
  uncheckedSources,
  type Conflict,
  type ConflictChecks,
  type ConflictSource,
} from '../domain/persona/conflicts';
import type { CheckerClient } from '../engines/CheckerClient';

/** What the check needs of the checker client (a test may pass its own). */
export type ConflictChecker = Pick<CheckerClient, 'embed' | 'scorePairs'>;

export interface ConflictCheckOptions {
  signal?: AbortSignal;
  threshold?: number;
}

/** The enabled statements as conflict sources (a disabled one is not held against anything). */
export function statementSources(character: Pick<Character, 'statements'>): ConflictSource[] {
  return character.statements
    .filter((s) => s.enabled && s.text.trim() !== '')
    .map((s) => ({ ref: s.id, text: s.text, kind: 'statement' as const }));
}

/**
 * The card's own facts — description, personality and scenario as the
 * extractor reads them, one atomic sentence each — that are not already
 * statements. Refs are `card:<n>` in extraction order.
 */
export function cardSources(character: Pick<Character, 'card' | 'statements'>, userName: string): ConflictSource[] {
  const have = new Set(character.statements.map((s) => dedupeKey(s.text)));
  return extractStatements(character.card, { user: userName })
    .filter((text) => !have.has(dedupeKey(text)))
    .map((text, i) => ({ ref: `card:${i}`, text, kind: 'card' as const }));
}

/**
 * Conflicts of `changed` against `others` (and each other), kept pairs left out.
 * @throws what the checker throws (CheckerNotReadyError when it is not loaded; an AbortError on `signal`).
 */
export async function findConflicts(
  checker: ConflictChecker,
  changed: readonly ConflictSource[],
  others: readonly ConflictSource[],
  kept: Character['keptConflicts'] = [],
  options: ConflictCheckOptions = {},
): Promise<Conflict[]> {
  if (changed.length === 0) return [];
  let vectors: Map<string, Float32Array> | undefined;
  const everyone = new Map<string, ConflictSource>();
  for (const s of [...others, ...changed]) everyone.set(s.ref, s);
  if (everyone.size - 1 > FULL_PAIRING_MAX) {
    const list = [...everyone.values()];
    const embedded = await checker.embed(
      list.map((s) => s.text),
      { signal: options.signal },
    );
    vectors = new Map(list.map((s, i) => [s.ref, embedded[i]!]));
  }
  const pairs = planConflictPairs(changed, others, vectors);
  if (pairs.length === 0) return [];
  const scored = await checker.scorePairs(
    // version 1: the pair cache keys on the text as well, so an edit is a new pair.
    pairs.map((p) => ({ statement: { id: p.premise.ref, version: 1, text: p.premise.text }, sentence: p.hypothesis.text })),
    { signal: options.signal },
  );
  return conflictsFromScores(
    pairs,
    scored.map((s) => s.contradiction),
    kept,
    options.threshold ?? CONFLICT_THRESHOLD,
  );
}

/**
 * "Check card": every enabled statement against the others and against the
 * card's own sentences.
 * @throws like findConflicts.
 */
export async function checkWholeCard(
  checker: ConflictChecker,
  character: Character,
  userName: string,
  options: ConflictCheckOptions = {},
): Promise<Conflict[]> {
  const statements = statementSources(character);
  return findConflicts(checker, statements, [...statements, ...cardSources(character, userName)], character.keptConflicts, options);
}

/** What checkUnchecked did: the statements it checked, what it found, and the record to store. */
export interface UncheckedResult {
  checked: ConflictSource[];
  found: Conflict[];
  record: ConflictChecks;
}

/**
 * The enabled statements never checked with their current text (an import's,
 * an interview's, edits made elsewhere) against all the others, through
 * findConflicts. Null when every statement was checked already: the checker
 * is not called at all.
 * @throws like findConflicts.
 */
export async function checkUnchecked(
  checker: ConflictChecker,
  character: Character,
  options: ConflictCheckOptions = {},
): Promise<UncheckedResult | null> {
  const all = statementSources(character);
  const checked = uncheckedSources(all, character.conflictChecks);
  if (checked.length === 0) return null;
  const found = await findConflicts(checker, checked, all, character.keptConflicts, options);
  return { checked, found, record: recordChecks(character.conflictChecks, all, checked, found) };
}
