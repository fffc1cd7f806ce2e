/**
 * An audit run as it is stored with the character (table `audits`): what was
 * audited (the card's statements at their versions, the model), the probes,
 * and each probe's answer with its checker verdict.
 *
 * IMPORTANT: this shape is persisted (IndexedDB, exports). Change it only by
 * adding a version: bump AUDIT_RUN_VERSION and teach `readAuditRun` to read
 * the previous one, with a test.
 */
import * as v from 'valibot';
import { migrateVerdict, type Verdict } from '../consistency/verdict';
import { MAX_PROBE_CHARS, PROBE_FAMILIES, PROBE_KINDS, PROBE_PRESSURES, type AuditProbe } from './probes';

export const AUDIT_RUN_VERSION = 1;

/** running: being written; complete: every probe ran; cancelled: the writer stopped it; failed: the model could not go on. */
export type AuditStatus = 'running' | 'complete' | 'cancelled' | 'failed';

/** A statement as the run saw it: the card version the report refers to. */
export interface AuditedStatement {
  id: string;
  text: string;
  version: number;
  enabled: boolean;
}

export interface ProbeResult {
  probeId: string;
  /** done: answered and checked; failed: the model or the checker failed (error says why). */
  status: 'done' | 'failed';
  /** The character's answer (what there was of it when it failed). */
  answer: string;
  /** Null when the probe failed before or during the check. */
  verdict: Verdict | null;
  error: string | null;
  /** Time spent generating the answer, ms. */
  generateMs: number;
  /** Time the checker spent on the answer, ms. */
  checkMs: number;
}

export interface AuditRun {
  v: typeof AUDIT_RUN_VERSION;
  id: string;
  characterId: string;
  /** The name when the run was made (the report's title after renames). */
  characterName: string;
  createdAt: number;
  finishedAt: number | null;
  status: AuditStatus;
  /** Why a run ended early ('cancelled' or 'failed'), in words. */
  stopReason: string | null;
  /** The chat model that answered. */
  modelId: string;
  /** The checker's models (NLI + embedding) that scored. */
  checkerModelId: string;
  /** The flagging threshold used. */
  threshold: number;
  /** Reply budget of each answer, tokens. */
  maxTokens: number;
  statements: AuditedStatement[];
  probes: AuditProbe[];
  /** In probe order; fewer than probes when the run ended early. */
  results: ProbeResult[];
}

const id = v.pipe(v.string(), v.nonEmpty(), v.maxLength(200));
const num = v.pipe(v.number(), v.finite());
const time = v.pipe(num, v.minValue(0));
const text = (max: number) => v.pipe(v.string(), v.maxLength(max));

const ProbeSchema = v.object({
  id,
  kind: v.picklist(PROBE_KINDS),
  family: v.picklist(PROBE_FAMILIES),
  pressure: v.nullable(v.picklist(PROBE_PRESSURES)),
  statementId: v.nullable(id),
  text: text(MAX_PROBE_CHARS),
  origin: v.picklist(['template', 'edited', 'manual']),
});

const ResultSchema = v.object({
  probeId: id,
  status: v.picklist(['done', 'failed']),
  answer: text(200_000),
  // Read by migrateVerdict below (any stored verdict version).
  verdict: v.unknown(),
  error: v.nullable(text(2000)),
  generateMs: time,
  checkMs: time,
});

const RunSchema = v.object({
  v: v.literal(AUDIT_RUN_VERSION),
  id,
  characterId: id,
  characterName: text(1000),
  createdAt: time,
  finishedAt: v.nullable(time),
  status: v.picklist(['running', 'complete', 'cancelled', 'failed']),
  stopReason: v.nullable(text(2000)),
  modelId: text(500),
  checkerModelId: text(500),
  threshold: num,
  // Runs stored before the field existed used the service's default then.
  maxTokens: v.optional(v.pipe(num, v.integer(), v.minValue(1)), 160),
  statements: v.pipe(
    v.array(v.object({ id, text: text(10_000), version: num, enabled: v.boolean() })),
    v.maxLength(5000),
  ),
  probes: v.pipe(v.array(ProbeSchema), v.maxLength(1000)),
  results: v.pipe(v.array(ResultSchema), v.maxLength(1000)),
});

/**
 * A stored or imported run in the current version, or null when it is not
 * one. A result whose verdict is unreadable keeps its answer as a failed
 * probe (never silently dropped). Never throws; linear in the value.
 */
export function readAuditRun(raw: unknown): AuditRun | null {
  const parsed = v.safeParse(RunSchema, raw);
  if (!parsed.success) return null;
  const run = parsed.output;
  const results: ProbeResult[] = run.results.map((r) => {
    if (r.verdict === null || r.verdict === undefined) return { ...r, verdict: null };
    const verdict = migrateVerdict(r.verdict);
    return verdict ? { ...r, verdict } : { ...r, status: 'failed', verdict: null, error: r.error ?? 'The stored verdict could not be read.' };
  });
  return { ...run, results };
}

/**
 * A run ready to validate and store.
 * @throws {AuditRunInvalidError} when it does not match the stored shape (a bug: never store it).
 */
export function assertAuditRun(run: AuditRun): AuditRun {
  const read = readAuditRun(run);
  if (!read) throw new AuditRunInvalidError('The audit run does not have the stored shape.');
  return read;
}

export class AuditRunInvalidError extends Error {
  override name = 'AuditRunInvalidError';
}

/** The probe a result answers. */
export function probeOf(run: Pick<AuditRun, 'probes'>, result: Pick<ProbeResult, 'probeId'>): AuditProbe | undefined {
  return run.probes.find((p) => p.id === result.probeId);
}
