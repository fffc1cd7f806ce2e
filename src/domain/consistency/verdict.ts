/**
 * The consistency verdict as it is stored with a reply: ids and numbers only.
 *
 * IMPORTANT: this shape is persisted (table `verdicts`, backups). Change it
 * only by adding a version: bump VERDICT_VERSION, teach `migrateVerdict` to
 * read the previous one, and add a migration test (db.test.ts seeds an old
 * database). Version 1 was the checker's whole working record (`CheckedReply`:
 * the reply text again, every sentence's text, every scored pair, timings):
 * ~17 KB per reply, most of it repeated text. Version 2 keeps what the UI and
 * the staleness check read; sentence text is sliced from the reply, which the
 * fingerprint's hash ties the verdict to.
 */
import type { FlaggedSentence, ReplyVerdict, ReplyVerdictKind, ScoringStrategy, StatementResult, StatementStatus } from './apc';
import type { VerdictFingerprint } from './staleness';
import * as v from 'valibot';

export const VERDICT_VERSION = 2;

/** [start, end) of one sentence in the reply text. */
export type SentenceSpan = [start: number, end: number];

/**
 * A failure of role rather than of a statement (issue 11): the reply slips
 * into the default assistant voice, repeats the user's last message, or
 * writes the user's lines. Detected apart from the NLI check; counted in the
 * verdict and fed to the guard.
 */
export type RoleFlagKind = 'assistant-voice' | 'echo' | 'speaks-for-user';
export const ROLE_FLAG_KINDS: readonly RoleFlagKind[] = ['assistant-voice', 'echo', 'speaks-for-user'];

export interface RoleFlag {
  kind: RoleFlagKind;
  /** The sentence it was found in; null when it concerns the reply as a whole. */
  sentenceIndex: number | null;
  /** The detector's score, 0–1 (over its calibrated threshold, or it would not be here). */
  score: number;
  /** What to show on hover: the matching exemplar, the echoed words, the user's line. At most ~200 characters. */
  evidence: string;
}

export interface Verdict {
  v: typeof VERDICT_VERSION;
  /** 100 · apcSum / statementCount. */
  apcPercent: number;
  apcSum: number;
  statementCount: number;
  verdict: ReplyVerdictKind;
  contradictions: number;
  modelId: string;
  strategy: ScoringStrategy;
  prunedCount: number;
  statements: StatementResult[];
  flaggedSentences: FlaggedSentence[];
  /** One per sentence, by sentence index. */
  sentences: SentenceSpan[];
  /** Estimate used for pruned pairs; null when nothing was pruned. */
  background: { pc: number; pe: number } | null;
  fingerprint: VerdictFingerprint;
  /** From the end of the reply to this verdict, when it was checked live. */
  verdictMs: number | null;
  /** Role failures found in the reply; absent (= none checked) in verdicts stored before issue 11. */
  roleFlags?: RoleFlag[];
}

/** What a finished check holds (engines' CheckedReply is one); only these parts are kept. */
export interface CheckedVerdictInput extends ReplyVerdict {
  sentences: readonly { start: number; end: number }[];
  background: { pc: number; pe: number } | null;
  fingerprint: VerdictFingerprint;
  timings?: { verdictMs: number };
  /** Absent when the role detectors did not run. */
  roleFlags?: readonly RoleFlag[];
}

/** The stored form of a finished check. */
export function toVerdict(input: CheckedVerdictInput): Verdict {
  return {
    v: VERDICT_VERSION,
    apcPercent: input.apcPercent,
    apcSum: input.apcSum,
    statementCount: input.statementCount,
    verdict: input.verdict,
    contradictions: input.contradictions,
    modelId: input.modelId,
    strategy: input.strategy,
    prunedCount: input.prunedCount,
    statements: input.statements.map((s) => ({ ...s })),
    flaggedSentences: input.flaggedSentences.map((f) => ({ sentenceIndex: f.sentenceIndex, statementIds: [...f.statementIds] })),
    sentences: input.sentences.map((s): SentenceSpan => [s.start, s.end]),
    background: input.background ? { pc: input.background.pc, pe: input.background.pe } : null,
    fingerprint: input.fingerprint,
    verdictMs: input.timings?.verdictMs ?? null,
    ...(input.roleFlags ? { roleFlags: input.roleFlags.map((f) => ({ ...f })) } : {}),
  };
}

