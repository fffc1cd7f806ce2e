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

/** Every assistant message of a chat with its user turn, in order (for analysing or re-checking one reply). */
export function assistantTurns(messages: readonly Message[]): AssistantTurn[] {
  return [...followTurns(null, messages).turns];
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

const GONE: unique symbol = Symbol('gone');
/** Changes a CheckMap holds over its base before it folds them in (one copy of the base per this many). */
const FOLD_AFTER = 256;

/**
 * A read-only map of a chat's checks: a shared base and the few changes made
 * since, so that a change of one reply costs a copy of the changes, not of
 * 5,000 entries (each streamed save of a 10,000-message chat copied the whole
 * map, twice with the streaming reply's check: megabytes of garbage per reply
 * for the collector, bench:scale's heap profile). Every so often the changes
 * are folded into a new base.
 */
export class CheckMap<V> implements ReadonlyMap<string, V> {
  readonly size: number;
  private constructor(
    private readonly base: ReadonlyMap<string, V>,
    private readonly over: ReadonlyMap<string, V | typeof GONE>,
  ) {
    let size = base.size;
    for (const [k, v] of over) {
      const inBase = base.has(k);
      if (v === GONE) size -= inBase ? 1 : 0;
      else size += inBase ? 0 : 1;
    }
    this.size = size;
  }

  static of<V>(entries: Iterable<readonly [string, V]>): CheckMap<V> {
    return new CheckMap(new Map(entries), new Map());
  }

  /** This map with `changes` made (undefined: the key removed); this one is left as it is. */
  with(changes: Iterable<readonly [string, V | undefined]>): CheckMap<V> {
    const over = new Map<string, V | typeof GONE>(this.over);
    for (const [k, v] of changes) over.set(k, v === undefined ? GONE : v);
    if (over.size <= FOLD_AFTER) return new CheckMap(this.base, over);
    const folded = new Map(this.base);
    for (const [k, v] of over) {
      if (v === GONE) folded.delete(k);
      else folded.set(k, v);
    }
    return new CheckMap(folded, new Map());
  }

  get(key: string): V | undefined {
    const v = this.over.get(key);
    if (v !== undefined) return v === GONE ? undefined : v;
    return this.base.get(key);
  }

  has(key: string): boolean {
    const v = this.over.get(key);
    return v !== undefined ? v !== GONE : this.base.has(key);
  }

  *entries(): MapIterator<[string, V]> {
    for (const [k, v] of this.base) if (!this.over.has(k)) yield [k, v];
    for (const [k, v] of this.over) if (v !== GONE) yield [k, v];
  }

  // keys, values and forEach make no [key, value] pair per entry: they run
  // over every reply of the chat on each change (the contradiction counts).
  *keys(): MapIterator<string> {
    for (const k of this.base.keys()) if (!this.over.has(k)) yield k;
    for (const k of this.over.keys()) if (this.over.get(k) !== GONE) yield k;
  }

  *values(): MapIterator<V> {
    if (this.over.size === 0) {
      yield* this.base.values();
      return;
    }
    for (const k of this.base.keys()) if (!this.over.has(k)) yield this.base.get(k)!;
    for (const v of this.over.values()) if (v !== GONE) yield v;
  }

  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    this.base.forEach((v, k) => {
      if (!this.over.has(k)) fn(v, k, this);
    });
    this.over.forEach((v, k) => {
      if (v !== GONE) fn(v, k, this);
    });
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
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
  readonly checks: CheckMap<MessageCheck<L>>;
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
    return { turns, inputs, checks: CheckMap.of(checks) };
  }
  const keys = [...changedKeys(prev.inputs.live, inputs.live), ...changedKeys(prev.inputs.checking, inputs.checking)];
  const from = Math.min(sameBefore, turns.turns.length, prev.turns.turns.length);
  if (from === turns.turns.length && from === prev.turns.turns.length && keys.length === 0) return prev.turns === turns && prev.inputs === inputs ? prev : { turns, inputs, checks: prev.checks };
  // In order: the replies from the first change are removed, then put back as they are now.
  const changes = new Map<string, MessageCheck<L> | undefined>();
  for (let i = from; i < prev.turns.turns.length; i++) changes.set(prev.turns.turns[i]!.message.id, undefined);
  for (let i = from; i < turns.turns.length; i++) changes.set(turns.turns[i]!.message.id, checkOf(turns.turns[i]!, inputs));
  for (const key of keys) {
    const turn = turnWithId(turns.turns, key.slice(0, key.lastIndexOf(':')));
    if (turn) changes.set(turn.message.id, checkOf(turn, inputs));
  }
  return { turns, inputs, checks: prev.checks.with(changes) };
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
    checks: (list: TurnList, inputs: CheckInputs<L>): CheckMap<MessageCheck<L>> => (checks = followChecks(checks, list, inputs)).checks,
  };
}
