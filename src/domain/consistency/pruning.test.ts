import { describe, expect, it } from 'vitest';
import { scoreReply } from './apc';
import { ConsistencyInputError } from './errors';
import {
  FULL_MAX_STATEMENTS,
  PRUNE_MAX_BY_SIMILARITY_PER_SENTENCE,
  PRUNE_TOP_K_BY_RELEVANCE,
  PRUNE_TOP_K_BY_SIMILARITY_PER_SENTENCE,
  PRUNE_PROBES_PER_SENTENCE,
  TAIL_FULL_MAX_STATEMENTS,
  approximateApc,
  backgroundPool,
  expectedMax,
  chooseStrategy,
  LIVE_MIN_PAIRS_PER_SENTENCE,
  LIVE_MIN_PRUNED_PAIRS_PER_SENTENCE,
  budgetedPlanOptions,
  livePairBudget,
  maxPlanPairs,
  nextPairRate,
  planSentencePairs,
  pruningErrorBound,
  smoothed,
  FAST_PLAN_OPTIONS,
  DEFAULT_PRUNING_OPTIONS,
  type PairScore,
  type PlannedPair,
  type PruningOptions,
} from './pruning';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface PruningCandidate {
  statementId: string;
  r: number;
  /** Similarity to each reply sentence, by sentence index. */
  sentenceSimilarity: readonly number[];
}

/** A whole reply planned sentence by sentence, as the live checker does it. */
function planPairs(candidates: readonly PruningCandidate[], sentenceCount: number, opts?: Partial<PruningOptions>) {
  const pairs: PlannedPair[] = [];
  for (let j = 0; j < sentenceCount; j++) {
    pairs.push(...planSentencePairs(candidates, j, candidates.map((c) => c.sentenceSimilarity[j]!), opts));
  }
  const covered = (id: string) => pairs.filter((p) => p.statementId === id).length;
  return {
    strategy: chooseStrategy(candidates.length, opts),
    pairs,
    prunedStatementIds: candidates.filter((c) => covered(c.statementId) < sentenceCount).map((c) => c.statementId),
    skippedPairCount: candidates.length * sentenceCount - pairs.length,
  };
}

// Small pruned example, options shrunk so it can be checked by hand.
const small: PruningCandidate[] = [
  { statementId: 's0', r: 0.9, sentenceSimilarity: [0.1, 0.2] },
  { statementId: 's1', r: 0.1, sentenceSimilarity: [0.8, 0.0] },
  { statementId: 's2', r: 0.5, sentenceSimilarity: [0.3, 0.3] },
  { statementId: 's3', r: 0.2, sentenceSimilarity: [0.0, 0.7] },
  { statementId: 's4', r: 0.05, sentenceSimilarity: [0.2, 0.1] },
];
const smallOpts = { fullMaxStatements: 2, topKByRelevance: 1, topKBySimilarity: 1, alwaysCheckSimilarity: 0.9, maxBySimilarity: 2, probesPerSentence: 0 };

describe('chooseStrategy', () => {
  it('is full up to FULL_MAX_STATEMENTS and pruned beyond', () => {
    expect(FULL_MAX_STATEMENTS).toBe(40);
    expect(chooseStrategy(40)).toBe('full');
    expect(chooseStrategy(41)).toBe('pruned');
    expect(chooseStrategy(3, { fullMaxStatements: 2 })).toBe('pruned');
  });
});

