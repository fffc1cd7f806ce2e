/**
 * Scaling APC to characters with many statements (up to ~200).
 *
 * Full APC runs NLI on every statement × every reply sentence. At ~13–25 pairs/s
 * in the browser, 40 statements × 5 sentences already takes 8–15 s, so past
 * FULL_MAX_STATEMENTS the checker prunes pairs:
 *
 * - every sentence is checked against the top-K statements by relevance r
 *   (the ones the user's turn asked about: the r·Pe term is theirs), and
 * - each sentence is also checked against the top-K *other* statements by
 *   similarity to that sentence (what the reply talks about is what it can
 *   contradict; embedding cosine, or lexicalSimilarity when embeddings are not
 *   loaded), and beyond K against every other statement at least
 *   PRUNE_ALWAYS_CHECK_SIMILARITY similar, up to PRUNE_MAX_BY_SIMILARITY_PER_SENTENCE
 *   (a card with redundant statements has several that one sentence can break).
 *
 * Every other pair is assumed neutral: Pc = Pe = 0. A wholly pruned statement
 * therefore scores APC_s ≈ (1 − r)·1 + r·0 = 1 − r.
 *
 * The approximation, precisely. Let Pc, Pe be the true maxima over all
 * sentences and Pc' ≤ Pc, Pe' ≤ Pe the maxima over the scored pairs only
 * (0 when none). Then
 *
 *   APC'_s − APC_s = (1 − r)·(Pc − Pc') − r·(Pe − Pe')
 *
 * so |APC'_s − APC_s| ≤ max((1 − r)·(Pc − Pc'), r·(Pe − Pe')) ≤ (1 − r)·Pc + r·Pe
 * (pruningErrorBound), and the total is off by at most the sum over pruned
 * statements. Pruning over-states APC when a skipped pair contradicts and
 * under-states it when a skipped pair entails a relevant statement. The bound is
 * small exactly for the pairs pruning skips: low r keeps r·Pe small, and a
 * sentence dissimilar to the statement rarely gets a confident contradiction
 * from NLI, keeping (1 − r)·Pc small. The latter is an empirical property of
 * NLI models, not a guarantee: a contradiction phrased with no word or topic in
 * common with the statement can be missed.
 *
 * Bias: real NLI models give unrelated pairs a small but non-zero Pc (a few
 * percent), which pruning treats as 0, so a pruned score sits a few points
 * above the full score of the same reply (≈ 4–5 points on the synthetic data in
 * pruning.test.ts). Don't compare scores across strategies; ReplyVerdict.strategy
 * says which one produced a number.
 *
 * Budget: between (K_r + K_s) and (K_r + max_s) pairs per sentence — 12 to 20 by
 * default, so 60 to 100 for a five-sentence reply, whatever the statement count.
 */
import { type ApcThresholds, type ReplyVerdict, type ScoringStrategy, type SentenceScore, scoreReply } from './apc';
import { ConsistencyInputError } from './errors';
import { checkInteger, checkProbability } from './validate';

/** Up to this many enabled statements, every pair is scored (exact APC). */
export const FULL_MAX_STATEMENTS = 40;
/** Pruned mode: statements with the highest r, checked against every sentence. */
export const PRUNE_TOP_K_BY_RELEVANCE = 8;
/** Pruned mode: per sentence, the most similar statements outside the relevance set. */
export const PRUNE_TOP_K_BY_SIMILARITY_PER_SENTENCE = 4;
/**
 * Pruned mode: a pair at least this similar is checked even beyond the top K.
 * In MiniLM cosine, 0.5 is well above unrelated text (≈ 0–0.2), i.e. the same
 * topic; in lexicalSimilarity units it means half the content words shared.
 */
export const PRUNE_ALWAYS_CHECK_SIMILARITY = 0.5;
/** Pruned mode: cap on similarity pairs per sentence, including the top K. */
export const PRUNE_MAX_BY_SIMILARITY_PER_SENTENCE = 12;

export interface PruningOptions {
  fullMaxStatements: number;
  topKByRelevance: number;
  topKBySimilarity: number;
  alwaysCheckSimilarity: number;
  maxBySimilarity: number;
}

export const DEFAULT_PRUNING_OPTIONS: Readonly<PruningOptions> = Object.freeze({
  fullMaxStatements: FULL_MAX_STATEMENTS,
  topKByRelevance: PRUNE_TOP_K_BY_RELEVANCE,
  topKBySimilarity: PRUNE_TOP_K_BY_SIMILARITY_PER_SENTENCE,
  alwaysCheckSimilarity: PRUNE_ALWAYS_CHECK_SIMILARITY,
  maxBySimilarity: PRUNE_MAX_BY_SIMILARITY_PER_SENTENCE,
});

