/**
 * A chat's replies with their user turns and their consistency checks, kept
 * up to date change by change (issue 13 §1: per-change cost must not grow with
 * the chat). A streamed save replaces one message of a 10,000-message chat;
 * rebuilding every reply's turn and check for it cost milliseconds per save
 * and grew with the chat. Here a change costs a pointer comparison per
 * message (to find the first that changed), native copies, and work only for
 * the replies from that message on.
 *
 * Pure: no React, no stores. hooks/useChecks.ts keeps the previous state and
 * passes it back in.
 */
import type { Character } from '../domain/character';
import { currentText, type Message } from '../domain/chat';
import { verdictKey, verdictStaleness, type StoredVerdict } from './checking';

/** An assistant message with text, and the user's message before it (what its relevance is judged against). */
export interface AssistantTurn {
  readonly message: Message;
  readonly userTurn: string;
}

/** A chat's assistant turns, as `followTurns` keeps them. */
export interface TurnList {
  readonly messages: readonly Message[];
  readonly turns: readonly AssistantTurn[];
  /** turnsBefore[i]: how many turns the messages before index i make (length messages.length + 1). */
  readonly turnsBefore: Int32Array;
  /** Which list this is (a counter; no reference is kept to earlier lists, which hold whole chats). */
  readonly version: number;
  /** The version of the list this one was made from (null: made from nothing). */
  readonly fromVersion: number | null;
  /** Turns before this index are the same objects, in the same places, as in the list it was made from. */
  readonly sameBefore: number;
}

const HAS_TEXT = /\S/;
let versions = 0;
/** An unchanged message keeps its turn object wherever it moves (a delete above it). */
const turnMemo = new WeakMap<Message, AssistantTurn>();

/**
 * The turns of `messages`, reusing `prev` up to the first message that is not
 * the same object at the same place. Returns `prev` itself when nothing
 * changed. Messages must be replaced, never mutated (the feed does so).
 */
export function followTurns(prev: TurnList | null, messages: readonly Message[]): TurnList {
  if (prev && prev.messages === messages) return prev;
  let first = 0;
  if (prev) {
    const shared = Math.min(prev.messages.length, messages.length);
    while (first < shared && prev.messages[first] === messages[first]) first++;
    if (first === messages.length && first === prev.messages.length) return prev;
  }
  const keep = prev ? prev.turnsBefore[first]! : 0;
  const turns = prev ? prev.turns.slice(0, keep) : [];
  const turnsBefore = new Int32Array(messages.length + 1);
  if (prev) turnsBefore.set(prev.turnsBefore.subarray(0, first + 1));
  // The user turn in force at `first`: the last user message before it.
  let lastUser = '';
  for (let i = first - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') {
      lastUser = currentText(messages[i]!);
      break;
    }
  }
  for (let i = first; i < messages.length; i++) {
    const m = messages[i]!;
    turnsBefore[i] = turns.length;
    if (m.role === 'user') lastUser = currentText(m);
    else if (m.role === 'assistant' && HAS_TEXT.test(currentText(m))) {
      let turn = turnMemo.get(m);
      if (!turn || turn.userTurn !== lastUser) {
        turn = { message: m, userTurn: lastUser };
        turnMemo.set(m, turn);
      }
      turns.push(turn);
    }
  }
  turnsBefore[messages.length] = turns.length;
  return { messages, turns, turnsBefore, version: ++versions, fromVersion: prev?.version ?? null, sameBefore: keep };
}

/** What a message's check shows. */
export interface MessageCheck<L = unknown> {
  /** Stored verdict for the shown swipe (null: none). */
  verdict: StoredVerdict | null;
  /** The shown swipe's text, which the verdict's sentence spans index into. */
  replyText: string;
  stale: boolean;
  /** Sentences checked live so far (streaming; [] before the first is scored, null when not checked live). */
  live: L[] | null;
  /** The reply is being written now. */
  streaming: boolean;
  checking: boolean;
}

/** Everything a check depends on besides its turn. */
export interface CheckInputs<L = unknown> {
  /** The chat's verdicts by `verdictKey`; null while loading. */
  verdicts: ReadonlyMap<string, StoredVerdict> | null;
  /** Live flags by `verdictKey`. */
  live: Readonly<Record<string, L[]>>;
  /** Swipes being checked now, by `verdictKey`. */
  checking: Readonly<Record<string, boolean>>;
  /** The checker's models (staleness is judged against them); null: unknown, nothing is stale. */
  modelId: string | null;
  /** The character a reply is checked against (its speaker in a scene). */
  speakerOf: (message: Message) => Character;
}

/** The checks of a chat's replies, as `followChecks` keeps them. */
export interface CheckList<L = unknown> {
  readonly turns: TurnList;
  readonly inputs: CheckInputs<L>;
  /** By message id; an unchanged check stays the same object. */
  readonly checks: ReadonlyMap<string, MessageCheck<L>>;
}

/** A message object's verdict key, made once (its id and shown swipe never change within one object). */
const keyMemo = new WeakMap<Message, string>();
function keyOf(message: Message): string {
  let key = keyMemo.get(message);
  if (key === undefined) {
    key = verdictKey(message.id, message.swipeIndex);
    keyMemo.set(message, key);
  }
  return key;
}

