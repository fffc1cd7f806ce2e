/**
 * Scaling APC to characters with many statements (up to ~200), and keeping the
 * wait after a reply short.
 *
 * Full APC runs NLI on every statement × every reply sentence. At ~25–40 pairs/s
 * in the browser, 40 statements × 5 sentences already takes 5–8 s, so past
 * FULL_MAX_STATEMENTS the checker prunes pairs:
 *
 * - every sentence is checked against the top-K statements by relevance r
 *   (the ones the user's turn asked about: the r·Pe term is theirs), and
 * - each sentence is also checked against the top-K *other* statements by
 *   similarity to that sentence (what the reply talks about is what it can
 *   contradict; embedding cosine), and beyond K against every other statement at least
 *   PRUNE_ALWAYS_CHECK_SIMILARITY similar, up to PRUNE_MAX_BY_SIMILARITY_PER_SENTENCE
 *   (a card with redundant statements has several that one sentence can break);
 * - plus PRUNE_PROBES_PER_SENTENCE *probe* pairs: statements picked at evenly
 *   spaced ranks of the ones left out (by similarity), scored like the others.
 *
 * Every other pair is estimated, not scored, from the reply's probe pairs
 * (backgroundPool: what the model says about a statement the sentence is not
 * about): a statement with k skipped sentences gets the expected maximum of k
 * draws from that pool (expectedMax), since Pc_s and Pe_s are maxima over
 * sentences. The estimate enters APC_s only; a statement is called
 * contradicted or kept only by a scored pair, and only a scored sentence is
 * flagged. With an empty pool skipped pairs count as Pc = Pe = 0.
 *
 * Why probes. Real NLI models give unrelated pairs a small but non-zero Pc
 * (a few percent) and Pe; counting them as 0 put a pruned score above the full
 * score (+1.8 / +2.8 points on the synthetic data of pruning.test.ts at 50 /
 * 200 statements, and −9 / −25 points on random-weight models, whose every pair
 * looks alike). Pool values ≥ 0.5 are events (a probe that happens to
 * contradict), not background, and stay out of the estimate.
 *
 * The approximation, precisely. Let Pc, Pe be the true maxima over all
 * sentences and Pc' , Pe' the maxima over the scored pairs and the estimates
 * (0 when none). Then
 *
 *   APC'_s − APC_s = (1 − r)·(Pc − Pc') − r·(Pe − Pe')
 *
 * Without estimates Pc' ≤ Pc and Pe' ≤ Pe, so |APC'_s − APC_s| ≤
 * (1 − r)·Pc + r·Pe (pruningErrorBound), and the total is off by at most the sum
 * over pruned statements. With estimates the error is (1 − r)·|Pc − Pc'| +
 * r·|Pe − Pe'| at most, small exactly when the skipped pairs look like the
 * probes. Pruning over-states APC when a skipped pair contradicts and
 * under-states it when a skipped pair entails a relevant statement; a sentence
 * dissimilar to the statement rarely gets a confident contradiction from NLI.
 * That is an empirical property of NLI models, not a guarantee: a contradiction
 * phrased with no word or topic in common with the statement can be missed.
 *
 * Don't compare scores across strategies; ReplyVerdict.strategy says which one
 * produced a number.
 *
 * Budget: between (K_r + K_s + probes) and (K_r + max_s + probes) pairs per
 * sentence — 14 to 22 by default, whatever the statement count.
 *
 * Fast first, exact next (live checking only). During streaming a sentence is
 * checked as soon as the next one starts, so its pairs are scored while the
 * reply goes on. The last sentence only exists when the reply ends, and the
 * writer waits for its pairs; and when sentences come faster than the model
 * scores them, a backlog adds to that wait. Beyond TAIL_FULL_MAX_STATEMENTS
 * the live checker therefore plans with FAST_PLAN_OPTIONS (12–14 pairs) the
 * last sentence and any sentence that completes while an earlier one is still
 * being scored, delivers the verdict, and then scores the skipped pairs to
 * replace it with the exact one (liveCheck.ts).
 *
 * Adapting to the machine (live checking only). How many pairs a sentence can
 * afford depends on the throughput, which another process on the same cores
 * can cut by half or more mid-reply. The live checker measures pairs/s from
 * its own model calls (nextPairRate) and gives each plan a pair budget
 * (livePairBudget): while streaming, what the model scores before the next
 * sentence is due; after the reply ends, what it scores in LIVE_TAIL_SECONDS.
 * Sentences that queued up while a call was running are planned together in
 * one call, sharing one budget. A budget below a plan's size shrinks it
 * (budgetedPlanOptions: fewer relevance and similarity pairs, then fewer
 * probes), never below LIVE_MIN_PAIRS_PER_SENTENCE; the pairs skipped this way
 * are scored by the exact pass after the verdict, like the fast tail's.
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
 * topic.
 */
