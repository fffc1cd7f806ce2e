/**
 * The stored chat and message records (tables `chats`, `messages`, backups) as
 * schemas, with readers that coerce what can be coerced. A message always
 * comes out with at least one swipe and a `swipeIndex` that points at one, so
 * the chat screen can render any message it is given.
 */
import * as v from 'valibot';
import { DEFAULT_SAMPLING, DEFAULT_TAKES, GUARD_RETRIES_MAX, GUARD_RETRIES_MIN, TAKES_MAX, TAKES_MIN, clampTakes, type Chat, type FinishReason, type Message, type Role, type SamplingSettings, type Swipe, type TakeSettings } from '../chat';
import { isRecord, toNum, toStr, toTextList } from '../cards/coerce';
import { describeIssues, describeValue } from './issues';
import { AUTHORS_NOTE_DEPTH_MAX, AUTHORS_NOTE_MAX_CHARS } from '../chat';
import { SUMMARIES_MAX, SUMMARY_MAX_CHARS } from '../memory/storySoFar';
import { GROUP_MAX_MEMBERS, GROUP_MIN_MEMBERS, SPEAKER_STRATEGIES, type GroupScene } from '../group';

const ROLES = ['user', 'assistant', 'system'] as const satisfies readonly Role[];
const STATES = ['streaming', 'done', 'interrupted', 'error'] as const satisfies readonly Swipe['state'][];
const FINISH = ['stop', 'length', 'abort', 'error', 'interrupted'] as const satisfies readonly FinishReason[];
const finite = v.pipe(v.number(), v.finite());
const id = v.pipe(v.string(), v.nonEmpty());

export const SamplingSchema = v.object({
  temperature: finite,
  topP: finite,
  maxTokens: finite,
  presencePenalty: finite,
  repetitionPenalty: finite,
  contextSize: finite,
});

const wholeIn = (lo: number, hi: number) => v.pipe(v.number(), v.safeInteger(), v.minValue(lo), v.maxValue(hi));

/** Chats stored before issue 11 have no `takes`: they read as one take, guard off. */
export const TakesSchema = v.optional(
  v.object({
    perReply: wholeIn(TAKES_MIN, TAKES_MAX),
    guard: v.boolean(),
    guardRetries: wholeIn(GUARD_RETRIES_MIN, GUARD_RETRIES_MAX),
  }),
  () => ({ ...DEFAULT_TAKES }),
);

export const BranchPointSchema = v.object({
  chatId: id,
  messageId: id,
  position: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  snippet: v.pipe(v.string(), v.maxLength(400)),
});

export const AuthorsNoteSchema = v.object({
  text: v.pipe(v.string(), v.maxLength(AUTHORS_NOTE_MAX_CHARS)),
  depth: wholeIn(0, AUTHORS_NOTE_DEPTH_MAX),
});

export const StorySummarySchema = v.object({
  id,
  fromId: id,
  toId: id,
  count: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  sourceHash: v.pipe(v.string(), v.maxLength(64)),
  text: v.pipe(v.string(), v.maxLength(SUMMARY_MAX_CHARS)),
  edited: v.boolean(),
  createdAt: finite,
  updatedAt: finite,
});

/** Chats stored before issue 13 have neither: no note, no summaries. */
const MemorySchema = v.pipe(v.array(StorySummarySchema), v.maxLength(SUMMARIES_MAX));
/** A group scene (issue 13 §3): 2–6 distinct members, muted ones among them. Chats stored before it have none. */
export const GroupSceneSchema = v.pipe(
  v.object({
    memberIds: v.pipe(v.array(id), v.minLength(GROUP_MIN_MEMBERS), v.maxLength(GROUP_MAX_MEMBERS)),
    strategy: v.picklist(SPEAKER_STRATEGIES),
    muted: v.pipe(v.array(id), v.maxLength(GROUP_MAX_MEMBERS)),
  }),
  v.check((g) => new Set(g.memberIds).size === g.memberIds.length, 'a member appears twice'),
  v.check((g) => g.muted.every((m) => g.memberIds.includes(m)), 'a muted member is not in the scene'),
);

export const ChatSchema = v.object({
  id,
  characterId: id,
  title: v.string(),
  sampling: SamplingSchema,
  takes: TakesSchema,
  group: v.optional(GroupSceneSchema),
  createdAt: finite,
  updatedAt: finite,
  branchOf: v.optional(BranchPointSchema),
  personaId: v.optional(v.pipe(id, v.maxLength(200))),
  authorsNote: v.optional(AuthorsNoteSchema),
  memory: v.optional(MemorySchema),
});

const RunSchema = v.object({ fromId: id, toId: id, count: v.pipe(v.number(), v.safeInteger(), v.minValue(1)) });
const PROMPT_TEXT_MAX = 500_000;