/**
 * The text of sentence `index` of the reply the verdict was made for, or null
 * when the verdict has no such sentence or the span is outside the text.
 */
export function sentenceText(verdict: Pick<Verdict, 'sentences'>, replyText: string, index: number | null): string | null {
  if (index === null) return null;
  const span = verdict.sentences[index];
  if (!span || span[1] > replyText.length || span[0] >= span[1]) return null;
  return replyText.slice(span[0], span[1]);
}

const num = v.pipe(v.number(), v.finite());
const index = v.pipe(num, v.integer(), v.minValue(0));

const StatementResultSchema = v.object({
  statementId: v.string(),
  statementVersion: num,
  r: num,
  pc: num,
  pe: num,
  apc: num,
  status: v.picklist(['contradicted', 'kept', 'not-addressed'] satisfies StatementStatus[]),
  sentenceIndex: v.nullable(index),
  pruned: v.optional(v.boolean(), false),
});

const FingerprintSchema = v.object({
  modelId: v.string(),
  statements: v.pipe(v.array(v.object({ statementId: v.string(), statementVersion: num })), v.readonly()),
  replyTextHash: v.string(),
  userTurnHash: v.string(),
});

const spanValid = (s: [number, number]) => s[0] <= s[1];

/** The parts every version shares. */
const common = {
  apcPercent: num,
  apcSum: num,
  statementCount: num,
  verdict: v.picklist(['consistent', 'weak', 'contradicts'] satisfies ReplyVerdictKind[]),
  contradictions: num,
  modelId: v.string(),
  strategy: v.picklist(['full', 'pruned'] satisfies ScoringStrategy[]),
  prunedCount: v.optional(num, 0),
  statements: v.array(StatementResultSchema),
  flaggedSentences: v.array(v.object({ sentenceIndex: index, statementIds: v.array(v.string()) })),
  background: v.optional(v.nullable(v.object({ pc: num, pe: num })), null),
  fingerprint: FingerprintSchema,
};

const RoleFlagSchema = v.object({
  kind: v.picklist(ROLE_FLAG_KINDS),
  sentenceIndex: v.nullable(index),
  score: num,
  evidence: v.pipe(v.string(), v.maxLength(1000)),
});

/** The current stored verdict. */
export const VerdictSchema = v.object({
  v: v.literal(VERDICT_VERSION),
  ...common,
  sentences: v.array(v.pipe(v.tuple([index, index]), v.check(spanValid, 'A sentence span ends before it starts.'))),
  verdictMs: v.optional(v.nullable(num), null),
  roleFlags: v.optional(v.array(RoleFlagSchema)),
});

/** Version 1: the checker's CheckedReply, stored whole (no `v`). */
const VerdictV1Schema = v.object({
  status: v.literal('checked'),
  ...common,
  sentences: v.array(v.object({ start: index, end: index })),
  timings: v.optional(v.object({ verdictMs: num })),
});

/**
 * Reads a stored verdict of any version into the current one; null when the
 * value is not a verdict (foreign data, a skipped check, corruption). Never
 * throws, and linear in the size of the value.
 */
export function migrateVerdict(value: unknown): Verdict | null {
  const current = v.safeParse(VerdictSchema, value);
  if (current.success) return current.output as Verdict;
  const old = v.safeParse(VerdictV1Schema, value);
  if (!old.success || old.output.sentences.some((s) => s.end < s.start)) return null;
  return toVerdict({ ...old.output, timings: old.output.timings });
}

// The interface and the schema describe one shape: this fails to compile when they drift.
type SchemaOutput = v.InferOutput<typeof VerdictSchema>;
const _sameShape: [SchemaOutput extends Verdict ? true : false, Verdict extends SchemaOutput ? true : false] = [true, true];
void _sameShape;
