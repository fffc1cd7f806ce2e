import { describe, expect, it } from 'vitest';
import {
  CONTRADICTION_THRESHOLD_PROB,
  DEFAULT_APC_THRESHOLDS,
  ENTAILMENT_THRESHOLD_PROB,
  KEPT_MIN_RELEVANCE,
  WEAK_APC_PERCENT,
  maxOverSentences,
  scoreReply,
  scoreStatement,
  statementApc,
  type StatementScores,
} from './apc';
import { ConsistencyInputError } from './errors';

// Hand-computed example used across the file:
// A: r .8, Pc .1 (s0), Pe .7 (s0) → .2·.9 + .8·.7 = .18 + .56 = .74, kept by s0
// B: r .1, Pc .9 (s1), Pe .01   → .9·.1 + .1·.01 = .09 + .001 = .091, contradicted by s1
// C: r .5, Pc .2, Pe .4         → .5·.8 + .5·.4 = .4 + .2 = .6, not addressed
const A: StatementScores = {
  statementId: 'A',
  statementVersion: 3,
  r: 0.8,
  sentences: [
    { sentenceIndex: 0, pc: 0.1, pe: 0.7 },
    { sentenceIndex: 1, pc: 0.05, pe: 0.2 },
  ],
};
const B: StatementScores = {
  statementId: 'B',
  statementVersion: 1,
  r: 0.1,
  sentences: [
    { sentenceIndex: 0, pc: 0.02, pe: 0.01 },
    { sentenceIndex: 1, pc: 0.9, pe: 0 },
  ],
};
const C: StatementScores = {
  statementId: 'C',
  statementVersion: 1,
  r: 0.5,
  sentences: [
    { sentenceIndex: 0, pc: 0.2, pe: 0.3 },
    { sentenceIndex: 1, pc: 0.1, pe: 0.4 },
  ],
};

describe('statementApc', () => {
  it('is (1 − r)(1 − pc) + r·pe', () => {
    expect(statementApc(0.8, 0.1, 0.7)).toBeCloseTo(0.74, 12);
    expect(statementApc(0.1, 0.9, 0.01)).toBeCloseTo(0.091, 12);
    expect(statementApc(0.5, 0.2, 0.4)).toBeCloseTo(0.6, 12);
  });

  it('reaches its extremes: 1 for an irrelevant, uncontradicted statement or a relevant entailed one; 0 for the opposite', () => {
    expect(statementApc(0, 0, 0)).toBe(1);
    expect(statementApc(1, 1, 1)).toBe(1);
    expect(statementApc(0, 1, 1)).toBe(0);
    expect(statementApc(1, 0, 0)).toBe(0);
  });

  it('rejects non-probabilities and clamps float noise', () => {
    expect(() => statementApc(Number.NaN, 0, 0)).toThrow(ConsistencyInputError);
    expect(() => statementApc(0.5, 1.2, 0)).toThrow(ConsistencyInputError);
    expect(() => statementApc(0.5, 0, -0.1)).toThrow(ConsistencyInputError);
    expect(statementApc(0, 1 + 1e-12, 0)).toBe(0);
  });
});

describe('maxOverSentences', () => {
  it('takes the max of each probability with its argmax', () => {
    expect(maxOverSentences(B.sentences)).toEqual({ pc: 0.9, pe: 0.01, pcSentenceIndex: 1, peSentenceIndex: 0 });
  });

  it('breaks ties towards the earliest sentence whatever the input order', () => {
    const m = maxOverSentences([
      { sentenceIndex: 2, pc: 0.6, pe: 0.1 },
      { sentenceIndex: 1, pc: 0.6, pe: 0.1 },
    ]);
    expect(m.pcSentenceIndex).toBe(1);
    expect(m.peSentenceIndex).toBe(1);
  });

  it('is 0 with no argmax when nothing was scored', () => {
    expect(maxOverSentences([])).toEqual({ pc: 0, pe: 0, pcSentenceIndex: null, peSentenceIndex: null });
  });

  it('rejects a bad sentence index', () => {
    expect(() => maxOverSentences([{ sentenceIndex: -1, pc: 0, pe: 0 }])).toThrow(ConsistencyInputError);
    expect(() => maxOverSentences([{ sentenceIndex: 0.5, pc: 0, pe: 0 }])).toThrow(ConsistencyInputError);
  });
});

