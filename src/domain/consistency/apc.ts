/**
 * Active-Passive-Constraint (APC) score of Peng & Shang, "Quantifying and
 * Optimizing Global Faithfulness in Persona-driven Role-playing" (NeurIPS 2024).
 *
 * For each persona statement s, with r = P(s is relevant to the user's turn),
 * Pc = P(reply contradicts s) and Pe = P(s entails reply):
 *
 *   APC_s = (1 − r)·(1 − Pc) + r·Pe
 *
 * An irrelevant statement (passive constraint) only asks not to be contradicted;
 * a relevant one (active constraint) asks to be shown. APC = Σ_s APC_s, shown
 * as APC / |S| in percent so characters with different statement counts compare.
 * Pc and Pe are the maxima over the reply's sentences of the NLI probabilities
 * with the statement as premise and the sentence as hypothesis: one sentence
 * that breaks character is enough, however long the reply.
 */
import { ConsistencyInputError } from './errors';
import { checkProbability } from './validate';

/** NLI probabilities for one (statement, reply sentence) pair. */
export interface SentenceScore {
  sentenceIndex: number;
  /** P(contradiction | premise = statement, hypothesis = sentence). */
  pc: number;
  /** P(entailment | premise = statement, hypothesis = sentence). */
  pe: number;
}

/** Everything the score needs about one statement. */
export interface StatementScores {
  statementId: string;
  statementVersion: number;
  /** P(statement relevant to the user's turn), see relevance.ts. */
  r: number;
  /**
   * Scored sentences. Sentences not listed count as Pc = Pe = 0 (neutral): that
   * is how a pruned pair (pruning.ts) or a not-yet-scored sentence enters the score.
   */
  sentences: readonly SentenceScore[];
  /** True when pruning skipped some or all of this statement's pairs (see pruning.ts). */
  pruned?: boolean;
  /**
   * Estimated Pc and Pe of the pairs pruning skipped (pruning.ts: the median of
   * the reply's probe pairs). They raise the maxima that enter APC_s, never the
   * status: a statement is only called contradicted or kept by a scored sentence.
   */
  estimate?: { pc: number; pe: number };
}

/**
 * - `contradicted`: Pc ≥ contradictionProb. Checked first: one contradicting
 *   sentence breaks character even if another sentence entails the statement.
 * - `kept`: not contradicted, Pe ≥ entailmentProb and r ≥ keptMinRelevance —
 *   the reply shows the statement where the user's turn called for it, so the
 *   r·Pe term (not just the absence of contradiction) earned the score.
 * - `not-addressed`: everything else (neutral, or shown where it was not asked
 *   for; the score still credits the latter through (1 − r)·(1 − Pc)).
 */
export type StatementStatus = 'contradicted' | 'kept' | 'not-addressed';

export interface StatementResult {
  statementId: string;
  statementVersion: number;
  r: number;
  /** Max contradiction probability over the scored sentences (0 when none). */
  pc: number;
  /** Max entailment probability over the scored sentences (0 when none). */
  pe: number;
  /**
   * APC_s ∈ [0, 1]: statementApc(r, pc, pe), or for a pruned statement with an
   * estimate, statementApc(r, max(pc, estimate.pc), max(pe, estimate.pe)).
   */
  apc: number;
  status: StatementStatus;
  /**
   * The sentence responsible for the status: argmax Pc when contradicted,
   * argmax Pe when kept, null when not addressed. Ties go to the earliest sentence.
   */
  sentenceIndex: number | null;
  pruned: boolean;
}

export type ReplyVerdictKind = 'consistent' | 'weak' | 'contradicts';

export type ScoringStrategy = 'full' | 'pruned';

/**
 * A sentence to underline: every sentence whose own Pc reaches the threshold
 * for some statement, not only each statement's argmax, so a reply that breaks
 * the same fact twice shows both places.
 */
export interface FlaggedSentence {
  sentenceIndex: number;
  /** Statements this sentence contradicts (in statement input order). */
  statementIds: string[];
}