export const PRUNE_ALWAYS_CHECK_SIMILARITY = 0.5;
/** Pruned mode: cap on similarity pairs per sentence, including the top K. */
export const PRUNE_MAX_BY_SIMILARITY_PER_SENTENCE = 12;
/** Pruned mode: probe pairs per sentence, whose median estimates the skipped pairs. */
export const PRUNE_PROBES_PER_SENTENCE = 2;
/**
 * Live checking: above this many statements the last sentence of a reply (the
 * one the writer waits for) is planned like a pruned one first, and made exact
 * right after the verdict. 16 pruned-plan pairs (8 + 4 + 2 probes at least)
 * take ~0.4–0.6 s at 25–40 pairs/s.
 */
export const TAIL_FULL_MAX_STATEMENTS = 16;
/**
 * The plan for a sentence checked fast first (see the file comment): 6 by r,
 * 4–6 by similarity, 2 probes — 12 to 14 pairs, ~0.3–0.55 s at 25–40 pairs/s.
 */
export const FAST_PLAN_OPTIONS: Readonly<Pick<PruningOptions, 'topKByRelevance' | 'topKBySimilarity' | 'maxBySimilarity'>> =
  Object.freeze({ topKByRelevance: 6, topKBySimilarity: 4, maxBySimilarity: 6 });

export interface PruningOptions {
  fullMaxStatements: number;
  topKByRelevance: number;
  topKBySimilarity: number;
  alwaysCheckSimilarity: number;
  maxBySimilarity: number;
  probesPerSentence: number;
  tailFullMaxStatements: number;
}

export const DEFAULT_PRUNING_OPTIONS: Readonly<PruningOptions> = Object.freeze({
  fullMaxStatements: FULL_MAX_STATEMENTS,
  topKByRelevance: PRUNE_TOP_K_BY_RELEVANCE,
  topKBySimilarity: PRUNE_TOP_K_BY_SIMILARITY_PER_SENTENCE,
  alwaysCheckSimilarity: PRUNE_ALWAYS_CHECK_SIMILARITY,
  maxBySimilarity: PRUNE_MAX_BY_SIMILARITY_PER_SENTENCE,
  probesPerSentence: PRUNE_PROBES_PER_SENTENCE,
  tailFullMaxStatements: TAIL_FULL_MAX_STATEMENTS,
});

export type PairReason = 'full' | 'relevance' | 'similarity' | 'probe';

export interface PlannedPair {
  statementId: string;
  sentenceIndex: number;
  reason: PairReason;
}