/**
 * Staleness of a message's verdict, remembered per message object: a save
 * re-hashes only the message it wrote, not every reply of the chat.
 */
const staleMemo = new WeakMap<Message, { verdict: StoredVerdict; character: Character; userTurn: string; modelId: string; stale: boolean }>();
function isStale(message: Message, verdict: StoredVerdict, character: Character, userTurn: string, modelId: string): boolean {
  const hit = staleMemo.get(message);
  if (hit && hit.verdict === verdict && hit.character === character && hit.userTurn === userTurn && hit.modelId === modelId) return hit.stale;
  const stale = verdictStaleness(verdict, character, currentText(message), userTurn, modelId).stale;
  staleMemo.set(message, { verdict, character, userTurn, modelId, stale });
  return stale;
}

/** The last check made for a message object (an unchanged message keeps it, so its memoised row does not re-render). */
const checkMemo = new WeakMap<Message, MessageCheck<unknown>>();
function checkOf<L>({ message, userTurn }: AssistantTurn, inputs: CheckInputs<L>): MessageCheck<L> {
  const key = keyOf(message);
  const verdict = inputs.verdicts?.get(key) ?? null;
  const stale = verdict && inputs.modelId ? isStale(message, verdict, inputs.speakerOf(message), userTurn, inputs.modelId) : false;
  const live = inputs.live[key] ?? null;
  const checking = !!inputs.checking[key];
  const was = checkMemo.get(message) as MessageCheck<L> | undefined;
  // The text is the message's own (same object, same text): not compared.
  if (was && was.verdict === verdict && was.stale === stale && was.live === live && was.checking === checking) return was;
  const check: MessageCheck<L> = { verdict, replyText: currentText(message), stale, live, checking, streaming: false };
  checkMemo.set(message, check as MessageCheck<unknown>);
  return check;
}

/** Keys whose value differs between two records (both small: the replies being checked now). */
function changedKeys<V>(a: Readonly<Record<string, V>>, b: Readonly<Record<string, V>>): string[] {
  if (a === b) return [];
  const out: string[] = [];
  for (const k in a) if (a[k] !== b[k]) out.push(k);
  for (const k in b) if (!(k in a)) out.push(k);
  return out;
}

/** The turn of message `id`, looked for from the end (live checks and re-checks are of recent replies). */
function turnWithId(turns: readonly AssistantTurn[], id: string): AssistantTurn | undefined {
  for (let i = turns.length - 1; i >= 0; i--) if (turns[i]!.message.id === id) return turns[i];
  return undefined;
}

/** How many of `turns` are unchanged since `earlier`: all when they are the same, null unless made from it by one `followTurns`. */
function sameBeforeSince(turns: TurnList, earlier: TurnList): number | null {
  if (turns === earlier) return turns.turns.length;
  return turns.fromVersion === earlier.version ? turns.sameBefore : null;
}

/**
 * The checks of `turns` under `inputs`. From `prev` with the same verdicts,
 * models and speakers, only the replies from the first changed message on,
 * and those whose live or checking state changed, are looked at again; the
 * map is a copy of the previous one with those entries replaced. Otherwise
 * every reply is (each keeps its check object when nothing of it changed).
 * Returns `prev` itself when nothing changed.
 */
export function followChecks<L>(prev: CheckList<L> | null, turns: TurnList, inputs: CheckInputs<L>): CheckList<L> {
  const same = prev && prev.inputs.verdicts === inputs.verdicts && prev.inputs.modelId === inputs.modelId && prev.inputs.speakerOf === inputs.speakerOf;
  const sameBefore = same ? sameBeforeSince(turns, prev.turns) : null;
  if (!prev || sameBefore === null) {
    const checks = new Map<string, MessageCheck<L>>();
    for (const turn of turns.turns) checks.set(turn.message.id, checkOf(turn, inputs));
    return { turns, inputs, checks };
  }
  const keys = [...changedKeys(prev.inputs.live, inputs.live), ...changedKeys(prev.inputs.checking, inputs.checking)];
  const from = Math.min(sameBefore, turns.turns.length, prev.turns.turns.length);
  if (from === turns.turns.length && from === prev.turns.turns.length && keys.length === 0) return prev.turns === turns && prev.inputs === inputs ? prev : { turns, inputs, checks: prev.checks };
  const checks = new Map(prev.checks);
  for (let i = from; i < prev.turns.turns.length; i++) checks.delete(prev.turns.turns[i]!.message.id);
  for (let i = from; i < turns.turns.length; i++) checks.set(turns.turns[i]!.message.id, checkOf(turns.turns[i]!, inputs));
  for (const key of keys) {
    const turn = turnWithId(turns.turns, key.slice(0, key.lastIndexOf(':')));
    if (turn) checks.set(turn.message.id, checkOf(turn, inputs));
  }
  return { turns, inputs, checks };
}

/**
 * Holds the last turns and checks made, so that each new message list or
 * input is followed from them (one per open chat screen).
 */
export function createChecksFollower<L>() {
  let turns: TurnList | null = null;
  let checks: CheckList<L> | null = null;
  return {
    turns: (messages: readonly Message[]): TurnList => (turns = followTurns(turns, messages)),
    checks: (list: TurnList, inputs: CheckInputs<L>): ReadonlyMap<string, MessageCheck<L>> => (checks = followChecks(checks, list, inputs)).checks,
  };
}