export interface ReplyVerdict {
  /** 100 · apcSum / statementCount; 100 when there are no statements (nothing to break). */
  apcPercent: number;
  /** Σ_s APC_s, in [0, statementCount]. */
  apcSum: number;
  statementCount: number;
  statements: StatementResult[];
  /** Sentences that contradict at least one statement, by sentence index. */
  flaggedSentences: FlaggedSentence[];
  /** `contradicts` when any statement is contradicted, else `weak` below weakApcPercent, else `consistent`. */
  verdict: ReplyVerdictKind;
  /** Number of contradicted statements. */
  contradictions: number;
  modelId: string;
  strategy: ScoringStrategy;
  /** Statements with at least one pair skipped by pruning. */
  prunedCount: number;
}

/**
 * P(contradiction) at or above which a statement counts as contradicted.
 * 0.5: with three NLI classes it is the point where contradiction beats the
 * other two together. Raise it to flag less (fewer false alarms on sarcasm,
 * hypotheticals, lies told in character).
 */
export const CONTRADICTION_THRESHOLD_PROB = 0.5;

/** P(entailment) at or above which a relevant statement counts as kept. Same reasoning as above. */
export const ENTAILMENT_THRESHOLD_PROB = 0.5;

/**
 * Relevance at or above which an entailed statement counts as kept. At r < 0.3
 * the r·Pe term is worth at most 0.3 of APC_s, so the score is about not
 * contradicting, and calling the statement "kept" would claim credit the score
 * mostly did not give.
 */
export const KEPT_MIN_RELEVANCE = 0.3;

/**
 * Normalised APC below which a reply with no contradiction is "weak".
 * Worked example: a statement irrelevant to the turn (r ≈ 0.05) and left alone
 * scores ≈ 0.95·0.98 + 0.05·0.02 ≈ 0.93; a relevant one (r ≈ 0.8) that the
 * reply ignores scores ≈ 0.2·0.98 + 0.8·0.05 ≈ 0.24; one it shows (Pe ≈ 0.9)
 * ≈ 0.92. A reply that ignores most of what the turn asked about therefore
 * lands well under 70 %, while a reply where the turn touched one statement
 * out of many stays above 85 % whatever it does with it: 70 separates the two.
 */
export const WEAK_APC_PERCENT = 70;

export interface ApcThresholds {
  contradictionProb: number;
  entailmentProb: number;
  keptMinRelevance: number;
  weakApcPercent: number;
}

export const DEFAULT_APC_THRESHOLDS: Readonly<ApcThresholds> = Object.freeze({
  contradictionProb: CONTRADICTION_THRESHOLD_PROB,
  entailmentProb: ENTAILMENT_THRESHOLD_PROB,
  keptMinRelevance: KEPT_MIN_RELEVANCE,
  weakApcPercent: WEAK_APC_PERCENT,
});

/**
 * APC_s = (1 − r)·(1 − pc) + r·pe.
 * @throws {ConsistencyInputError} when r, pc or pe is not a probability.
 */
export function statementApc(r: number, pc: number, pe: number): number {
  const rr = checkProbability('r', r);
  const c = checkProbability('pc', pc);
  const e = checkProbability('pe', pe);
  return (1 - rr) * (1 - c) + rr * e;
}

export interface MaxScores {
  pc: number;
  pe: number;
  /** Earliest sentence reaching max pc, null when no sentence was scored. */
  pcSentenceIndex: number | null;
  peSentenceIndex: number | null;
}

/**
 * Max Pc and Pe over the scored sentences, with their argmax.
 * @throws {ConsistencyInputError} on a non-probability or a negative/non-integer sentence index.
 */
export function maxOverSentences(sentences: readonly SentenceScore[]): MaxScores {
  let pc = 0;
  let pe = 0;
  let pcSentenceIndex: number | null = null;
  let peSentenceIndex: number | null = null;
  for (const s of sentences) {
    if (!Number.isInteger(s.sentenceIndex) || s.sentenceIndex < 0) {
      throw new ConsistencyInputError(`sentenceIndex must be an integer ≥ 0, got ${s.sentenceIndex}`);
    }
    const c = checkProbability('pc', s.pc);
    const e = checkProbability('pe', s.pe);
    // Strictly greater, or equal with an earlier index: the earliest sentence wins
    // ties whatever order the pairs were scored in (they finish out of order).
    if (pcSentenceIndex === null || c > pc || (c === pc && s.sentenceIndex < pcSentenceIndex)) {
      pc = c;
      pcSentenceIndex = s.sentenceIndex;
    }
    if (peSentenceIndex === null || e > pe || (e === pe && s.sentenceIndex < peSentenceIndex)) {
      pe = e;
      peSentenceIndex = s.sentenceIndex;
    }
  }
  return { pc, pe, pcSentenceIndex, peSentenceIndex };
}