describe('planSentencePairs', () => {
  it('plans every pair in full mode, by sentence then r', () => {
    const plan = planPairs(small.slice(0, 3), 2);
    expect(plan.strategy).toBe('full');
    expect(plan.pairs.map((p) => `${p.statementId}@${p.sentenceIndex}:${p.reason}`)).toEqual([
      's0@0:full', 's2@0:full', 's1@0:full',
      's0@1:full', 's2@1:full', 's1@1:full',
    ]);
    expect(plan.prunedStatementIds).toEqual([]);
    expect(plan.skippedPairCount).toBe(0);
  });

  it('keeps the top-r statements everywhere and adds the most similar others per sentence', () => {
    const plan = planPairs(small, 2, smallOpts);
    expect(plan.strategy).toBe('pruned');
    expect(plan.pairs).toEqual([
      { statementId: 's0', sentenceIndex: 0, reason: 'relevance' },
      { statementId: 's1', sentenceIndex: 0, reason: 'similarity' },
      { statementId: 's0', sentenceIndex: 1, reason: 'relevance' },
      { statementId: 's3', sentenceIndex: 1, reason: 'similarity' },
    ]);
    expect(plan.prunedStatementIds).toEqual(['s1', 's2', 's3', 's4']);
    expect(plan.skippedPairCount).toBe(6);
  });

  it('adds pairs over the similarity threshold beyond the top K, up to the cap', () => {
    const opts = { ...smallOpts, alwaysCheckSimilarity: 0.25, maxBySimilarity: 2 };
    // sentence 0 others by sim: s1 .8, s2 .3 (≥ .25), s4 .2; sentence 1: s3 .7, s2 .3, s4 .1
    const plan = planPairs(small, 2, opts);
    expect(plan.pairs.map((p) => `${p.statementId}@${p.sentenceIndex}`)).toEqual(['s0@0', 's1@0', 's2@0', 's0@1', 's3@1', 's2@1']);
    const capped = planPairs(small, 2, { ...opts, alwaysCheckSimilarity: -1, maxBySimilarity: 1 });
    expect(capped.pairs).toHaveLength(4);
    expect(() => planPairs(small, 2, { ...opts, maxBySimilarity: 0 })).toThrow(ConsistencyInputError);
  });

  it('bounds the pairs for 200 statements per sentence', () => {
    const rand = mulberry32(7);
    const many = Array.from({ length: 200 }, (_, i) => ({
      statementId: `s${i}`,
      r: rand(),
      sentenceSimilarity: Array.from({ length: 5 }, () => rand() * 2 - 1),
    }));
    // Uniform similarities put ~50 statements per sentence over the threshold: the cap binds.
    const perSentence = PRUNE_TOP_K_BY_RELEVANCE + PRUNE_MAX_BY_SIMILARITY_PER_SENTENCE + PRUNE_PROBES_PER_SENTENCE;
    expect(planPairs(many, 5).pairs).toHaveLength(perSentence * 5);
    const plan = planPairs(many, 5, { alwaysCheckSimilarity: Number.POSITIVE_INFINITY });
    expect(plan.pairs).toHaveLength((PRUNE_TOP_K_BY_RELEVANCE + PRUNE_TOP_K_BY_SIMILARITY_PER_SENTENCE + PRUNE_PROBES_PER_SENTENCE) * 5);
    expect(plan.skippedPairCount).toBe(1000 - 70);
    expect(plan.pairs.filter((p) => p.reason === 'probe')).toHaveLength(PRUNE_PROBES_PER_SENTENCE * 5);
    const topR = [...many].sort((a, b) => b.r - a.r).slice(0, PRUNE_TOP_K_BY_RELEVANCE).map((c) => c.statementId);
    for (let j = 0; j < 5; j++) {
      const ofSentence = plan.pairs.filter((p) => p.sentenceIndex === j);
      expect(ofSentence.filter((p) => p.reason === 'relevance').map((p) => p.statementId)).toEqual(topR);
      const others = many.filter((c) => !topR.includes(c.statementId));
      const topSim = others
        .sort((a, b) => b.sentenceSimilarity[j]! - a.sentenceSimilarity[j]!)
        .slice(0, PRUNE_TOP_K_BY_SIMILARITY_PER_SENTENCE)
        .map((c) => c.statementId);
      expect(ofSentence.filter((p) => p.reason === 'similarity').map((p) => p.statementId)).toEqual(topSim);
    }
    expect(plan.prunedStatementIds).not.toContain(topR[0]);
  });

  it('breaks ties in input order', () => {
    const tied = [0, 1, 2, 3].map((i) => ({ statementId: `t${i}`, r: 0.5, sentenceSimilarity: [0.4] }));
    const plan = planPairs(tied, 1, { fullMaxStatements: 0, topKByRelevance: 1, topKBySimilarity: 2, probesPerSentence: 0 });
    expect(plan.pairs.map((p) => p.statementId)).toEqual(['t0', 't1', 't2']);
  });

  it('adds probes at evenly spaced similarity ranks of the statements left out', () => {
    // Sentence 0 leaves out s2 (.3), s4 (.2), s3 (0); sentence 1 leaves out s2 (.3), s4 (.1), s1 (0).
    const one = planPairs(small, 2, { ...smallOpts, probesPerSentence: 1 });
    expect(one.pairs.filter((p) => p.reason === 'probe').map((p) => `${p.statementId}@${p.sentenceIndex}`)).toEqual(['s4@0', 's4@1']);
    // Two probes: ranks ⌊0.5·3/2⌋ = 0 and ⌊1.5·3/2⌋ = 2.
    const two = planPairs(small, 2, { ...smallOpts, probesPerSentence: 2 });
    expect(two.pairs.filter((p) => p.reason === 'probe').map((p) => `${p.statementId}@${p.sentenceIndex}`)).toEqual([
      's2@0', 's3@0', 's2@1', 's1@1',
    ]);
    // Never more probes than statements left out, and none in full mode.
    expect(planPairs(small, 2, { ...smallOpts, probesPerSentence: 9 }).skippedPairCount).toBe(0);
    expect(planPairs(small.slice(0, 2), 2, { ...smallOpts, probesPerSentence: 2 }).pairs.every((p) => p.reason === 'full')).toBe(true);
  });

  it('prunes a sentence below fullMaxStatements when asked (the live tail)', () => {
    const sims = small.map((c) => c.sentenceSimilarity[0]!);
    expect(planSentencePairs(small, 0, sims).every((p) => p.reason === 'full')).toBe(true);
    const tail = planSentencePairs(small, 0, sims, { topKByRelevance: 1, topKBySimilarity: 1, maxBySimilarity: 1, probesPerSentence: 1 }, true);
    expect(tail.map((p) => `${p.statementId}:${p.reason}`)).toEqual(['s0:relevance', 's1:similarity', 's4:probe']);
    expect(TAIL_FULL_MAX_STATEMENTS).toBe(16);
  });

  it('rejects inconsistent input', () => {
    expect(() => planSentencePairs([{ statementId: 'x', r: 0.5 }], 0, [1.5])).toThrow(ConsistencyInputError);
    expect(() => planSentencePairs([{ statementId: 'x', r: 2 }], 0, [0.5])).toThrow(ConsistencyInputError);
    expect(() => planSentencePairs(small, 0, [0.1])).toThrow(ConsistencyInputError);
    expect(() => planSentencePairs(small, -1, small.map(() => 0))).toThrow(ConsistencyInputError);
    expect(() => planSentencePairs(small, 0, small.map(() => 0), { topKByRelevance: -1 })).toThrow(ConsistencyInputError);
  });
});

