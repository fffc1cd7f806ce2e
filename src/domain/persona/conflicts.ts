/**
 * A card that contradicts itself (issue 12 §4): which pairs of the
 * character's own statements (and, for "Check card", description sentences)
 * go to the NLI checker, how its answers become conflicts, and which
 * conflicts the writer has already accepted ("Keep both").
 *
 * Pure: the embeddings and NLI probabilities come in as numbers; the service
 * (services/statementConflicts.ts) fetches them from the checker worker.
 */
import type { ConflictChecksRecord, KeptConflictRecord } from '../character';
import { cosine } from '../consistency/relevance';

/** One side of a possible conflict: a statement, or a sentence of the card's text. */
export interface ConflictSource {
  /** The statement id, or `card:<n>` for a sentence from the description. */
  ref: string;
  text: string;
  kind: 'statement' | 'card';
}

/** A pair to score; each unordered pair is scored in both directions (premise ↔ hypothesis). */
export interface PlannedPair {
  premise: ConflictSource;
  hypothesis: ConflictSource;
}

/** Two sources the checker found contradicting each other. */
export interface Conflict {
  a: ConflictSource;
  b: ConflictSource;
  /** The larger contradiction probability of the two directions. */
  contradiction: number;
}

/**
 * A conflict the writer kept: stored with the character. It holds the texts
 * of both sides, so it stops applying as soon as either side is edited.
 */
export type KeptConflict = KeptConflictRecord;

/**
 * Up to this many other statements, every one is paired with the changed
 * statement: 40 × 2 directions = 80 NLI pairs, ~3 s at the slowest rate
 * measured in the browser (25 pairs/s, NOTES.md). Past it, embedding
 * similarity picks the candidates.
 */
export const FULL_PAIRING_MAX = 40;

/**
 * Candidates per changed statement past FULL_PAIRING_MAX: a contradiction
 * needs a shared topic, and the topic is what sentence embeddings measure.
 * 12 × 2 = 24 pairs a statement, however long the card.
 */
export const CONFLICT_CANDIDATES = 12;

/** Contradiction probability (either direction) from which a pair is reported. */
export const CONFLICT_THRESHOLD = 0.5;

const pairKey = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

/**
 * The pairs to score when `changed` sources are new or edited, against
 * `others` (and each other). With more than FULL_PAIRING_MAX others, only the
 * CONFLICT_CANDIDATES most similar ones per changed source, by `vectors`
 * (embedding per ref; required then). Both directions of every pair, each
 * unordered pair once; statement-less pairs of two card sentences are never
 * planned (the card's own prose is not what the writer asked about).
 * @throws {Error} when more than FULL_PAIRING_MAX others need candidates and a vector is missing.
 */
export function planConflictPairs(
  changed: readonly ConflictSource[],
  others: readonly ConflictSource[],
  vectors?: ReadonlyMap<string, ArrayLike<number>>,
): PlannedPair[] {
  const seen = new Set<string>();
  const out: PlannedPair[] = [];
  const add = (x: ConflictSource, y: ConflictSource) => {
    if (x.ref === y.ref || (x.kind === 'card' && y.kind === 'card')) return;
    const key = pairKey(x.ref, y.ref);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ premise: x, hypothesis: y }, { premise: y, hypothesis: x });
  };
  // Each changed source against the others and the other changed ones (a pasted block of statements).
  const everyone = new Map<string, ConflictSource>();
  for (const o of [...others, ...changed]) everyone.set(o.ref, o);
  const all = [...everyone.values()];
  for (const c of changed) {
    const pool = all.filter((o) => o.ref !== c.ref);
    for (const other of candidatesFor(c, pool, vectors)) add(c, other);
  }
  return out;
}

function candidatesFor(
  source: ConflictSource,
  pool: readonly ConflictSource[],
  vectors?: ReadonlyMap<string, ArrayLike<number>>,
): readonly ConflictSource[] {
  if (pool.length <= FULL_PAIRING_MAX) return pool;
  const own = vectors?.get(source.ref);
  if (!own) throw new Error(`No embedding for ${source.ref}: needed to pick conflict candidates among ${pool.length} sources.`);
  return pool
    .map((o) => {
      const v = vectors?.get(o.ref);
      if (!v) throw new Error(`No embedding for ${o.ref}.`);
      return { o, sim: cosine(own, v) };
    })
    .sort((x, y) => y.sim - x.sim)
    .slice(0, CONFLICT_CANDIDATES)
    .map((x) => x.o);
}

/**
 * Conflicts from the scored pairs (`contradiction[i]` for `pairs[i]`): the
 * larger direction counts, so "A ⇒ not B" found either way is reported once.
 * Kept conflicts whose texts still match are left out. Sorted by strength.
 */
export function conflictsFromScores(
  pairs: readonly PlannedPair[],
  contradiction: readonly number[],
  kept: readonly KeptConflict[] = [],
  threshold = CONFLICT_THRESHOLD,
): Conflict[] {
  const best = new Map<string, Conflict>();
  pairs.forEach((p, i) => {
    const score = contradiction[i] ?? 0;
    const key = pairKey(p.premise.ref, p.hypothesis.ref);
    const prior = best.get(key);
    if (!prior) {
      const [a, b] = p.premise.ref < p.hypothesis.ref ? [p.premise, p.hypothesis] : [p.hypothesis, p.premise];
      best.set(key, { a, b, contradiction: score });
    } else if (score > prior.contradiction) {
      prior.contradiction = score;
    }
  });
  return [...best.values()]
    .filter((c) => c.contradiction >= threshold && !isKept(c, kept))
    .sort((x, y) => y.contradiction - x.contradiction);
}

