/**
 * TEST KIT (unit tests only): a stored verdict in the current version, for
 * tests that need verdict records but do not care what they say.
 */
import { VERDICT_VERSION, type Verdict } from '../domain/consistency/verdict';

export function sampleVerdict(overrides: Partial<Verdict> = {}): Verdict {
  return {
    v: VERDICT_VERSION,
    apcPercent: 40,
    apcSum: 0.4,
    statementCount: 1,
    verdict: 'contradicts',
    contradictions: 1,
    modelId: 'nli+emb',
    strategy: 'full',
    prunedCount: 0,
    statements: [{ statementId: 's1', statementVersion: 1, r: 0.9, pc: 0.8, pe: 0.1, apc: 0.11, status: 'contradicted', sentenceIndex: 1, pruned: false }],
    flaggedSentences: [{ sentenceIndex: 1, statementIds: ['s1'] }],
    sentences: [
      [0, 6],
      [7, 22],
    ],
    background: null,
    fingerprint: { modelId: 'nli+emb', statements: [{ statementId: 's1', statementVersion: 1 }], replyTextHash: 'h1', userTurnHash: 'h2' },
    verdictMs: 310,
    ...overrides,
  };
}
