/** Chats and messages. A message holds its swipes; `swipeIndex` is the one shown. */
import type { PromptRecord } from './memory/promptRecord';
import type { StorySummary } from './memory/storySoFar';
import type { GroupScene } from './group';

export type Role = 'user' | 'assistant' | 'system';

export type FinishReason = 'stop' | 'length' | 'abort' | 'error' | 'interrupted';

export interface Swipe {
  text: string;
  /** 'streaming' while tokens arrive; 'interrupted' when a reload cut it off. */
  state: 'streaming' | 'done' | 'interrupted' | 'error';
  finishReason: FinishReason | null;
  modelId: string | null;
  createdAt: number;
  /** Set when this swipe was generated "in character" (restating statements). */
  inCharacterOf?: string[];
  usage?: { promptTokens: number; completionTokens: number };
  /** The prompt that produced this swipe (the prompt inspector reads it; issue 13 §5). */
  prompt?: PromptRecord;
}

export interface Message {
  id: string;
  chatId: string;
  /** Position within the chat (gaps allowed; ordering only). */
  order: number;
  role: Role;
  /** Display name at the time of writing (user persona or character). */
  name: string;
  swipes: Swipe[];
  swipeIndex: number;
  createdAt: number;
  updatedAt: number;
  /** Set when the guard ran on this reply's latest turn. */
  guard?: GuardReport;
  /** Pinned: stays in the prompt when older history is dropped (issue 13 §4). */
  pinned?: boolean;
  /** Group scenes (issue 13 §3): the character who wrote this assistant message. */
  speakerId?: string;
}

export interface SamplingSettings {
  temperature: number;
  topP: number;
  maxTokens: number;
  presencePenalty: number;
  repetitionPenalty: number;
  contextSize: number;
}

export const DEFAULT_SAMPLING: SamplingSettings = {
  temperature: 0.8,
  topP: 0.95,
  maxTokens: 300,
  presencePenalty: 0,
  repetitionPenalty: 1.1,
  contextSize: 4096,
};

/**
 * Keeping the character (issue 11), per chat: how many takes each reply gets
 * (ranked by APC, the best shown) and whether a failing reply is regenerated
 * in character by itself, up to `guardRetries` times.
 */
export interface TakeSettings {
  /** Takes per reply, TAKES_MIN–TAKES_MAX; 1 = one reply as before. */
  perReply: number;
  guard: boolean;
  /** Regenerations the guard may make, GUARD_RETRIES_MIN–GUARD_RETRIES_MAX. */
  guardRetries: number;
}

export const TAKES_MIN = 1;
export const TAKES_MAX = 4;
export const GUARD_RETRIES_MIN = 1;
export const GUARD_RETRIES_MAX = 3;

/** What chats stored before issue 11 read as: one take, no guard. */
export const DEFAULT_TAKES: Readonly<TakeSettings> = Object.freeze({ perReply: 1, guard: false, guardRetries: 2 });

/** Clamps stored or typed take settings into range (whole numbers). */
export function clampTakes(t: TakeSettings): TakeSettings {
  const int = (x: number, lo: number, hi: number, fallback: number) => (Number.isFinite(x) ? Math.min(hi, Math.max(lo, Math.round(x))) : fallback);
  return {
    perReply: int(t.perReply, TAKES_MIN, TAKES_MAX, DEFAULT_TAKES.perReply),
    guard: t.guard === true,
    guardRetries: int(t.guardRetries, GUARD_RETRIES_MIN, GUARD_RETRIES_MAX, DEFAULT_TAKES.guardRetries),
  };
}

/**
 * What the guard did for a message (stored with it, shown under it). The
 * statement texts are copied as they were, so the note still reads right
 * after the card is edited.
 */
export interface GuardReport {
  /** Regenerations made (0 when the reply was clean or the checker could not judge it). */
  tries: number;
  /** clean: a try came out clean; failing: every try failed; stopped: Stop ended it. */
  outcome: 'clean' | 'failing' | 'stopped';
  /** The statements the failing reply contradicted (restated in the tries). */
  statements: string[];
  /** Role failures of the failing reply (assistant voice, speaking for the user). */
  roleKinds: string[];
  at: number;
}

/**
 * Where a branch split from its parent (issue 13 §2): the parent chat and its
 * last message the branch shares. Kept when the parent is deleted (the branch
 * then stands alone and says where it came from).
 */
export interface BranchPoint {
  chatId: string;
  messageId: string;
  /** 1-based position of that message in the parent (what the chat list shows). */
  position: number;
  /** The start of that message's shown text, for the chat list. */
  snippet: string;
}

export interface Chat {
  id: string;
  characterId: string;
  title: string;
  sampling: SamplingSettings;
  takes: TakeSettings;
  /** Set for a group scene (issue 13 §3); `characterId` is then its first member. */
  group?: GroupScene;
  createdAt: number;
  updatedAt: number;
  /** Set on a branch: the chat and message it split from. */
  branchOf?: BranchPoint;
  /** The user persona this chat writes as (issue 13 §5); absent or deleted → the default persona. */
  personaId?: string;
  /** The writer's note for the model, sent at a depth in the history (issue 13 §5). */
  authorsNote?: AuthorsNote;
  /** "Story so far": summaries of the oldest history, a chain in chat order (issue 13 §4). */
  memory?: StorySummary[];
}

/** A chat's author's note: `text` (macros allowed) inserted `depth` messages from the end. */
export interface AuthorsNote {
  text: string;
  depth: number;
}

export const DEFAULT_AUTHORS_NOTE_DEPTH = 4;
export const AUTHORS_NOTE_DEPTH_MAX = 100;
/** An author's note longer than this is refused (it is sent with every reply). */
export const AUTHORS_NOTE_MAX_CHARS = 4000;

export function currentText(message: Message): string {
  return message.swipes[message.swipeIndex]?.text ?? '';
}