function resolveOptions(opts: Partial<PruningOptions> | undefined): PruningOptions {
  const o = { ...DEFAULT_PRUNING_OPTIONS, ...opts };
  checkInteger('fullMaxStatements', o.fullMaxStatements, 0);
  checkInteger('topKByRelevance', o.topKByRelevance, 0);
  checkInteger('topKBySimilarity', o.topKBySimilarity, 0);
  checkInteger('maxBySimilarity', o.maxBySimilarity, o.topKBySimilarity);
  checkInteger('probesPerSentence', o.probesPerSentence, 0);
  checkInteger('tailFullMaxStatements', o.tailFullMaxStatements, 0);
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
 * `statements[i]`. Full up to `fullMaxStatements` statements unless `prune` is
 * set (the live checker's tail, see the file comment).
 * @throws {ConsistencyInputError} on mismatched lengths or out-of-range values.
 */
export function planSentencePairs(
  statements: readonly { statementId: string; r: number }[],
  sentenceIndex: number,
  similarity: readonly number[],
  opts?: Partial<PruningOptions>,
  prune = false,
): PlannedPair[] {
  const o = resolveOptions(opts);
  checkInteger('sentenceIndex', sentenceIndex, 0);
  if (similarity.length !== statements.length) {
    throw new ConsistencyInputError(`${similarity.length} similarities for ${statements.length} statements`);
  }
  const rs = statements.map((s) => checkProbability('r', s.r));
  similarity.forEach(checkSimilarity);
  if (!prune && statements.length <= o.fullMaxStatements) {
    return topK(rs, rs.length).map((i) => ({ statementId: statements[i]!.statementId, sentenceIndex, reason: 'full' }));
  }
  const byR = topK(rs, o.topKByRelevance);
  const ranked = topK(similarity, o.maxBySimilarity, new Set(byR));
  const bySim = ranked.filter((i, rank) => rank < o.topKBySimilarity || similarity[i]! >= o.alwaysCheckSimilarity);
  // Probes: evenly spaced ranks (by similarity) of the statements left out, so
  // they look like the pairs they stand for.
  const rest = topK(similarity, statements.length, new Set([...byR, ...bySim]));
  const m = Math.min(o.probesPerSentence, rest.length);
  const probes = Array.from({ length: m }, (_, k) => rest[Math.floor(((k + 0.5) * rest.length) / m)]!);
  const pair = (reason: PairReason) => (i: number) => ({ statementId: statements[i]!.statementId, sentenceIndex, reason });
  return [...byR.map(pair('relevance')), ...bySim.map(pair('similarity')), ...probes.map(pair('probe'))];
}

// ---------------------------------------------------------------------------
// Live budget (see the file comment)

/** What the writer should wait after the reply ends, at the measured throughput. */
export const LIVE_TAIL_SECONDS = 0.35;
/**
 * Floor of a budgeted sentence plan under the full strategy (≤ FULL_MAX_STATEMENTS
 * statements, where the exact pass follows): ~1 by r, ~4 by similarity, 1 probe.
 * On the synthetic data of pruning.test.ts a busy machine's budgets (10 pairs
 * per streamed sentence, 6 for the last) stay within 0.8 points of full APC at 30 statements.
 */
export const LIVE_MIN_PAIRS_PER_SENTENCE = 6;
/**
 * Floor under the pruned strategy: with hundreds of statements several are
 * similar to one sentence, and a plan that skips them misses contradictions —
 * 12 pairs per sentence stay within ~1 point of full APC on the synthetic data
 * at 50 and 200 statements where 6 were ~3 points off.
 */
export const LIVE_MIN_PRUNED_PAIRS_PER_SENTENCE = 12;
/**
 * Share of the expected time to the next sentence a streaming plan may fill:
 * throughput on a shared machine varies call to call, and an overrun delays
 * every sentence after it.
 */
export const LIVE_STREAM_HEADROOM = 0.8;
/** A streaming plan may always take this long (a burst of sentences, a first interval not yet seen). */
export const LIVE_MIN_STREAM_SECONDS = 0.3;
/** Expected time between sentences before two have been seen (~15 tokens at ~18 tokens/s). */
export const LIVE_DEFAULT_SENTENCE_SECONDS = 1;
/** Weight of the newest measurement in the moving averages of throughput and sentence interval. */
export const LIVE_RATE_SMOOTHING = 0.5;

/**
 * Exponential moving average of a rate or an interval: `next` when there is
 * no previous value.
 * @throws {ConsistencyInputError} when `next` is not a positive finite number.
 */
export function smoothed(previous: number | null, next: number, weight = LIVE_RATE_SMOOTHING): number {
  if (!(next > 0) || !Number.isFinite(next)) throw new ConsistencyInputError(`cannot average ${next}`);
  return previous === null ? next : weight * next + (1 - weight) * previous;
}

/**
 * The throughput after a model call scored `pairs` pairs in `seconds`.
 * A call that took no measurable time, or scored nothing new, changes nothing.
 */
export function nextPairRate(previous: number | null, pairs: number, seconds: number): number | null {
  if (!(pairs > 0) || !(seconds > 0) || !Number.isFinite(seconds)) return previous;
  return smoothed(previous, pairs / seconds);
}

export interface LiveBudgetInput {
  /** Measured throughput; null before the first measurement (no limit then). */
  pairsPerSecond: number | null;
  /** Time the plan may take. */
  seconds: number;
  /** Sentences planned together in this call. */
  sentences: number;
  /** Fewest pairs per sentence; default LIVE_MIN_PAIRS_PER_SENTENCE. */
  floor?: number;
}

/**
 * Pairs per sentence for one live call: throughput × time, shared by the
 * sentences, at least `floor`; Infinity while nothing has been measured.
 * @throws {ConsistencyInputError} on a non-positive sentence count or a negative time.
 */
export function livePairBudget({ pairsPerSecond, seconds, sentences, floor = LIVE_MIN_PAIRS_PER_SENTENCE }: LiveBudgetInput): number {
  checkInteger('sentences', sentences, 1);
  checkInteger('floor', floor, 1);
  if (!(seconds >= 0)) throw new ConsistencyInputError(`seconds must be ≥ 0, got ${seconds}`);
  if (pairsPerSecond === null) return Number.POSITIVE_INFINITY;
  return Math.max(floor, Math.floor((pairsPerSecond * seconds) / sentences));
}

/** The most pairs planSentencePairs plans for one sentence with these options (pruned). */
export function maxPlanPairs(opts?: Partial<PruningOptions>): number {
  const o = resolveOptions(opts);
  return o.topKByRelevance + o.maxBySimilarity + o.probesPerSentence;
}

/**
 * Options for a pruned sentence plan of about `budget` pairs (never fewer than
 * `floor`), shrunk from `opts`: probes first (the estimate of every skipped
 * pair rests on them; one below 10 pairs), then a quarter of the rest by
 * relevance and the others by similarity — where contradictions are, so they
 * fill the budget even below the similarity threshold. `opts` itself when its
 * largest plan fits.
 * @throws {ConsistencyInputError} on invalid options or a budget that is not a number.
 */
export function budgetedPlanOptions(
  budget: number,
  opts?: Partial<PruningOptions>,
  floor = LIVE_MIN_PAIRS_PER_SENTENCE,
): PruningOptions {
  const o = resolveOptions(opts);
  checkInteger('floor', floor, 1);
  if (Number.isNaN(budget)) throw new ConsistencyInputError('budget is NaN');
  const b = Math.max(floor, Math.floor(budget));
  if (b >= maxPlanPairs(o)) return o;
  const probes = Math.min(o.probesPerSentence, b >= 10 ? 2 : 1);
  const rest = Math.max(0, b - probes);
  const topKByRelevance = Math.min(o.topKByRelevance, Math.max(1, Math.floor(rest / 4)));
  const bySimilarity = Math.min(o.maxBySimilarity, Math.max(0, rest - topKByRelevance));
  return { ...o, topKByRelevance, topKBySimilarity: bySimilarity, maxBySimilarity: bySimilarity, probesPerSentence: probes };
}

/** The NLI result of one scored pair. */
export interface PairScore {
  statementId: string;
  sentenceIndex: number;
  pc: number;
  pe: number;
  /** A probe pair (PairReason 'probe'): also feeds the estimate of the skipped pairs. */
  probe?: boolean;
}

export interface ApproximateApcInput {
  statements: readonly { statementId: string; statementVersion: number; r: number }[];
  plan: {
    strategy: ScoringStrategy;
    /** Statements with at least one pair left out (their APC_s is approximate). */
    prunedStatementIds: readonly string[];
  };
  /** Scored pairs (planned ones; extra ones, e.g. from the cache, only make it more exact). */
  scores: readonly PairScore[];
  /** Sentences in the reply; default: the distinct sentence indices in `scores`. */
  sentenceCount?: number;
  modelId: string;
  thresholds?: Partial<ApcThresholds>;
}

/**
 * The background pool: what the model says about pairs that are (mostly) not
 * related. It is the probe pairs plus every pair of a sentence that was scored
 * against all `statementCount` statements (in the live checker's fast-first
 * mode, the sentences checked in full during streaming; most of their pairs are
 * unrelated). Values at or above `eventProb` are left out, separately for Pc
 * and Pe: a probe that happens to contradict is an event, not background, and
 * extrapolating it to a hundred skipped pairs would invent contradictions.
 */
export interface BackgroundPool {
  /** Pool values of Pc below eventProb, sorted ascending. */
  pc: number[];
  /** Pool values of Pe below eventProb, sorted ascending. */
  pe: number[];
}

export function backgroundPool(scores: readonly PairScore[], statementCount = Infinity, eventProb = 0.5): BackgroundPool {
  const perSentence = new Map<number, number>();
  for (const p of scores) perSentence.set(p.sentenceIndex, (perSentence.get(p.sentenceIndex) ?? 0) + 1);
  const pool = scores.filter((p) => p.probe || (perSentence.get(p.sentenceIndex) ?? 0) >= statementCount);
  const below = (xs: number[]) => xs.filter((x) => x < eventProb).sort((a, b) => a - b);
  return {
    pc: below(pool.map((p) => checkProbability('pc', p.pc))),
    pe: below(pool.map((p) => checkProbability('pe', p.pe))),
  };
}

/**
 * E[max(floor, X_1, …, X_k)] for X_i drawn with replacement from `sorted`
 * (ascending): Σ_i max(floor, v_i)·((i/n)^k − ((i−1)/n)^k), or `floor` when
 * k = 0 or the pool is empty. Pc_s and Pe_s are maxima over sentences, so a
 * statement with k skipped sentences gets the expected max of k background
 * draws, not the typical single value.
 */
export function expectedMax(sorted: readonly number[], k: number, floor = 0): number {
  const n = sorted.length;
  if (k <= 0 || n === 0) return floor;
  let e = 0;
  for (let i = 1; i <= n; i++) e += Math.max(floor, sorted[i - 1]!) * ((i / n) ** k - ((i - 1) / n) ** k);
  return Math.min(1, Math.max(floor, e));
}

/**
 * APC from the pairs actually scored. A pruned statement's skipped pairs are
 * estimated from the background pool (backgroundPool): its Pc and Pe become
 * expectedMax(pool, skipped sentences, scored max). With an empty pool the
 * skipped pairs count as neutral (Pc = Pe = 0). Exact when every pair was
 * scored (full strategy). `background` reports the pool's means (k = 1) and size.
 * @throws {ConsistencyInputError} when a score names an unknown statement, or on bad probabilities.
 */
export function approximateApc(
  input: ApproximateApcInput,
): ReplyVerdict & { background: { pc: number; pe: number; pool: number } | null } {
  const bySt = new Map<string, SentenceScore[]>(input.statements.map((s) => [s.statementId, []]));
  const sentenceIndices = new Set<number>();
  for (const p of input.scores) {
    const list = bySt.get(p.statementId);
    if (!list) throw new ConsistencyInputError(`score for unknown statement ${p.statementId}`);
    list.push({ sentenceIndex: p.sentenceIndex, pc: p.pc, pe: p.pe });
    sentenceIndices.add(p.sentenceIndex);
  }
  const sentenceCount = input.sentenceCount ?? sentenceIndices.size;
  const pruned = new Set(input.plan.prunedStatementIds);
  const pool = pruned.size > 0 ? backgroundPool(input.scores, input.statements.length) : null;
  const usable = pool !== null && (pool.pc.length > 0 || pool.pe.length > 0);
  const verdict = scoreReply({
    statements: input.statements.map((s) => {
      const sentences = bySt.get(s.statementId)!;
      const skipped = sentenceCount - new Set(sentences.map((x) => x.sentenceIndex)).size;
      const estimate =
        usable && pruned.has(s.statementId) && skipped > 0
          ? {
              pc: expectedMax(pool.pc, skipped, Math.max(0, ...sentences.map((x) => x.pc))),
              pe: expectedMax(pool.pe, skipped, Math.max(0, ...sentences.map((x) => x.pe))),
            }
          : undefined;
      return { ...s, sentences, pruned: pruned.has(s.statementId), ...(estimate ? { estimate } : {}) };
    }),
    modelId: input.modelId,
    strategy: input.plan.strategy,
    thresholds: input.thresholds,
  });
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const background = usable ? { pc: mean(pool.pc), pe: mean(pool.pe), pool: Math.max(pool.pc.length, pool.pe.length) } : null;
  return { ...verdict, background };
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