describe('approximateApc', () => {
  it('scores scored pairs and counts the rest as neutral (hand-computed)', () => {
    const plan = planPairs(small, 2, smallOpts);
    const scores: PairScore[] = [
      { statementId: 's0', sentenceIndex: 0, pc: 0, pe: 0.8 },
      { statementId: 's1', sentenceIndex: 0, pc: 0.9, pe: 0 },
      { statementId: 's0', sentenceIndex: 1, pc: 0.1, pe: 0.2 },
      { statementId: 's3', sentenceIndex: 1, pc: 0.05, pe: 0.6 },
    ];
    const v = approximateApc({
      statements: small.map((c) => ({ statementId: c.statementId, statementVersion: 1, r: c.r })),
      plan,
      scores,
      modelId: 'm',
    });
    // s0 .1·.9 + .9·.8 = .81 · s1 .9·.1 = .09 · s2 1 − .5 · s3 .8·.95 + .2·.6 = .88 · s4 1 − .05
    expect(v.statements.map((s) => s.apc)).toEqual([0.81, 0.09, 0.5, 0.88, 0.95].map((x) => expect.closeTo(x, 12)));
    expect(v.apcSum).toBeCloseTo(3.23, 12);
    expect(v.apcPercent).toBeCloseTo(64.6, 10);
    expect(v.statements.map((s) => s.status)).toEqual(['kept', 'contradicted', 'not-addressed', 'not-addressed', 'not-addressed']);
    expect(v).toMatchObject({ strategy: 'pruned', prunedCount: 4, verdict: 'contradicts', contradictions: 1, background: null });
    expect(v.statements.map((s) => s.pruned)).toEqual([false, true, true, true, true]);
  });

  it('estimates skipped pairs by the median of the probe pairs (hand-computed)', () => {
    const plan = planPairs(small, 2, { ...smallOpts, probesPerSentence: 2 });
    // Plan: s0@0 rel, s1@0 sim, s2@0 probe, s3@0 probe, s0@1 rel, s3@1 sim, s2@1 probe, s1@1 probe.
    const scores: PairScore[] = [
      { statementId: 's0', sentenceIndex: 0, pc: 0, pe: 0.8 },
      { statementId: 's1', sentenceIndex: 0, pc: 0.9, pe: 0 },
      { statementId: 's2', sentenceIndex: 0, pc: 0.04, pe: 0.1, probe: true },
      { statementId: 's3', sentenceIndex: 0, pc: 0.02, pe: 0.3, probe: true },
      { statementId: 's0', sentenceIndex: 1, pc: 0.1, pe: 0.2 },
      { statementId: 's3', sentenceIndex: 1, pc: 0.05, pe: 0.6 },
      { statementId: 's2', sentenceIndex: 1, pc: 0.08, pe: 0.02, probe: true },
      // A probe that happens to contradict: the median keeps it from moving the estimate much.
      { statementId: 's1', sentenceIndex: 1, pc: 0.95, pe: 0.01, probe: true },
    ];
    const v = approximateApc({
      statements: small.map((c) => ({ statementId: c.statementId, statementVersion: 1, r: c.r })),
      plan,
      scores,
      modelId: 'm',
    });
    // Pool Pc .02 .04 .08 (.95 is an event, left out); Pe .01 .02 .1 .3.
    expect(v.background!.pc).toBeCloseTo(0.14 / 3, 12);
    expect(v.background!.pe).toBeCloseTo(0.1075, 12);
    expect(v.background!.pool).toBe(4);
    // s0 both sentences scored: .1·.9 + .9·.8 = .81 (not pruned, no estimate)
    // s1 scored on both (similarity, then probe), not pruned: Pc .95, Pe .01 → .9·.05 + .1·.01 = .046
    // s2 scored on both as probes: Pc .08, Pe .1 → .5·.92 + .5·.1 = .51
    // s3 both scored: Pc .05, Pe .6 → .8·.95 + .2·.6 = .88
    // s4 nothing scored, 2 sentences skipped: expected max of 2 pool draws,
    // Pc .02·1/9 + .04·3/9 + .08·5/9 = .06, Pe (.01·1 + .02·3 + .1·5 + .3·7)/16 = .166875
    // → .95·.94 + .05·.166875 = .90134375
    expect(v.statements.map((s) => s.apc)).toEqual([0.81, 0.046, 0.51, 0.88, 0.90134375].map((x) => expect.closeTo(x, 12)));
    // The estimate never sets a status: s4 is not addressed, and only scored pairs flag.
    expect(v.statements.map((s) => s.status)).toEqual(['kept', 'contradicted', 'not-addressed', 'not-addressed', 'not-addressed']);
    expect(v.statements[4]).toMatchObject({ pc: 0, pe: 0, pruned: true });
    expect(v.prunedCount).toBe(1);
    expect(v.flaggedSentences).toEqual([
      { sentenceIndex: 0, statementIds: ['s1'] },
      { sentenceIndex: 1, statementIds: ['s1'] },
    ]);
    expect(backgroundPool(scores.filter((x) => !x.probe))).toEqual({ pc: [], pe: [] });
  });

  it('pools probes with the pairs of sentences scored in full, events left out', () => {
    const full = (j: number, pcs: number[]) => pcs.map((pc, i) => ({ statementId: `s${i}`, sentenceIndex: j, pc, pe: pc / 10 }));
    // One sentence scored against all 3 statements, one probe on a pruned sentence that contradicts.
    const scores: PairScore[] = [...full(0, [0.03, 0.01, 0.9]), { statementId: 's1', sentenceIndex: 1, pc: 0.97, pe: 0, probe: true }];
    expect(backgroundPool(scores, 3)).toEqual({ pc: [0.01, 0.03], pe: [0, 0.001, 0.003, 0.09] });
    // With 4 statements sentence 0 is not complete: only the probe, whose Pc is an event.
    expect(backgroundPool(scores, 4)).toEqual({ pc: [], pe: [0] });
  });

  it('expectedMax is the mean for one draw and grows with the draws (hand-computed)', () => {
    expect(expectedMax([0.01, 0.03], 1)).toBeCloseTo(0.02, 12);
    // .01·(1/4) + .03·(3/4)
    expect(expectedMax([0.01, 0.03], 2)).toBeCloseTo(0.025, 12);
    expect(expectedMax([0.01, 0.03], 2, 0.05)).toBe(0.05);
    // floor .02 lifts the .01 draw: .02·1/4 + .03·3/4
    expect(expectedMax([0.01, 0.03], 2, 0.02)).toBeCloseTo(0.0275, 12);
    expect(expectedMax([0.01, 0.03], 0, 0.2)).toBe(0.2);
    expect(expectedMax([], 3, 0.2)).toBe(0.2);
  });

  it('equals the exact score when every pair was scored', () => {
    const rand = mulberry32(3);
    const cands = small.slice(0, 3);
    const plan = planPairs(cands, 2);
    const scores = plan.pairs.map((p) => ({ ...p, pc: rand() * 0.5, pe: rand() * 0.5 }));
    const approx = approximateApc({
      statements: cands.map((c) => ({ statementId: c.statementId, statementVersion: 1, r: c.r })),
      plan,
      scores,
      modelId: 'm',
    });
    const exact = scoreReply({
      statements: cands.map((c) => ({
        statementId: c.statementId,
        statementVersion: 1,
        r: c.r,
        sentences: scores.filter((s) => s.statementId === c.statementId),
      })),
      modelId: 'm',
    });
    const { background, ...rest } = approx;
    expect(background).toBeNull();
    expect(rest).toEqual(exact);
  });

  it('rejects a score for an unknown statement', () => {
    expect(() =>
      approximateApc({
        statements: [],
        plan: { strategy: 'full', prunedStatementIds: [] },
        scores: [{ statementId: 'ghost', sentenceIndex: 0, pc: 0, pe: 0 }],
        modelId: 'm',
      }),
    ).toThrow(ConsistencyInputError);
  });
});