/** True when the writer kept this pair and neither side has changed since. */
export function isKept(conflict: Pick<Conflict, 'a' | 'b'>, kept: readonly KeptConflict[]): boolean {
  return kept.some(
    (k) =>
      (sameSide(k.a, conflict.a) && sameSide(k.b, conflict.b)) || (sameSide(k.a, conflict.b) && sameSide(k.b, conflict.a)),
  );
}

function sameSide(side: { ref: string; text: string }, source: ConflictSource): boolean {
  return side.ref === source.ref && side.text === source.text;
}

/** The record "Keep both" stores. */
export function keepConflict(conflict: Pick<Conflict, 'a' | 'b'>): KeptConflict {
  return { a: { ref: conflict.a.ref, text: conflict.a.text }, b: { ref: conflict.b.ref, text: conflict.b.text } };
}

/**
 * Kept conflicts that still apply to these statements: a kept pair whose
 * statement was deleted or edited is dropped, so the list never grows with
 * history. Card-sentence sides stay (the card text is checked on demand).
 */
export function liveKeptConflicts(kept: readonly KeptConflict[], statements: readonly { id: string; text: string }[]): KeptConflict[] {
  const text = new Map(statements.map((s) => [s.id, s.text]));
  const alive = (side: { ref: string; text: string }) => side.ref.startsWith('card:') || text.get(side.ref) === side.text;
  return kept.filter((k) => alive(k.a) && alive(k.b));
}

/**
 * Which conflicts are still valid after an edit: both sides must still exist
 * with the same text (a conflict against a since-edited statement is stale).
 */
export function currentConflicts(conflicts: readonly Conflict[], sources: readonly ConflictSource[], kept: readonly KeptConflict[]): Conflict[] {
  const text = new Map(sources.map((s) => [s.ref, s.text]));
  return conflicts.filter((c) => text.get(c.a.ref) === c.a.text && text.get(c.b.ref) === c.b.text && !isKept(c, kept));
}

/** What a character remembers of its checks: see Character.conflictChecks. */
export type ConflictChecks = ConflictChecksRecord;

/**
 * The statements (of `sources`) never checked with their current text: the
 * ones an import, an interview or an edit made while the editor was closed
 * brought in. No record yet = all of them.
 */
export function uncheckedSources(sources: readonly ConflictSource[], checks: ConflictChecks | undefined): ConflictSource[] {
  const checked = new Set((checks?.checked ?? []).map((c) => pairKey(c.ref, c.text)));
  return sources.filter((s) => !checked.has(pairKey(s.ref, s.text)));
}

/**
 * The record after `checked` were tested against `sources` and `found`
 * came back. Entries for statements since deleted, disabled or edited are
 * dropped (the record never grows with history); the earlier conflicts of a
 * re-checked statement are replaced by the new ones. Only statement pairs are
 * remembered: a card sentence is checked on demand ("Check card").
 */
export function recordChecks(
  previous: ConflictChecks | undefined,
  sources: readonly ConflictSource[],
  checked: readonly ConflictSource[],
  found: readonly Conflict[],
): ConflictChecks {
  const text = new Map(sources.map((s) => [s.ref, s.text]));
  const current = (side: { ref: string; text: string }) => text.get(side.ref) === side.text;
  const rechecked = new Set(checked.filter(current).map((c) => c.ref));
  const seen = new Set<string>();
  const list: ConflictSource[] = [];
  for (const side of [...(previous?.checked ?? []), ...checked]) {
    const key = pairKey(side.ref, side.text);
    if (!current(side) || seen.has(key)) continue;
    seen.add(key);
    list.push({ ref: side.ref, text: side.text, kind: 'statement' });
  }
  const kept = (previous?.found ?? []).filter((c) => current(c.a) && current(c.b) && !rechecked.has(c.a.ref) && !rechecked.has(c.b.ref));
  const fresh = found
    .filter((c) => c.a.kind === 'statement' && c.b.kind === 'statement' && current(c.a) && current(c.b))
    .map((c) => ({ a: { ref: c.a.ref, text: c.a.text }, b: { ref: c.b.ref, text: c.b.text }, contradiction: c.contradiction }));
  return { checked: list.map(({ ref, text: t }) => ({ ref, text: t })), found: [...kept, ...fresh] };
}

/** The remembered conflicts as conflicts (still current ones only: both texts unchanged). */
export function rememberedConflicts(checks: ConflictChecks | undefined, sources: readonly ConflictSource[]): Conflict[] {
  const text = new Map(sources.map((s) => [s.ref, s.text]));
  return (checks?.found ?? [])
    .filter((c) => text.get(c.a.ref) === c.a.text && text.get(c.b.ref) === c.b.text)
    .map((c) => ({
      a: { ...c.a, kind: 'statement' as const },
      b: { ...c.b, kind: 'statement' as const },
      contradiction: c.contradiction,
    }));
}

/** Conflicts from several lists, each unordered pair once (the first list's entry wins). */
export function mergeConflicts(...lists: readonly (readonly Conflict[])[]): Conflict[] {
  const seen = new Set<string>();
  const out: Conflict[] = [];
  for (const c of lists.flat()) {
    const key = pairKey(c.a.ref, c.b.ref);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c);
  }
  return out;
}