/**
 * Scores one statement and classifies it (see StatementStatus).
 * @throws {ConsistencyInputError} on a non-probability input.
 */
export function scoreStatement(
  input: StatementScores,
  thresholds: Readonly<ApcThresholds> = DEFAULT_APC_THRESHOLDS,
): StatementResult {
  const r = checkProbability('r', input.r);
  const m = maxOverSentences(input.sentences);
  const est = input.estimate;
  const apc = est
    ? statementApc(r, Math.max(m.pc, checkProbability('estimate.pc', est.pc)), Math.max(m.pe, checkProbability('estimate.pe', est.pe)))
    : statementApc(r, m.pc, m.pe);
  let status: StatementStatus = 'not-addressed';
  let sentenceIndex: number | null = null;
  if (m.pcSentenceIndex !== null && m.pc >= thresholds.contradictionProb) {
    status = 'contradicted';
    sentenceIndex = m.pcSentenceIndex;
  } else if (m.peSentenceIndex !== null && m.pe >= thresholds.entailmentProb && r >= thresholds.keptMinRelevance) {
    status = 'kept';
    sentenceIndex = m.peSentenceIndex;
  }
  return {
    statementId: input.statementId,
    statementVersion: input.statementVersion,
    r,
    pc: m.pc,
    pe: m.pe,
    apc,
    status,
    sentenceIndex,
    pruned: input.pruned ?? false,
  };
}

export interface ScoreReplyInput {
  statements: readonly StatementScores[];
  /** Identifies every model that shaped the numbers (NLI and embeddings); staleness compares it. */
  modelId: string;
  strategy?: ScoringStrategy;
  thresholds?: Partial<ApcThresholds>;
}

/**
 * Scores a whole reply: per-statement APC, the normalised total, flagged sentences
 * and the verdict. Works on partial replies too (the sentences scored so far).
 * @throws {ConsistencyInputError} on a non-probability input or duplicate statement ids.
 */
export function scoreReply(input: ScoreReplyInput): ReplyVerdict {
  const thresholds: ApcThresholds = { ...DEFAULT_APC_THRESHOLDS, ...input.thresholds };
  const seen = new Set<string>();
  const flagged = new Map<number, string[]>();
  const statements = input.statements.map((s) => {
    if (seen.has(s.statementId)) {
      throw new ConsistencyInputError(`duplicate statement id ${s.statementId}`);
    }
    seen.add(s.statementId);
    const result = scoreStatement(s, thresholds);
    if (result.status === 'contradicted') {
      const indices = new Set(s.sentences.filter((x) => x.pc >= thresholds.contradictionProb).map((x) => x.sentenceIndex));
      for (const i of indices) {
        const ids = flagged.get(i) ?? [];
        ids.push(s.statementId);
        flagged.set(i, ids);
      }
    }
    return result;
  });

  let apcSum = 0;
  let contradictions = 0;
  let prunedCount = 0;
  for (const s of statements) {
    apcSum += s.apc;
    if (s.pruned) prunedCount += 1;
    if (s.status === 'contradicted') contradictions += 1;
  }
  const statementCount = statements.length;
  const apcPercent = statementCount === 0 ? 100 : (100 * apcSum) / statementCount;
  const verdict: ReplyVerdictKind =
    contradictions > 0 ? 'contradicts' : apcPercent < thresholds.weakApcPercent ? 'weak' : 'consistent';

  return {
    apcPercent,
    apcSum,
    statementCount,
    statements,
    flaggedSentences: [...flagged.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([sentenceIndex, statementIds]) => ({ sentenceIndex, statementIds })),
    verdict,
    contradictions,
    modelId: input.modelId,
    strategy: input.strategy ?? 'full',
    prunedCount,
  };
}