describe('pruning error bound', () => {
  it('is (1 − r)·Pc + r·Pe', () => {
    expect(pruningErrorBound(0.2, 0.1, 0.3)).toBeCloseTo(0.8 * 0.1 + 0.2 * 0.3, 12);
    expect(pruningErrorBound(0, 0, 1)).toBe(0);
    expect(() => pruningErrorBound(0.5, 2, 0)).toThrow(ConsistencyInputError);
  });

  it('is zero when every skipped pair is truly neutral', () => {
    const plan = planPairs(small, 2, smallOpts);
    const planned = new Set(plan.pairs.map((p) => `${p.statementId}@${p.sentenceIndex}`));
    const rand = mulberry32(5);
    const truth = small.map((c) => ({
      statementId: c.statementId,
      statementVersion: 1,
      r: c.r,
      sentences: [0, 1].map((j) =>
        planned.has(`${c.statementId}@${j}`) ? { sentenceIndex: j, pc: rand(), pe: 0 } : { sentenceIndex: j, pc: 0, pe: 0 },
      ),
    }));
    const scores = truth.flatMap((t) => t.sentences.map((x) => ({ statementId: t.statementId, ...x }))).filter((x) => planned.has(`${x.statementId}@${x.sentenceIndex}`));
    const approx = approximateApc({ statements: truth, plan, scores, modelId: 'm' });
    expect(approx.apcSum).toBeCloseTo(scoreReply({ statements: truth, modelId: 'm' }).apcSum, 12);
  });

  it('holds for every statement on synthetic data with 200 statements (no probes)', () => {
    for (const seed of [11, 22, 33, 44, 55]) {
      const { cands, truth, statements, exact } = syntheticReply(seed);
      const plan = planPairs(cands, SYN_SENTENCES, { probesPerSentence: 0 });
      expect(plan.strategy).toBe('pruned');
      const scores = plan.pairs.map((p) => ({ ...p, ...truth.get(p.statementId)![p.sentenceIndex]! }));
      const approx = approximateApc({ statements, plan, scores, modelId: 'm' });

      let boundSum = 0;
      approx.statements.forEach((a, i) => {
        const e = exact.statements[i]!;
        const bound = pruningErrorBound(e.r, e.pc, e.pe);
        const err = Math.abs(a.apc - e.apc);
        expect(err).toBeLessThanOrEqual(bound + 1e-12);
        // The tighter form: max((1 − r)(Pc − Pc'), r(Pe − Pe')).
        expect(err).toBeLessThanOrEqual(Math.max((1 - e.r) * (e.pc - a.pc), e.r * (e.pe - a.pe)) + 1e-12);
        if (!a.pruned) expect(err).toBeLessThan(1e-12);
        boundSum += a.pruned ? bound : 0;
      });
      expect(Math.abs(approx.apcSum - exact.apcSum)).toBeLessThanOrEqual(boundSum + 1e-9);
      // Skipping a pair can only lose a contradiction or an entailment, so the
      // pruned score errs high by the skipped (1 − r)·Pc, low by the skipped r·Pe.
      expect(approx.apcSum - exact.apcSum).toBeLessThanOrEqual(
        approx.statements.reduce((a, s, i) => a + (1 - s.r) * (exact.statements[i]!.pc - s.pc), 0) + 1e-9,
      );
      // The planted contradictions sit on similar pairs, so pruning keeps them.
      const missed = exact.statements.filter(
        (e, i) => e.status === 'contradicted' && approx.statements[i]!.status !== 'contradicted',
      );
      expect(missed).toEqual([]);
      // Noise on skipped pairs counted as 0 makes the pruned score run high.
      expect(approx.apcPercent - exact.apcPercent).toBeGreaterThan(0);
      expect(approx.apcPercent - exact.apcPercent).toBeLessThan(6);
    }
  });

  it('stays within 1 point of full APC on synthetic data with probes (the default)', () => {
    const deltas: number[] = [];
    const deltasWithout: number[] = [];
    for (const seed of [11, 22, 33, 44, 55, 66, 77, 88]) {
      for (const S of [50, 200]) {
        const { cands, truth, statements, exact } = syntheticReply(seed, S);
        const score = (probes: number) => {
          const plan = planPairs(cands, SYN_SENTENCES, { probesPerSentence: probes });
          const scores = plan.pairs.map((p) => ({
            ...p,
            ...truth.get(p.statementId)![p.sentenceIndex]!,
            ...(p.reason === 'probe' ? { probe: true } : {}),
          }));
          return approximateApc({ statements, plan, scores, modelId: 'm' });
        };
        const approx = score(PRUNE_PROBES_PER_SENTENCE);
        deltas.push(approx.apcPercent - exact.apcPercent);
        deltasWithout.push(score(0).apcPercent - exact.apcPercent);
        // Contradictions come from scored pairs only, and the planted ones sit on similar pairs.
        exact.statements.forEach((e, i) => {
          if (e.status === 'contradicted') expect(approx.statements[i]!.status).toBe('contradicted');
        });
        expect(approx.background).not.toBeNull();
      }
    }
    const meanAbs = (xs: number[]) => xs.reduce((a, x) => a + Math.abs(x), 0) / xs.length;
    // Measured: mean |Δ| 0.38 / 0.36, max 0.62 / 0.65 points at 50 / 200 statements (1.8 / 2.8 without probes).
    expect(Math.max(...deltas.map(Math.abs))).toBeLessThan(1);
    expect(meanAbs(deltas)).toBeLessThan(meanAbs(deltasWithout) / 2);
  });
});