export interface PruningCandidate {
  statementId: string;
  r: number;
  /** Similarity of the statement to each reply sentence, by sentence index, in [−1, 1]. */
  sentenceSimilarity: readonly number[];
}

export type PairReason = 'full' | 'relevance' | 'similarity';

export interface PlannedPair {
  statementId: string;
  sentenceIndex: number;
  reason: PairReason;
}

export interface PairPlan {
  strategy: ScoringStrategy;
  /** By sentence index; within a sentence, relevance pairs (r desc) then similarity pairs (similarity desc). */
  pairs: PlannedPair[];
  /** Statements with at least one pair left out (their APC_s is approximate). */
  prunedStatementIds: string[];
  /** Pairs assumed neutral instead of scored. */
  skippedPairCount: number;
}

function resolveOptions(opts: Partial<PruningOptions> | undefined): PruningOptions {
  const o = { ...DEFAULT_PRUNING_OPTIONS, ...opts };
  checkInteger('fullMaxStatements', o.fullMaxStatements, 0);
  checkInteger('topKByRelevance', o.topKByRelevance, 0);
  checkInteger('topKBySimilarity', o.topKBySimilarity, 0);
  checkInteger('maxBySimilarity', o.maxBySimilarity, o.topKBySimilarity);
  if (Number.isNaN(o.alwaysCheckSimilarity)) throw new ConsistencyInputError('alwaysCheckSimilarity is NaN');
  return o;
}

function checkSimilarity(x: number): number {
  if (!Number.isFinite(x) || x < -1 - 1e-9 || x > 1 + 1e-9) {
    throw new ConsistencyInputError(`similarity must be in [−1, 1], got ${x}`);
  }
  return x;
}

/** Indices of the k largest values, largest first; ties keep input order. */
function topK(values: readonly number[], k: number, exclude?: ReadonlySet<number>): number[] {
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) if (!exclude?.has(i)) idx.push(i);
  idx.sort((a, b) => values[b]! - values[a]! || a - b);
  return idx.slice(0, k);
}

/** The strategy for this many enabled statements. */
export function chooseStrategy(statementCount: number, opts?: Partial<PruningOptions>): ScoringStrategy {
  return statementCount <= resolveOptions(opts).fullMaxStatements ? 'full' : 'pruned';
}

/**
 * Pairs to score for one sentence, for the live checker: r is known when the
 * reply starts, a sentence's similarities when it completes, and the pairs of a
 * sentence do not depend on the other sentences. `similarity[i]` belongs to
 * `statements[i]`.
 * @throws {ConsistencyInputError} on mismatched lengths or out-of-range values.
 */
export function planSentencePairs(
  statements: readonly { statementId: string; r: number }[],
  sentenceIndex: number,
  similarity: readonly number[],
  opts?: Partial<PruningOptions>,
): PlannedPair[] {
  const o = resolveOptions(opts);
  checkInteger('sentenceIndex', sentenceIndex, 0);
  if (similarity.length !== statements.length) {
    throw new ConsistencyInputError(`${similarity.length} similarities for ${statements.length} statements`);
  }
  const rs = statements.map((s) => checkProbability('r', s.r));
  similarity.forEach(checkSimilarity);
  if (statements.length <= o.fullMaxStatements) {
    return topK(rs, rs.length).map((i) => ({ statementId: statements[i]!.statementId, sentenceIndex, reason: 'full' }));
  }
  const byR = topK(rs, o.topKByRelevance);
  const ranked = topK(similarity, o.maxBySimilarity, new Set(byR));
  const bySim = ranked.filter((i, rank) => rank < o.topKBySimilarity || similarity[i]! >= o.alwaysCheckSimilarity);
  return [
    ...byR.map((i) => ({ statementId: statements[i]!.statementId, sentenceIndex, reason: 'relevance' as const })),
    ...bySim.map((i) => ({ statementId: statements[i]!.statementId, sentenceIndex, reason: 'similarity' as const })),
  ];
}

/**
 * Plans the NLI pairs for a reply of `sentenceCount` sentences: all of them up
 * to `fullMaxStatements` statements, the pruned set beyond (see the file comment).
 * @throws {ConsistencyInputError} when a candidate's similarity list is not
 * `sentenceCount` long, a value is out of range, or statement ids repeat.
 */