/** The prompt inspector's record (domain/memory/promptRecord.ts). */
export const PromptRecordSchema = v.object({
  v: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  at: finite,
  names: v.object({ char: v.string(), user: v.string() }),
  contextSize: finite,
  budget: finite,
  tokenCount: finite,
  overBudget: v.boolean(),
  entries: v.pipe(
    v.array(
      v.object({
        kind: v.picklist(['system', 'summary', 'pinned', 'history', 'authors-note', 'post-history', 'continue']),
        role: v.picklist(['system', 'user', 'assistant']),
        tokens: finite,
        text: v.optional(v.pipe(v.string(), v.maxLength(PROMPT_TEXT_MAX))),
        run: v.optional(v.object({ ...RunSchema.entries, hash: v.pipe(v.string(), v.maxLength(64)) })),
        parts: v.optional(v.pipe(v.array(v.object({ label: v.pipe(v.string(), v.maxLength(40)), tokens: finite })), v.maxLength(10))),
      }),
    ),
    v.maxLength(20_000),
  ),
  summarized: v.nullable(RunSchema),
  dropped: v.pipe(v.array(RunSchema), v.maxLength(20_000)),
  droppedExampleBlocks: finite,
  droppedLorebookEntries: v.pipe(v.array(finite), v.maxLength(10_000)),
});

export const SwipeSchema = v.object({
  text: v.string(),
  state: v.picklist(STATES),
  finishReason: v.nullable(v.picklist(FINISH)),
  modelId: v.nullable(v.string()),
  createdAt: finite,
  inCharacterOf: v.optional(v.array(v.string())),
  usage: v.optional(v.object({ promptTokens: finite, completionTokens: finite })),
  prompt: v.optional(PromptRecordSchema),
});

const GuardReportSchema = v.object({
  tries: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(GUARD_RETRIES_MAX)),
  outcome: v.picklist(['clean', 'failing', 'stopped']),
  statements: v.pipe(v.array(v.pipe(v.string(), v.maxLength(2000))), v.maxLength(200)),
  roleKinds: v.pipe(v.array(v.pipe(v.string(), v.maxLength(40))), v.maxLength(10)),
  at: finite,
});

export const MessageSchema = v.pipe(
  v.object({
    id,
    chatId: id,
    order: finite,
    role: v.picklist(ROLES),
    name: v.string(),
    swipes: v.pipe(v.array(SwipeSchema), v.minLength(1)),
    swipeIndex: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
    createdAt: finite,
    updatedAt: finite,
    guard: v.optional(GuardReportSchema),
    pinned: v.optional(v.boolean()),
    speakerId: v.optional(id),
  }),
  v.check((m) => m.swipeIndex < m.swipes.length, 'swipeIndex points past the last swipe'),
);

/** A record read through its schema: the sound value, or a repaired one with what was repaired. */
export interface ReadRecord<T> {
  value: T;
  repairs: string[];
}

/** Why a record could not be read at all (it is left out, never guessed). */
export interface Refusal {
  refused: string;
}

function readSampling(raw: unknown): SamplingSettings {
  const r = isRecord(raw) ? raw : {};
  const out = { ...DEFAULT_SAMPLING };
  for (const key of Object.keys(DEFAULT_SAMPLING) as (keyof SamplingSettings)[]) out[key] = toNum(r[key], DEFAULT_SAMPLING[key]);
  return out;
}

function readTakes(raw: unknown): TakeSettings {
  const r = isRecord(raw) ? raw : {};
  return clampTakes({ perReply: toNum(r.perReply, DEFAULT_TAKES.perReply), guard: r.guard === true, guardRetries: toNum(r.guardRetries, DEFAULT_TAKES.guardRetries) });
}

/**
 * A damaged group scene, repaired where the members can be told apart:
 * duplicates and empty ids dropped, at most GROUP_MAX_MEMBERS kept, unknown
 * strategy → round-robin. Fewer than two members left: no scene (the chat
 * stays a chat with its first character).
 */
function readGroup(raw: unknown): GroupScene | undefined {
  if (raw === undefined || !isRecord(raw)) return undefined;
  const ids = Array.isArray(raw.memberIds) ? [...new Set(raw.memberIds.filter((x): x is string => typeof x === 'string' && x !== ''))].slice(0, GROUP_MAX_MEMBERS) : [];
  if (ids.length < GROUP_MIN_MEMBERS) return undefined;
  const strategy = (SPEAKER_STRATEGIES as readonly unknown[]).includes(raw.strategy) ? (raw.strategy as GroupScene['strategy']) : 'round-robin';
  const muted = Array.isArray(raw.muted) ? ids.filter((m) => (raw.muted as unknown[]).includes(m)) : [];
  return { memberIds: ids, strategy, muted };
}