const SYN_SENTENCES = 5;

/**
 * Synthetic truth shaped like real NLI: confident answers only where the
 * statement and the sentence share a topic (high similarity), a few planted
 * contradictions on similar pairs, and mild noise everywhere.
 */
function syntheticReply(seed: number, S = 200) {
  const rand = mulberry32(seed);
  const n = SYN_SENTENCES;
  const cands: PruningCandidate[] = [];
  const truth = new Map<string, { sentenceIndex: number; pc: number; pe: number }[]>();
  for (let i = 0; i < S; i++) {
    const id = `s${i}`;
    const r = rand() < 0.05 ? 0.5 + rand() * 0.5 : rand() * 0.2;
    const sims: number[] = [];
    const pairs: { sentenceIndex: number; pc: number; pe: number }[] = [];
    for (let j = 0; j < n; j++) {
      const sim = rand() < 0.03 ? 0.6 + rand() * 0.3 : rand() * 0.3 - 0.05;
      sims.push(sim);
      const topical = Math.max(0, sim) ** 2;
      let pc = rand() * 0.03 + topical * rand();
      let pe = rand() * 0.03 + topical * rand() * (1 - pc);
      if (sim > 0.6 && rand() < 0.3) {
        pc = 0.9;
        pe = 0.02;
      }
      pc = Math.min(pc, 1);
      pe = Math.min(pe, 1 - pc);
      pairs.push({ sentenceIndex: j, pc, pe });
    }
    cands.push({ statementId: id, r, sentenceSimilarity: sims });
    truth.set(id, pairs);
  }
  const statements = cands.map((c) => ({ statementId: c.statementId, statementVersion: 1, r: c.r }));
  const exact = scoreReply({
    statements: cands.map((c) => ({ statementId: c.statementId, statementVersion: 1, r: c.r, sentences: truth.get(c.statementId)! })),
    modelId: 'm',
  });
  return { cands, truth, statements, exact };
}

