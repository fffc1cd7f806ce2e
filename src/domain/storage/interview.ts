/**
 * The stored guided-creation draft (table `interviews`): its schema and its
 * reader. A draft in IndexedDB may come from an older build or a bug, so a
 * read repairs what it can (unknown answers dropped, wrong types emptied)
 * instead of refusing the writer's work; only a record without an id is
 * unreadable.
 */
import * as v from 'valibot';
import { isRecord } from '../cards/coerce';
import {
  BIG_FIVE,
  emptyAnswers,
  INTERVIEW_STEPS,
  MAX_INTERVIEW_STATEMENTS,
  type AcceptedStatement,
  type BigFiveFactor,
  type BigFivePole,
  type InterviewAnswers,
  type InterviewDraft,
  type InterviewStepId,
  type TextAnswerKey,
} from '../interview';

/** Longest answer stored (characters): far above any card field a writer types by hand. */
export const MAX_ANSWER_CHARS = 20_000;

const STEP_IDS = INTERVIEW_STEPS.map((s) => s.id) as [InterviewStepId, ...InterviewStepId[]];
const TEXT_KEYS = (Object.keys(emptyAnswers()) as (keyof InterviewAnswers)[]).filter((k): k is TextAnswerKey => k !== 'bigFive');
const answer = v.pipe(v.string(), v.maxLength(MAX_ANSWER_CHARS));
const finite = v.pipe(v.number(), v.finite());
const id = v.pipe(v.string(), v.nonEmpty());

const AnswersSchema = v.object({
  ...(Object.fromEntries(TEXT_KEYS.map((k) => [k, answer])) as Record<TextAnswerKey, typeof answer>),
  bigFive: v.partial(v.object(Object.fromEntries(BIG_FIVE.map((f) => [f, v.picklist(['high', 'low'])])) as Record<BigFiveFactor, v.PicklistSchema<['high', 'low'], undefined>>)),
});

const AcceptedSchema = v.object({ id, text: answer, step: v.picklist(STEP_IDS), sourceKey: v.string() });

export const InterviewDraftSchema = v.object({
  id,
  step: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(INTERVIEW_STEPS.length - 1)),
  answers: AnswersSchema,
  accepted: v.pipe(v.array(AcceptedSchema), v.maxLength(MAX_INTERVIEW_STATEMENTS)),
  rejected: v.pipe(v.array(v.string()), v.maxLength(MAX_INTERVIEW_STATEMENTS * 10)),
  createdAt: finite,
  updatedAt: finite,
});

function text(raw: unknown): string {
  return typeof raw === 'string' ? raw.slice(0, MAX_ANSWER_CHARS) : '';
}

function num(raw: unknown, fallback: number): number {
  return typeof raw === 'number' && Number.isFinite(raw) ? raw : fallback;
}

/**
 * Reads a stored draft of unknown quality: a sound record as it is, anything
 * else repaired field by field. Returns null only when it has no id. Never
 * throws; linear in the size of the record.
 */
export function readInterviewDraft(raw: unknown, now = 0): InterviewDraft | null {
  const sound = v.safeParse(InterviewDraftSchema, raw);
  if (sound.success) return sound.output as InterviewDraft;
  if (!isRecord(raw) || typeof raw.id !== 'string' || raw.id === '') return null;
  const rawAnswers = isRecord(raw.answers) ? raw.answers : {};
  const answers = emptyAnswers();
  for (const k of TEXT_KEYS) answers[k] = text(rawAnswers[k]);
  if (isRecord(rawAnswers.bigFive)) {
    for (const f of BIG_FIVE) {
      const pole = rawAnswers.bigFive[f];
      if (pole === 'high' || pole === 'low') answers.bigFive[f] = pole as BigFivePole;
    }
  }
  const accepted: AcceptedStatement[] = [];
  const seen = new Set<string>();
  for (const item of Array.isArray(raw.accepted) ? raw.accepted.slice(0, MAX_INTERVIEW_STATEMENTS) : []) {
    if (!isRecord(item) || typeof item.text !== 'string' || item.text.trim() === '') continue;
    let aid = typeof item.id === 'string' && item.id ? item.id : `${raw.id}:accepted-${accepted.length}`;
    while (seen.has(aid)) aid = `${aid}-${accepted.length}`;
    seen.add(aid);
    const step = (STEP_IDS as string[]).includes(item.step as string) ? (item.step as InterviewStepId) : 'identity';
    accepted.push({ id: aid, text: text(item.text), step, sourceKey: typeof item.sourceKey === 'string' ? item.sourceKey : '' });
  }
  const rejected = Array.isArray(raw.rejected) ? raw.rejected.filter((k): k is string => typeof k === 'string').slice(0, MAX_INTERVIEW_STATEMENTS * 10) : [];
  const step = Math.min(Math.max(0, Math.trunc(num(raw.step, 0))), INTERVIEW_STEPS.length - 1);
  const createdAt = num(raw.createdAt, num(raw.updatedAt, now));
  return { id: raw.id, step, answers, accepted, rejected, createdAt, updatedAt: num(raw.updatedAt, createdAt) };
}