describe('scoreStatement', () => {
  it('classifies kept, contradicted and not addressed with the responsible sentence', () => {
    expect(scoreStatement(A)).toMatchObject({ statementId: 'A', statementVersion: 3, status: 'kept', sentenceIndex: 0, pc: 0.1, pe: 0.7 });
    expect(scoreStatement(A).apc).toBeCloseTo(0.74, 12);
    expect(scoreStatement(B)).toMatchObject({ status: 'contradicted', sentenceIndex: 1 });
    expect(scoreStatement(C)).toMatchObject({ status: 'not-addressed', sentenceIndex: null, pruned: false });
  });

  it('counts a statement with no scored sentence as neutral: APC = 1 − r', () => {
    const s = scoreStatement({ statementId: 'X', statementVersion: 1, r: 0.3, sentences: [], pruned: true });
    expect(s.apc).toBeCloseTo(0.7, 12);
    expect(s).toMatchObject({ status: 'not-addressed', sentenceIndex: null, pruned: true });
  });

  it('lets contradiction win over entailment from another sentence', () => {
    const s = scoreStatement({
      statementId: 'X',
      statementVersion: 1,
      r: 0.9,
      sentences: [
        { sentenceIndex: 0, pc: 0.01, pe: 0.95 },
        { sentenceIndex: 1, pc: 0.7, pe: 0.05 },
      ],
    });
    expect(s).toMatchObject({ status: 'contradicted', sentenceIndex: 1 });
    // .1·(1 − .7) + .9·.95 = .03 + .855
    expect(s.apc).toBeCloseTo(0.885, 12);
  });

  it('does not call an entailed statement kept when the turn did not ask for it', () => {
    const s = scoreStatement({ statementId: 'X', statementVersion: 1, r: 0.2, sentences: [{ sentenceIndex: 0, pc: 0, pe: 0.9 }] });
    expect(s.status).toBe('not-addressed');
  });

  it('applies thresholds inclusively', () => {
    const at = (pc: number, pe: number, r: number) =>
      scoreStatement({ statementId: 'X', statementVersion: 1, r, sentences: [{ sentenceIndex: 0, pc, pe }] }).status;
    expect(at(CONTRADICTION_THRESHOLD_PROB, 0, 0.5)).toBe('contradicted');
    expect(at(0, ENTAILMENT_THRESHOLD_PROB, KEPT_MIN_RELEVANCE)).toBe('kept');
    expect(at(0.49, 0.49, 1)).toBe('not-addressed');
  });
});

describe('scoreReply', () => {
  it('sums, normalises and flags (hand-computed)', () => {
    const v = scoreReply({ statements: [A, B, C], modelId: 'nli+emb' });
    expect(v.apcSum).toBeCloseTo(1.431, 12);
    expect(v.apcPercent).toBeCloseTo(47.7, 10);
    expect(v.statementCount).toBe(3);
    expect(v.contradictions).toBe(1);
    expect(v.verdict).toBe('contradicts');
    expect(v.flaggedSentences).toEqual([{ sentenceIndex: 1, statementIds: ['B'] }]);
    expect(v.statements.map((s) => s.status)).toEqual(['kept', 'contradicted', 'not-addressed']);
    expect(v).toMatchObject({ modelId: 'nli+emb', strategy: 'full', prunedCount: 0 });
  });

  it('is weak below WEAK_APC_PERCENT without a contradiction', () => {
    // B with Pc .3: .9·.7 + .1·.01 = .631 → (.74 + .631 + .6) / 3 = 65.7 %
    const mildB = { ...B, sentences: [{ sentenceIndex: 1, pc: 0.3, pe: 0.01 }] };
    const v = scoreReply({ statements: [A, mildB, C], modelId: 'm' });
    expect(v.apcPercent).toBeCloseTo(65.7, 10);
    expect(WEAK_APC_PERCENT).toBe(70);
    expect(v.verdict).toBe('weak');
    expect(scoreReply({ statements: [A, mildB, C], modelId: 'm', thresholds: { weakApcPercent: 60 } }).verdict).toBe('consistent');
  });

  it('is consistent at 100 % when nothing is relevant or contradicted', () => {
    const v = scoreReply({
      statements: [{ statementId: 'X', statementVersion: 1, r: 0, sentences: [{ sentenceIndex: 0, pc: 0, pe: 0 }] }],
      modelId: 'm',
    });
    expect(v).toMatchObject({ apcPercent: 100, verdict: 'consistent', contradictions: 0, flaggedSentences: [] });
  });

  it('scores an empty statement list as 100 % consistent', () => {
    expect(scoreReply({ statements: [], modelId: 'm' })).toMatchObject({ apcPercent: 100, apcSum: 0, verdict: 'consistent' });
  });

  it('flags every sentence over the threshold, grouped by sentence', () => {
    const D: StatementScores = {
      statementId: 'D',
      statementVersion: 1,
      r: 0.4,
      sentences: [
        { sentenceIndex: 2, pc: 0.8, pe: 0 },
        { sentenceIndex: 1, pc: 0.6, pe: 0 },
        { sentenceIndex: 0, pc: 0.1, pe: 0 },
      ],
    };
    const v = scoreReply({ statements: [B, D], modelId: 'm' });
    expect(v.contradictions).toBe(2);
    expect(v.flaggedSentences).toEqual([
      { sentenceIndex: 1, statementIds: ['B', 'D'] },
      { sentenceIndex: 2, statementIds: ['D'] },
    ]);
    expect(v.statements[1]!.sentenceIndex).toBe(2);
  });

  it('honours a raised contradiction threshold', () => {
    const v = scoreReply({ statements: [A, B, C], modelId: 'm', thresholds: { contradictionProb: 0.95 } });
    expect(v.contradictions).toBe(0);
    expect(v.flaggedSentences).toEqual([]);
    expect(v.verdict).toBe('weak');
  });

  it('counts pruned statements and keeps the strategy', () => {
    const v = scoreReply({ statements: [{ ...C, pruned: true }], modelId: 'm', strategy: 'pruned' });
    expect(v).toMatchObject({ prunedCount: 1, strategy: 'pruned' });
  });

  it('rejects duplicate statement ids', () => {
    expect(() => scoreReply({ statements: [A, A], modelId: 'm' })).toThrow(ConsistencyInputError);
  });

  it('exposes frozen defaults', () => {
    expect(DEFAULT_APC_THRESHOLDS).toEqual({ contradictionProb: 0.5, entailmentProb: 0.5, keptMinRelevance: 0.3, weakApcPercent: 70 });
    expect(Object.isFrozen(DEFAULT_APC_THRESHOLDS)).toBe(true);
  });
});