describe('live budget', () => {
  it('averages rates and intervals, ignoring calls that measured nothing', () => {
    expect(smoothed(null, 40)).toBe(40);
    expect(smoothed(40, 20)).toBe(30);
    expect(smoothed(40, 20, 1)).toBe(20);
    expect(() => smoothed(40, 0)).toThrow(ConsistencyInputError);
    expect(() => smoothed(40, Number.NaN)).toThrow(ConsistencyInputError);
    expect(nextPairRate(null, 30, 0.75)).toBe(40);
    expect(nextPairRate(40, 10, 0.5)).toBe(30);
    // All answered by the cache, or a clock too coarse to see the call: no information.
    expect(nextPairRate(40, 0, 0.5)).toBe(40);
    expect(nextPairRate(40, 10, 0)).toBe(40);
    expect(nextPairRate(null, 10, 0)).toBeNull();
  });

  it('gives each sentence of a call its share of throughput × time, with a floor', () => {
    expect(livePairBudget({ pairsPerSecond: null, seconds: 0.35, sentences: 1 })).toBe(Number.POSITIVE_INFINITY);
    expect(livePairBudget({ pairsPerSecond: 40, seconds: 0.8, sentences: 1 })).toBe(32);
    // A backlog of 2 merged into one call shares the same time.
    expect(livePairBudget({ pairsPerSecond: 40, seconds: 0.8, sentences: 2 })).toBe(16);
    expect(livePairBudget({ pairsPerSecond: 10, seconds: 0.35, sentences: 3 })).toBe(LIVE_MIN_PAIRS_PER_SENTENCE);
    expect(livePairBudget({ pairsPerSecond: 10, seconds: 0.35, sentences: 3, floor: 12 })).toBe(12);
    expect(() => livePairBudget({ pairsPerSecond: 10, seconds: 1, sentences: 0 })).toThrow(ConsistencyInputError);
    expect(() => livePairBudget({ pairsPerSecond: 10, seconds: -1, sentences: 1 })).toThrow(ConsistencyInputError);
  });

  it('shrinks a plan to the budget, keeping its most similar and most relevant pairs', () => {
    expect(maxPlanPairs()).toBe(PRUNE_TOP_K_BY_RELEVANCE + PRUNE_MAX_BY_SIMILARITY_PER_SENTENCE + PRUNE_PROBES_PER_SENTENCE);
    expect(budgetedPlanOptions(Number.POSITIVE_INFINITY)).toEqual(DEFAULT_PRUNING_OPTIONS);
    expect(budgetedPlanOptions(maxPlanPairs())).toEqual(DEFAULT_PRUNING_OPTIONS);
    expect(budgetedPlanOptions(maxPlanPairs(FAST_PLAN_OPTIONS), FAST_PLAN_OPTIONS)).toMatchObject(FAST_PLAN_OPTIONS);
    // 2 probes, a quarter of the rest by r, the others by similarity (filled even below the threshold).
    expect(budgetedPlanOptions(12)).toMatchObject({ topKByRelevance: 2, topKBySimilarity: 8, maxBySimilarity: 8, probesPerSentence: 2 });
    expect(budgetedPlanOptions(6)).toMatchObject({ topKByRelevance: 1, topKBySimilarity: 4, maxBySimilarity: 4, probesPerSentence: 1 });
    // Never below the floor; a fraction rounds down.
    expect(budgetedPlanOptions(2)).toEqual(budgetedPlanOptions(LIVE_MIN_PAIRS_PER_SENTENCE));
    expect(budgetedPlanOptions(2, undefined, LIVE_MIN_PRUNED_PAIRS_PER_SENTENCE)).toEqual(budgetedPlanOptions(12));
    expect(budgetedPlanOptions(12.9)).toEqual(budgetedPlanOptions(12));
    expect(() => budgetedPlanOptions(Number.NaN)).toThrow(ConsistencyInputError);
    expect(() => budgetedPlanOptions(8, undefined, 0)).toThrow(ConsistencyInputError);

    const rand = mulberry32(9);
    const many = Array.from({ length: 200 }, (_, i) => ({ statementId: `s${i}`, r: rand() }));
    const sims = many.map(() => rand() * 2 - 1);
    const standard = planSentencePairs(many, 0, sims);
    const ids = (plan: PlannedPair[], reason?: string) => plan.filter((p) => !reason || p.reason === reason).map((p) => p.statementId);
    for (const budget of [6, 8, 10, 12, 16, 20]) {
      const plan = planSentencePairs(many, 0, sims, budgetedPlanOptions(budget));
      expect(plan.length).toBeLessThanOrEqual(budget);
      // 200 statements: the plan fills its budget, up to 12 by similarity.
      expect(plan.length).toBe(budget === 20 ? 18 : budget);
      // The top statements by r and by similarity are a prefix of the standard plan's.
      expect(ids(standard, 'relevance').slice(0, ids(plan, 'relevance').length)).toEqual(ids(plan, 'relevance'));
      const topSim = [...many.keys()].filter((i) => !ids(plan, 'relevance').includes(`s${i}`)).sort((a, b) => sims[b]! - sims[a]! || a - b);
      expect(ids(plan, 'similarity')).toEqual(topSim.slice(0, ids(plan, 'similarity').length).map((i) => `s${i}`));
      expect(ids(plan, 'probe').length).toBe(budget >= 10 ? 2 : 1);
    }
    // Fewer statements than the budget: full in the full strategy, as before.
    expect(planSentencePairs(small, 0, small.map((c) => c.sentenceSimilarity[0]!), budgetedPlanOptions(6))).toHaveLength(small.length);
  });

  it('budgeted plans stay within 2 points of full APC on synthetic data', () => {
    // Budgets per sentence as a busy machine gives them (~17 pairs/s: ~10 pairs
    // per streamed sentence, the floor for the last one), with each strategy's floor.
    const worst: Record<number, number> = {};
    for (const S of [30, 50, 200]) {
      const floor = chooseStrategy(S) === 'full' ? LIVE_MIN_PAIRS_PER_SENTENCE : LIVE_MIN_PRUNED_PAIRS_PER_SENTENCE;
      const deltas: number[] = [];
      for (const budgets of [[10, 10, 10, 10, 1], [1, 1, 1, 1, 1]]) {
        for (const seed of [11, 22, 33, 44, 55, 66, 77, 88]) {
          const { cands, truth, statements, exact } = syntheticReply(seed, S);
          const pairs = budgets.flatMap((budget, j) => {
            const plan = planSentencePairs(cands, j, cands.map((c) => c.sentenceSimilarity[j]!), budgetedPlanOptions(budget, undefined, floor), true);
            expect(plan.length).toBeLessThanOrEqual(Math.max(budget, floor));
            return plan;
          });
          const covered = (id: string) => pairs.filter((p) => p.statementId === id).length;
          const plan = { strategy: 'pruned' as const, prunedStatementIds: cands.filter((c) => covered(c.statementId) < SYN_SENTENCES).map((c) => c.statementId) };
          const scores = pairs.map((p) => ({
            ...p,
            ...truth.get(p.statementId)![p.sentenceIndex]!,
            ...(p.reason === 'probe' ? { probe: true } : {}),
          }));
          deltas.push(approximateApc({ statements, plan, scores, modelId: 'm' }).apcPercent - exact.apcPercent);
        }
      }
      worst[S] = Math.max(...deltas.map(Math.abs));
    }
    // Measured: 0.74 / 0.36 / 1.01 points at most at 30 / 50 / 200 statements.
    expect(Math.max(...Object.values(worst))).toBeLessThan(2);
  });
});