export function planPairs(
  candidates: readonly PruningCandidate[],
  sentenceCount: number,
  opts?: Partial<PruningOptions>,
): PairPlan {
  checkInteger('sentenceCount', sentenceCount, 0);
  const ids = new Set<string>();
  for (const c of candidates) {
    if (ids.has(c.statementId)) throw new ConsistencyInputError(`duplicate statement id ${c.statementId}`);
    ids.add(c.statementId);
    if (c.sentenceSimilarity.length !== sentenceCount) {
      throw new ConsistencyInputError(
        `statement ${c.statementId} has ${c.sentenceSimilarity.length} similarities for ${sentenceCount} sentences`,
      );
    }
  }
  const strategy = chooseStrategy(candidates.length, opts);
  const pairs: PlannedPair[] = [];
  const counts = new Map<string, number>();
  for (let j = 0; j < sentenceCount; j++) {
    const sims = candidates.map((c) => c.sentenceSimilarity[j]!);
    for (const p of planSentencePairs(candidates, j, sims, opts)) {
      pairs.push(p);
      counts.set(p.statementId, (counts.get(p.statementId) ?? 0) + 1);
    }
  }
  const prunedStatementIds = candidates
    .filter((c) => (counts.get(c.statementId) ?? 0) < sentenceCount)
    .map((c) => c.statementId);
  return { strategy, pairs, prunedStatementIds, skippedPairCount: candidates.length * sentenceCount - pairs.length };
}

/** The NLI result of one scored pair. */
export interface PairScore {
  statementId: string;
  sentenceIndex: number;
  pc: number;
  pe: number;
}

export interface ApproximateApcInput {
  statements: readonly { statementId: string; statementVersion: number; r: number }[];
  plan: Pick<PairPlan, 'strategy' | 'prunedStatementIds'>;
  /** Scored pairs (planned ones; extra ones, e.g. from the cache, only make it more exact). */
  scores: readonly PairScore[];
  modelId: string;
  thresholds?: Partial<ApcThresholds>;
}

/**
 * APC from the pairs actually scored, unscored pairs counted as neutral. Exact
 * when every pair was scored (full strategy); otherwise within Σ pruningErrorBound
 * of the exact APC sum.
 * @throws {ConsistencyInputError} when a score names an unknown statement, or on bad probabilities.
 */
export function approximateApc(input: ApproximateApcInput): ReplyVerdict {
  const bySt = new Map<string, SentenceScore[]>(input.statements.map((s) => [s.statementId, []]));
  for (const p of input.scores) {
    const list = bySt.get(p.statementId);
    if (!list) throw new ConsistencyInputError(`score for unknown statement ${p.statementId}`);
    list.push({ sentenceIndex: p.sentenceIndex, pc: p.pc, pe: p.pe });
  }
  const pruned = new Set(input.plan.prunedStatementIds);
  return scoreReply({
    statements: input.statements.map((s) => ({
      ...s,
      sentences: bySt.get(s.statementId)!,
      pruned: pruned.has(s.statementId),
    })),
    modelId: input.modelId,
    strategy: input.plan.strategy,
    thresholds: input.thresholds,
  });
}

/**
 * Upper bound on |approximate − exact| APC_s for a statement whose pairs were
 * (partly) skipped, given its exact Pc and Pe: (1 − r)·Pc + r·Pe.
 * @throws {ConsistencyInputError} on a non-probability.
 */
export function pruningErrorBound(r: number, pc: number, pe: number): number {
  const rr = checkProbability('r', r);
  return (1 - rr) * checkProbability('pc', pc) + rr * checkProbability('pe', pe);
}

const STOPWORDS = new Set(
  [
    'the and for are but not you your she her his him they them their its with this that have has had was were ' +
    'will would can could should does did from into onto over under about than then there here what when where who ' +
    'whom which why how all any some just very more most much also only own same too out off again once being been ' +
    'our ours yours hers theirs himself herself itself myself yourself themselves each few other such nor',
  ]
    .join('')
    .split(' '),
);

/** Content words: lowercase letter/digit runs of 3+ characters, stopwords out, a plural "s" dropped. */
function contentWords(text: string, ignore?: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    let w = m[0];
    if (w.length < 3 || STOPWORDS.has(w) || ignore?.has(w)) continue;
    if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
    out.add(w);
  }
  return out;
}

/**
 * Word-overlap similarity in [0, 1] (overlap coefficient |A∩B| / min(|A|, |B|)
 * of content words), the fallback for pruning when no embedding model is
 * loaded. Pass the character's name (lowercase) in `ignore`: it appears in most statements
 * and would make every statement look similar to every sentence.
 */
export function lexicalSimilarity(a: string, b: string, ignore?: ReadonlySet<string>): number {
  const wa = contentWords(a, ignore);
  const wb = contentWords(b, ignore);
  if (wa.size === 0 || wb.size === 0) return 0;
  let common = 0;
  for (const w of wa) if (wb.has(w)) common++;
  return common / Math.min(wa.size, wb.size);
}
