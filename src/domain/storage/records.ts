/**
 * The small stored records that wrap other shapes: a verdict with its keys
 * (table `verdicts`) and a setting row (table `settings`).
 */
import * as v from 'valibot';
import { migrateVerdict, type Verdict } from '../consistency/verdict';
import { isRecord } from '../cards/coerce';

/** A stored consistency verdict for one swipe of one assistant message (issue #4). */
export interface VerdictRecord {
  /** `${messageId}:${swipeIndex}` */
  id: string;
  messageId: string;
  chatId: string;
  swipeIndex: number;
  /** The verdict in its current stored version (domain/consistency/verdict.ts). */
  verdict: Verdict;
  createdAt: number;
}

export interface SettingRecord {
  key: string;
  value: unknown;
}

const id = v.pipe(v.string(), v.nonEmpty());

/** The record around a verdict; the verdict itself is read by `migrateVerdict` (any stored version). */
const VerdictEnvelopeSchema = v.object({
  id,
  messageId: id,
  chatId: id,
  swipeIndex: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  createdAt: v.pipe(v.number(), v.finite()),
  verdict: v.unknown(),
});

/** A verdict record of any stored version in the current one, or null when it is unreadable. Never throws. */
export function readVerdictRecord(raw: unknown): VerdictRecord | null {
  const envelope = v.safeParse(VerdictEnvelopeSchema, raw);
  if (!envelope.success) return null;
  const verdict = migrateVerdict(envelope.output.verdict);
  return verdict ? { ...envelope.output, verdict } : null;
}

/** A settings row: a string key and any value (the value is checked per key, domain/storage/settings.ts). */
export function readSettingRecord(raw: unknown): SettingRecord | null {
  return isRecord(raw) && typeof raw.key === 'string' ? { key: raw.key, value: raw.value } : null;
}