/** A chat record; refused without an id or a character to belong to. Never throws. */
export function readChat(raw: unknown, now = 0): ReadRecord<Chat> | Refusal {
  const sound = v.safeParse(ChatSchema, raw);
  if (sound.success) return { value: sound.output, repairs: [] };
  if (!isRecord(raw) || typeof raw.id !== 'string' || raw.id === '') return { refused: 'it has no id' };
  if (typeof raw.characterId !== 'string' || raw.characterId === '') return { refused: 'it belongs to no character' };
  const created = toNum(raw.createdAt, null);
  const updated = toNum(raw.updatedAt, null);
  const title = toStr(raw.title).trim();
  // A damaged branch link or persona id is dropped (the chat stands alone, with the default persona), a sound one kept.
  const branchOf = v.safeParse(BranchPointSchema, raw.branchOf);
  const personaId = typeof raw.personaId === 'string' && raw.personaId !== '' && raw.personaId.length <= 200 ? raw.personaId : undefined;
  // A damaged note or summary list is left out (the chat reads as having none), a sound one kept.
  const note = v.safeParse(AuthorsNoteSchema, raw.authorsNote);
  const memory = v.safeParse(MemorySchema, raw.memory);
  const group = readGroup(raw.group);
  return {
    value: {
      ...(group ? { group } : {}),
      ...(branchOf.success ? { branchOf: branchOf.output } : {}),
      ...(personaId ? { personaId } : {}),
      ...(note.success ? { authorsNote: note.output } : {}),
      ...(memory.success ? { memory: memory.output } : {}),
      id: raw.id,
      characterId: raw.characterId,
      title: title === '' ? 'Chat' : toStr(raw.title),
      sampling: readSampling(raw.sampling),
      takes: readTakes(raw.takes),
      createdAt: created ?? updated ?? now,
      updatedAt: updated ?? created ?? now,
    },
    repairs: describeIssues(sound.issues),
  };
}

function readSwipe(raw: unknown, fallbackTime: number): Swipe {
  const r = isRecord(raw) ? raw : { text: raw };
  const swipe: Swipe = {
    text: toStr(r.text),
    state: (STATES as readonly unknown[]).includes(r.state) ? (r.state as Swipe['state']) : 'done',
    finishReason: (FINISH as readonly unknown[]).includes(r.finishReason) ? (r.finishReason as FinishReason) : null,
    modelId: typeof r.modelId === 'string' ? r.modelId : null,
    createdAt: toNum(r.createdAt, fallbackTime),
  };
  if (r.inCharacterOf !== undefined) swipe.inCharacterOf = toTextList(r.inCharacterOf);
  // The inspector's record only describes the swipe: a damaged one is dropped.
  const prompt = v.safeParse(PromptRecordSchema, r.prompt);
  if (prompt.success) swipe.prompt = prompt.output;
  if (isRecord(r.usage)) {
    const promptTokens = toNum(r.usage.promptTokens, null);
    const completionTokens = toNum(r.usage.completionTokens, null);
    if (promptTokens !== null && completionTokens !== null) swipe.usage = { promptTokens, completionTokens };
  }
  return swipe;
}

/**
 * A message record; refused without an id, a chat, a position (`order`) or a
 * known role (a guessed role would put the text in the wrong mouth in the
 * prompt). Swipes are coerced; an empty list becomes one empty swipe. Never throws.
 */
export function readMessage(raw: unknown, now = 0): ReadRecord<Message> | Refusal {
  const sound = v.safeParse(MessageSchema, raw);
  if (sound.success) return { value: sound.output as Message, repairs: [] };
  if (!isRecord(raw) || typeof raw.id !== 'string' || raw.id === '') return { refused: 'it has no id' };
  if (typeof raw.chatId !== 'string' || raw.chatId === '') return { refused: 'it belongs to no chat' };
  const order = toNum(raw.order, null);
  if (order === null) return { refused: `its position ("order") is ${describeValue(raw.order)}` };
  if (!(ROLES as readonly unknown[]).includes(raw.role)) return { refused: `its role is ${describeValue(raw.role)}, not user, assistant or system` };
  const created = toNum(raw.createdAt, null);
  const updated = toNum(raw.updatedAt, null);
  const time = created ?? updated ?? now;
  const swipes = Array.isArray(raw.swipes) ? raw.swipes.map((s) => readSwipe(s, time)) : [];
  if (swipes.length === 0) swipes.push(readSwipe('', time));
  const index = toNum(raw.swipeIndex, 0);
  // A damaged guard note is dropped (it only describes the message), a sound one kept.
  const guard = v.safeParse(GuardReportSchema, raw.guard);
  return {
    value: {
      ...(guard.success ? { guard: guard.output } : {}),
      ...(raw.pinned === true ? { pinned: true } : {}),
      ...(typeof raw.speakerId === 'string' && raw.speakerId !== '' ? { speakerId: raw.speakerId } : {}),
      id: raw.id,
      chatId: raw.chatId,
      order,
      role: raw.role as Role,
      name: toStr(raw.name),
      swipes,
      swipeIndex: Number.isSafeInteger(index) ? Math.min(Math.max(index, 0), swipes.length - 1) : 0,
      createdAt: time,
      updatedAt: updated ?? time,
    },
    repairs: describeIssues(sound.issues),
  };
}

export function isRefusal(value: object): value is Refusal {
  return 'refused' in value;
}

// The interfaces and the schemas describe one shape: this fails to compile when they drift.
type ChatOutput = v.InferOutput<typeof ChatSchema>;
type MessageOutput = v.InferOutput<typeof MessageSchema>;
const _sameShapes: [ChatOutput extends Chat ? true : false, Chat extends ChatOutput ? true : false, MessageOutput extends Message ? true : false, Message extends MessageOutput ? true : false] = [true, true, true, true];
void _sameShapes;
