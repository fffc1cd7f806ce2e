/**
 * One chat turn, end to end. Every reply takes this path:
 *
 *   1. write     the user's message (send) and the reply's swipe, state 'streaming'
 *   2. assemble  the prompt: card, statements, lorebook, history (domain/prompt)
 *   3. stream    deltas from the engine; the text lives in memory first
 *   4. check     each completed sentence while it streams (engines/liveCheck)
 *   5. save      the reply every STREAM_SAVE_INTERVAL_MS and at the end; a
 *                failed write is reported and retried, never hidden, and never
 *                lets older stored text replace what is in memory
 *   6. verdict   stored when the check ends, replaced by the exact one when that lands
 *   7. keep      with the chat's takes (issue 11): takes 2..N in the background into
 *                new swipes of the same message, the guard's in-character retries
 *                while the reply fails, then every take ranked (best shown first)
 *
 * The caller (stores/session) passes the engine and checker it holds and
 * receives events; storage goes through the repositories given to
 * `createChatTurns`. No React, no stores.
 */
import type { Character } from '../domain/character';
import { currentText, type Chat, type FinishReason, type GuardReport, type Message, type Swipe } from '../domain/chat';
import { characterVoiceLines, failingRoleFlags, guardDecision, rankTakes, restatementsFor, toVerdict, type GuardDecision, type Take, type Verdict } from '../domain/consistency';
import { assemblePrompt, estimateTokens, foldForStrictTemplates, TokenCalibration } from '../domain/prompt';
import { resolveMacros } from '../domain/text';
import { projectHistory, sceneNote, sceneStops, type SceneMember } from '../domain/group';
import type { ChatEngine, GenerateResult } from '../engines/ChatEngine';
import { startLiveCheck, type CheckedReply, type LiveCheck, type LiveCheckClient, type SentenceCheck, type SentenceRoleFlags } from '../engines/liveCheck';
import { repos, type ChatRepository, type VerdictRepository } from '../db';
import { displayName, historyFrom, userTurnBefore } from './chat';
import { recordPrompt, storyOfRecord } from '../domain/memory/promptRecord';
import { contextFor, memoryInput } from './memory';
import { calibrationKey, tokenCalibration } from './calibration';

/**
 * How often a streaming reply is written to IndexedDB (a reload loses at most
 * this much). Each write also wakes every live query on the chat, and on a
 * 2-core machine that main-thread work comes out of the model's threads
 * (BENCHMARKS.md), so the interval is a second, not less.
 */
export const STREAM_SAVE_INTERVAL_MS = 1000;

/** Delays before the final save's retries (a transient failure: a busy or closing database). */
export const FINAL_SAVE_RETRY_DELAYS_MS = [250, 1000] as const;

export type TurnRequest =
  /** Store the user's message, then reply to it. */
  | { kind: 'send'; text: string }
  /** Reply to the last message (a user message left without an answer). */
  | { kind: 'reply' }
  /** A new swipe for an assistant message; `restate` regenerates "in character". */
  | { kind: 'regenerate'; messageId: string; restate?: string[] }
  /** Continue the shown swipe of an assistant message. */
  | { kind: 'continue'; messageId: string };

/** What a check needs of the checker: the loaded client (null: no check) and the flag threshold. */
export interface TurnChecker {
  client: LiveCheckClient | null;
  threshold: number;
}

/**
 * A group scene's turn (issue 13 §3): `TurnContext.character` is the
 * speaker; the prompt is the shared history projected into its view
 * (domain/group.ts), and the reply is stored with its id and checked against
 * its statements only.
 */
export interface TurnScene {
  members: SceneMember[];
}

export interface TurnContext {
  chat: Chat;
  /** The character who replies (in a group scene: the speaker). */
  character: Character;
  /** Set for a group scene. */
  scene?: TurnScene;
  engine: ChatEngine;
  checker: TurnChecker;
  userName: string;
  /** The active persona's description (issue 13 §5), placed in the prompt; '' or absent: none. */
  userDescription?: string;
}

/** Where the reply is written. */
export interface TurnTarget {
  chatId: string;
  messageId: string;
  swipeIndex: number;
  /** Text already in the swipe (continue) that new text is appended to. */
  prefix: string;
}

export type SwipePatch = Partial<Swipe>;

export interface ReplyOutcome {
  target: TurnTarget;
  /** The reply's full text (prefix included), macros resolved. */
  text: string;
  finishReason: FinishReason;
  result: GenerateResult | null;
  /** The engine's failure, when generation ended with one (the text so far is kept). */
  error: unknown;
  /** False when the final write failed after its retries: `unsaved` holds what to write. */
  saved: boolean;
  unsaved: { patch: SwipePatch; error: unknown } | null;
}

export type TurnEvent =
  /** The reply's swipe exists; streaming starts from `text` (the prefix). */
  | { type: 'target'; target: TurnTarget; text: string }
  /** The reply's full text so far. */
  | { type: 'text'; text: string }
  /** A sentence was checked while the reply streams. */
  | { type: 'sentence'; check: SentenceCheck }
  /** A sentence's role flags while the reply streams (after its 'sentence'); the verdict's replace them. */
  | { type: 'sentence-roles'; check: SentenceRoleFlags }
  /** A write failed; the text in memory is the reply. `error` is the storage error. */
  | { type: 'save-failed'; error: unknown }
  /** A write succeeded after one had failed. */
  | { type: 'save-recovered' }
  /** Generation ended and the reply was written (or not: see `outcome.saved`). */
  | { type: 'reply-done'; outcome: ReplyOutcome }
  /** A verdict for the reply: `exact` false for a fast first one. `saved` false when its write failed. */
  | { type: 'verdict'; target: TurnTarget; verdict: Verdict; exact: boolean; saved: boolean; error?: unknown }
  /** The live check is over (verdict stored, or skipped): live flags can go. */
  | { type: 'check-done'; target: TurnTarget }
  /**
   * A background take starts (its text is not streamed to the screen):
   * take `take` of `of` replies (best-of), or the guard's try `take` of at most `of`.
   */
  | { type: 'take'; target: TurnTarget; take: number; of: number; purpose: 'best-of' | 'guard' }
  /** Every take is done and ranked (`ranked` false when they could not be reordered: `error` says why). */
  | { type: 'takes-done'; messageId: string; takes: number; guard: GuardReport | null; ranked: boolean; error?: unknown };

/** What the takes of a reply came to (chats with more than one take per reply, or the guard on). */
export interface TakesSummary {
  /** Swipes the turn left in the message (stopped empty takes are dropped). */
  count: number;
  guard: GuardReport | null;
  ranked: boolean;
}

export type TurnResult =
  /** Nothing was stored: the user's message (or the reply's swipe) could not be written. */
  | { status: 'not-started'; error: unknown }
  | { status: 'replied'; outcome: ReplyOutcome; takes?: TakesSummary };

export interface TurnHandle {
  /** Resolves true once the user's message is stored (the composer may clear), false when it could not be. */
  readonly accepted: Promise<boolean>;
  /** Resolves when the reply has ended and been written; the verdict may follow later (events). */
  readonly done: Promise<TurnResult>;
  /**
   * First call: a cooperative stop at any moment — before the reply's first
   * token (the engine is then never asked), while it streams, or while the
   * engine is still prefilling; takes and guard tries not yet made are not
   * made. A second call while the engine still runs forces it (the worker is
   * terminated and the model must be reloaded).
   */
  stop(): void;
}

export interface ChatTurnRepositories {
  chats: Pick<ChatRepository, 'messages' | 'append' | 'addSwipe' | 'writeSwipe' | 'rankSwipes'> & Partial<Pick<ChatRepository, 'openMessages'>>;
  verdicts: Pick<VerdictRepository, 'save'>;
}

export interface ChatTurnOptions {
  saveIntervalMs?: number;
  finalRetryDelaysMs?: readonly number[];
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Where server prompts' real costs are kept; the app shares one with the context line (services/calibration.ts). */
  calibration?: TokenCalibration;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A reply's swipe could not be written after its request had left: the turn did not start. */
class TurnNotStartedError extends Error {
  constructor(readonly storageError: unknown) {
    super('The reply could not be started.');
    this.name = 'TurnNotStartedError';
  }
}

/** The same messages (ids and versions) before `upTo` in both lists, and the target at the same place. */
function sameHistory(stored: readonly Message[], shown: readonly Message[], storedAt: number, shownAt: number): boolean {
  if (storedAt !== shownAt) return false;
  for (let i = 0; i < shownAt; i++) {
    const a = stored[i]!;
    const b = shown[i]!;
    if (a !== b && (a.id !== b.id || a.updatedAt !== b.updatedAt)) return false;
  }
  return true;
}

/**
 * Serialises a reply's writes and remembers whether the last one failed, so a
 * failure is reported once and a later success clears it.
 */
class ReplyWriter {
  private chain: Promise<unknown> = Promise.resolve();
  failing: unknown = null;

  constructor(
    private readonly repo: ChatTurnRepositories['chats'],
    private readonly target: TurnTarget,
    private readonly emit: (e: TurnEvent) => void,
  ) {}

  /** Queues a write; resolves true when it committed. Never rejects. */
  write(patch: SwipePatch): Promise<boolean> {
    const run = this.chain.then(async () => {
      try {
        await this.repo.writeSwipe(this.target.messageId, this.target.swipeIndex, patch);
        if (this.failing !== null) {
          this.failing = null;
          this.emit({ type: 'save-recovered' });
        }
        return true;
      } catch (error) {
        const first = this.failing === null;
        this.failing = error;
        if (first) this.emit({ type: 'save-failed', error });
        return false;
      }
    });
    this.chain = run;
    return run;
  }
}

/** The chat turn use-case over the given repositories. */
export function createChatTurns(repos: ChatTurnRepositories, options: ChatTurnOptions = {}) {
  const saveIntervalMs = options.saveIntervalMs ?? STREAM_SAVE_INTERVAL_MS;
  const retryDelays = options.finalRetryDelaysMs ?? FINAL_SAVE_RETRY_DELAYS_MS;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? (() => performance.now());
  /**
   * A server runs a model whose tokenizer the studio does not have: its
   * `usage.prompt_tokens` corrects the estimate for the next prompt, so a
   * long chat is trimmed to the server's real context. The in-browser engines
   * keep the plain estimate (their models are the catalog's, which it is tuned for).
   */
  const calibration = options.calibration ?? new TokenCalibration();

  type Prepared = {
    target: TurnTarget;
    messages: Message[];
    index: number;
    restate?: string[];
    /**
     * Set when the request may leave before the swipe is written, from what the
     * open chat shows: resolves with the written swipe's index and the chat as
     * stored (reply() waits for it before any write and starts over when the
     * history was behind); rejects when the swipe could not be written.
     */
    confirm?: Promise<{ swipeIndex: number; messages: Message[] }>;
  };

  /** Writes (or finds) the reply's swipe and the history it answers. */
  async function prepare(ctx: TurnContext, request: TurnRequest): Promise<Prepared> {
    const { chat, character, userName } = ctx;
    const name = displayName(character);
    switch (request.kind) {
      case 'send': {
        // Read before the appends: the open chat's list is then current and
        // stands in for reading the whole chat (db/messageFeed.ts), which it no
        // longer is a moment after a write. The turn is the only writer until it ends.
        const before = await repos.chats.messages(chat.id);
        const sent = await repos.chats.append(chat.id, { role: 'user', name: userName, text: request.text.trim() });
        const reply = await repos.chats.append(chat.id, { role: 'assistant', name, text: '', state: 'streaming', ...(ctx.scene ? { speakerId: character.id } : {}) });
        const messages = [...before, sent, reply];
        return { target: { chatId: chat.id, messageId: reply.id, swipeIndex: 0, prefix: '' }, messages, index: messages.length - 1 };
      }
      case 'reply':
        return replyAtEnd();
      case 'regenerate': {
        const init = request.restate?.length ? { inCharacterOf: request.restate } : {};
        // The open chat's messages (db/messageFeed.ts): the request leaves from
        // them at once (issue 14), while the list is checked against the database
        // (read first, so it sees the chat before the new swipe) and the swipe is written.
        const held = repos.chats.openMessages?.(chat.id) ?? null;
        const at = held ? held.findIndex((m) => m.id === request.messageId) : -1;
        if (held && at !== -1) {
          const stored = repos.chats.messages(chat.id);
          const written = repos.chats.addSwipe(request.messageId, init);
          const confirm = Promise.all([written, stored]).then(([swipeIndex, messages]) => ({ swipeIndex, messages }));
          confirm.catch(() => undefined);
          return { target: { chatId: chat.id, messageId: request.messageId, swipeIndex: held[at]!.swipes.length, prefix: '' }, messages: held, index: at, restate: request.restate, confirm };
        }
        // One round trip instead of two before the request can leave: the history
        // read does not need the new (empty) swipe.
        const [messages, swipeIndex] = await Promise.all([
          repos.chats.messages(chat.id),
          repos.chats.addSwipe(request.messageId, init),
        ]);
        const index = messages.findIndex((m) => m.id === request.messageId);
        return { target: { chatId: chat.id, messageId: request.messageId, swipeIndex, prefix: '' }, messages, index, restate: request.restate };
      }
      case 'continue': {
        const messages = await repos.chats.messages(chat.id);
        const index = messages.findIndex((m) => m.id === request.messageId);
        if (index === -1) throw new Error('That message no longer exists.');
        const message = messages[index]!;
        const text = currentText(message);
        const prefix = text === '' || text.endsWith(' ') ? text : `${text} `;
        return { target: { chatId: chat.id, messageId: message.id, swipeIndex: message.swipeIndex, prefix }, messages, index };
      }
    }
    async function replyAtEnd() {
      const reply = await repos.chats.append(chat.id, { role: 'assistant', name, text: '', state: 'streaming', ...(ctx.scene ? { speakerId: character.id } : {}) });
      const messages = await repos.chats.messages(chat.id);
      const index = messages.findIndex((m) => m.id === reply.id);
      return { target: { chatId: chat.id, messageId: reply.id, swipeIndex: 0, prefix: '' }, messages, index };
    }
  }

  /**
   * Streams, checks and saves one reply into a prepared target. Never throws.
   * `checked` resolves with the reply's last stored verdict (the exact one when
   * there is one), or null when it was not checked. A background take that was
   * stopped is not checked: it will not be shown first, and a verdict landing
   * after the takes are reordered would sit on the wrong swipe.
   */
  async function reply(
    ctx: TurnContext,
    prepared: Prepared,
    signal: AbortSignal,
    emit: (e: TurnEvent) => void,
    background = false,
  ): Promise<{ outcome: ReplyOutcome; checked: Promise<Verdict | null>; prepared: Prepared }> {
    const { engine, chat, character, userName } = ctx;
    const { messages, restate } = prepared;
    let target = prepared.target;
    const index = prepared.index === -1 ? messages.length : prepared.index;
    const names = { char: displayName(character), user: userName };
    /** Made once the target is written (see Prepared.confirm); a save before it waits for the next interval. */
    let writer: ReplyWriter | null = prepared.confirm ? null : new ReplyWriter(repos.chats, target, emit);
    let text = target.prefix;
    const modelId = 'modelId' in engine.status ? engine.status.modelId : null;
    let live: LiveCheck | null = null;
    let lastSave = now();
    const onDelta = (delta: string) => {
      text += delta;
      live?.feed(delta);
      emit({ type: 'text', text });
      const t = now();
      if (writer && t - lastSave >= saveIntervalMs) {
        lastSave = t;
        void writer.write({ text });
      }
    };
    // The request's own stop: the turn's Stop, or a history found behind (then it starts over).
    const local = new AbortController();
    const forward = () => local.abort();
    signal.addEventListener('abort', forward, { once: true });

    // The request leaves first: the screen, the checker and the "streaming"
    // write are set up while the model reads the prompt, not before it is sent
    // (issue 14: time to first token through the studio vs a raw request).
    // Deltas that arrive before `live` is set are fed to it when it starts.
    let generation: Promise<GenerateResult> | null = null;
    let promptTokens = 0;
    /** The "Story so far" sent: context for the checker's relevance, never checked (liveCheck.ts). */
    let story = '';
    const key = calibrationKey(engine, modelId);
    const counting = key ? calibration.counting(key, estimateTokens) : null;
    // Stopped before the engine was asked: nothing to generate.
    if (!signal.aborted) {
      const speaker = ctx.scene ? (ctx.scene.members.find((m) => m.id === character.id) ?? { id: character.id, name: names.char }) : null;
      const history = ctx.scene && speaker ? projectHistory(messages, speaker.id, ctx.scene.members, userName, index) : historyFrom(messages, index);
      // A server's window is the writer's setting for it; a chat may ask for less, never more.
      const contextSize = contextFor(chat, engine);
      const prompt = assemblePrompt({
        card: character.card,
        statements: character.statements,
        history,
        ...memoryInput(chat, history),
        ...(ctx.scene && speaker ? { scene: { note: sceneNote(speaker, ctx.scene.members, userName), stops: sceneStops(speaker, ctx.scene.members, userName) } } : {}),
        userName,
        contextSize,
        maxReplyTokens: chat.sampling.maxTokens,
        countTokens: counting?.countTokens ?? estimateTokens,
        ...(counting ? { messageOverheadTokens: counting.messageOverheadTokens } : {}),
        restate,
        continuePrefix: target.prefix || undefined,
        userDescription: ctx.userDescription,
      });
      promptTokens = prompt.tokenCount;
      // WebLLM's templates want one leading system message and a final user turn.
      const folded = foldForStrictTemplates(prompt.messages);
      try {
        generation = engine.generate({ messages: folded.messages, sampling: chat.sampling, stop: prompt.stop }, { signal: local.signal, onDelta });
      } catch (e) {
        generation = Promise.reject(e as Error);
      }
      // The inspector's record goes with the swipe (history by id, not repeated).
      const record = recordPrompt(prompt, history, { names: prompt.names, contextSize, at: Date.now() });
      story = storyOfRecord(record);
      if (prepared.confirm) {
        let confirmed: { swipeIndex: number; messages: Message[] };
        try {
          confirmed = await prepared.confirm;
        } catch (error) {
          // The swipe could not be written: nothing of this reply exists, so it stops here.
          local.abort();
          await generation.catch(() => undefined);
          signal.removeEventListener('abort', forward);
          throw new TurnNotStartedError(error);
        }
        const at = confirmed.messages.findIndex((m) => m.id === target.messageId);
        if (at === -1 || !sameHistory(confirmed.messages, messages, at, index)) {
          // The open chat was behind the database: ask again from the stored chat.
          local.abort();
          await generation.catch(() => undefined);
          signal.removeEventListener('abort', forward);
          text = target.prefix;
          return reply(ctx, { ...prepared, messages: confirmed.messages, index: at, target: { ...target, swipeIndex: confirmed.swipeIndex }, confirm: undefined }, signal, emit, background);
        }
        target = { ...target, swipeIndex: confirmed.swipeIndex };
        writer = new ReplyWriter(repos.chats, target, emit);
      }
      void writer!.write({ prompt: record });
    }
    writer ??= new ReplyWriter(repos.chats, target, emit);
    // Text that came while the swipe was being written is on screen and checked from here.
    emit({ type: 'target', target, text });
    live = startCheck(ctx, target, userTurnBefore(messages, index), emit, story, text);
    void writer.write({ state: 'streaming', modelId, ...(restate?.length ? { inCharacterOf: restate } : {}) });

    let result: GenerateResult | null = null;
    let error: unknown = null;
    let finishReason: FinishReason = 'abort';
    if (generation) {
      try {
        result = await generation;
        // The engine returns only what it generated (stop strings already trimmed).
        text = target.prefix + result.text;
        if (key && counting) calibration.observe(key, promptTokens, result.usage.promptTokens, counting.ratio);
        finishReason = result.finishReason;
      } catch (e) {
        error = e;
        finishReason = 'error';
        // A forced stop or crash may know more text than the deltas that arrived.
        const partial = (e as { partialText?: string }).partialText;
        if (partial && partial.length > text.length - target.prefix.length) text = target.prefix + partial;
      }
    }
    signal.removeEventListener('abort', forward);
    text = resolveMacros(text, names);
    emit({ type: 'text', text });

    const patch: SwipePatch = error
      ? { text, state: 'error', finishReason: 'error' }
      : { text, state: 'done', finishReason, ...(result ? { usage: result.usage } : {}) };
    let saved = await writer.write(patch);
    for (const delay of retryDelays) {
      if (saved) break;
      await sleep(delay);
      saved = await writer.write(patch);
    }
    const outcome: ReplyOutcome = {
      target,
      text,
      finishReason,
      result,
      error,
      saved,
      unsaved: saved ? null : { patch, error: writer.failing },
    };
    emit({ type: 'reply-done', outcome });

    let checked: Promise<Verdict | null> = Promise.resolve(null);
    if (live) {
      if (error || !text.trim() || (background && finishReason === 'abort')) {
        live.cancel();
        emit({ type: 'check-done', target });
      } else {
        checked = finishCheck(live, target, text, emit);
      }
    }
    // What was used: the written swipe, and the stored chat when it had to start over.
    return { outcome, checked, prepared: { ...prepared, messages, index: prepared.index, target, confirm: undefined } };
  }

  function startCheck(ctx: TurnContext, target: TurnTarget, userTurn: string, emit: (e: TurnEvent) => void, story: string, sofar = target.prefix): LiveCheck | null {
    const { client, threshold } = ctx.checker;
    if (!client?.isReady) return null;
    const live = startLiveCheck({
      client,
      statements: ctx.character.statements,
      userTurn,
      story,
      threshold,
      roles: { userName: ctx.userName, voiceLines: characterVoiceLines(ctx.character.card, ctx.userName) },
    });
    live.onSentence((check) => emit({ type: 'sentence', check }));
    live.onRoleFlags((check) => emit({ type: 'sentence-roles', check }));
    if (sofar) live.feed(sofar);
    return live;
  }

  async function saveVerdict(target: TurnTarget, checked: CheckedReply, exact: boolean, emit: (e: TurnEvent) => void): Promise<Verdict> {
    const verdict = toVerdict(checked);
    try {
      await repos.verdicts.save(target.chatId, target.messageId, target.swipeIndex, verdict);
      emit({ type: 'verdict', target, verdict, exact, saved: true });
    } catch (error) {
      emit({ type: 'verdict', target, verdict, exact, saved: false, error });
    }
    return verdict;
  }

  /** Ends the live check and stores its verdicts; resolves with the last one (null: not checked). Never rejects. */
  async function finishCheck(live: LiveCheck, target: TurnTarget, text: string, emit: (e: TurnEvent) => void): Promise<Verdict | null> {
    let last: Verdict | null = null;
    try {
      const outcome = await live.end(text);
      if (outcome.status === 'checked') {
        last = await saveVerdict(target, outcome, outcome.strategy === 'full', emit);
        // A verdict that pruned the last sentence (the writer's wait) is made
        // exact right after; the stored one is replaced when that lands.
        const exact = await live.exact();
        if (exact) last = await saveVerdict(target, exact, true, emit);
      }
    } catch {
      // A checker that failed leaves the reply unchecked (the badge offers a re-check).
    }
    emit({ type: 'check-done', target });
    return last;
  }

  /** A finished take, as ranking needs it. */
  interface TakeRecord {
    index: number;
    outcome: ReplyOutcome;
    verdict: Verdict | null;
  }

  const isComplete = (o: ReplyOutcome) => !o.error && (o.finishReason === 'stop' || o.finishReason === 'length') && o.text.trim() !== '';

  /**
   * After the first take (on screen): the chat's further takes and the
   * guard's tries, each generated in the background into a new swipe of the
   * same message and checked, then all ranked in one write. Stop ends it at
   * any point; what exists is kept (a take stopped before its first word is dropped).
   */
  async function keepTakes(ctx: TurnContext, prepared: Prepared, first: TakeRecord, signal: AbortSignal, emit: (e: TurnEvent) => void): Promise<TakesSummary> {
    const { perReply, guard, guardRetries } = ctx.chat.takes;
    const { messageId } = prepared.target;
    const from = prepared.target.swipeIndex;
    const records: TakeRecord[] = [first];
    // A take that was stopped, broke, or could not be saved ends the turn's takes.
    const goOn = () => !signal.aborted && records.every((r) => !r.outcome.error && r.outcome.saved);
    // Background takes do not drive the screen's streaming text or live flags.
    const quiet = (e: TurnEvent) => {
      if (e.type !== 'target' && e.type !== 'text' && e.type !== 'sentence' && e.type !== 'sentence-roles' && e.type !== 'save-failed' && e.type !== 'save-recovered') emit(e);
    };
    let addError: unknown = null;
    const backgroundTake = async (take: number, of: number, purpose: 'best-of' | 'guard', restate: string[] | undefined): Promise<TakeRecord | null> => {
      let swipeIndex: number;
      try {
        swipeIndex = await repos.chats.addSwipe(messageId, restate?.length ? { inCharacterOf: restate } : {}, false);
      } catch (error) {
        addError = error;
        return null;
      }
      const target: TurnTarget = { chatId: prepared.target.chatId, messageId, swipeIndex, prefix: '' };
      emit({ type: 'take', target, take, of, purpose });
      const r = await reply(ctx, { ...prepared, target, restate, confirm: undefined }, signal, quiet, true);
      const record = { index: swipeIndex, outcome: r.outcome, verdict: await r.checked };
      records.push(record);
      return record;
    };

    for (let take = 2; take <= perReply && goOn(); take++) {
      if (!(await backgroundTake(take, perReply, 'best-of', prepared.restate))) break;
    }

    let report: GuardReport | null = null;
    const best = () => rankTakes(records.map(toTake), { preferClean: guard })[0]!;
    const verdictOf = (index: number) => records.find((r) => r.index === index)?.verdict ?? null;
    if (guard && goOn() && addError === null) {
      const failing = verdictOf(best().index);
      let decision: GuardDecision = guardDecision({ verdict: failing, triesMade: 0, maxTries: guardRetries, statements: ctx.character.statements });
      if (decision.action === 'retry' && failing) {
        const statements = restatementsFor(failing, ctx.character.statements);
        const roleKinds = [...new Set(failingRoleFlags(failing).map((f) => f.kind))];
        let tries = 0;
        let outcome: GuardReport['outcome'] = 'failing';
        while (decision.action === 'retry') {
          if (!goOn()) {
            outcome = 'stopped';
            break;
          }
          tries++;
          const record = await backgroundTake(tries, guardRetries, 'guard', decision.restate);
          if (!record) break;
          if (signal.aborted) {
            outcome = 'stopped';
            break;
          }
          decision = guardDecision({ verdict: record.verdict, triesMade: tries, maxTries: guardRetries, statements: ctx.character.statements });
          // An unchecked try (empty, or the checker failed) cannot be judged: the guard stops, failing.
          if (decision.action === 'accept' && decision.outcome === 'clean') outcome = 'clean';
        }
        report = { tries, outcome, statements, roleKinds, at: Date.now() };
      }
    }

    const kept = records.filter((r) => r.index === from || r.outcome.text.trim() !== '');
    const summary: TakesSummary = { count: kept.length, guard: report, ranked: false };
    // Nothing to order (one take, no note), or a take that is not stored as it is in memory: leave the swipes where they are.
    if ((records.length < 2 && !report) || records.some((r) => !r.outcome.saved)) {
      summary.count = records.length;
      emit({ type: 'takes-done', messageId, takes: summary.count, guard: report, ranked: false });
      return summary;
    }
    const order = rankTakes(kept.map(toTake), { preferClean: guard }).map((t) => t.index);
    try {
      await repos.chats.rankSwipes(messageId, from, order, from, report ?? undefined);
      summary.ranked = true;
      emit({ type: 'takes-done', messageId, takes: kept.length, guard: report, ranked: true });
    } catch (error) {
      summary.count = records.length;
      emit({ type: 'takes-done', messageId, takes: records.length, guard: report, ranked: false, error });
    }
    return summary;

    function toTake(r: TakeRecord): Take {
      return { index: r.index, verdict: r.verdict, complete: isComplete(r.outcome) };
    }
  }

  return {
    /**
     * Starts a turn. Events arrive through `onEvent` in order; the handle's
     * promises never reject (failures are results).
     */
    start(ctx: TurnContext, request: TurnRequest, onEvent: (e: TurnEvent) => void): TurnHandle {
      const controller = new AbortController();
      let presses = 0;
      let engineRunning = false;
      let resolveAccepted!: (ok: boolean) => void;
      const accepted = new Promise<boolean>((r) => (resolveAccepted = r));
      const emit = (e: TurnEvent) => {
        try {
          onEvent(e);
        } catch {
          // A broken listener must not break the turn (the reply is still saved).
        }
      };
      const done = (async (): Promise<TurnResult> => {
        let prepared: Prepared;
        try {
          prepared = await prepare(ctx, request);
        } catch (error) {
          resolveAccepted(false);
          return { status: 'not-started', error };
        }
        resolveAccepted(true);
        engineRunning = true;
        try {
          let first: Awaited<ReturnType<typeof reply>>;
          try {
            first = await reply(ctx, prepared, controller.signal, emit);
          } catch (e) {
            if (e instanceof TurnNotStartedError) return { status: 'not-started', error: e.storageError };
            throw e;
          }
          const { perReply, guard } = ctx.chat.takes;
          // A continuation extends one swipe; there is nothing to take again.
          if (request.kind === 'continue' || (perReply <= 1 && !guard)) return { status: 'replied', outcome: first.outcome };
          const record = { index: first.prepared.target.swipeIndex, outcome: first.outcome, verdict: await first.checked };
          const takes = await keepTakes(ctx, first.prepared, record, controller.signal, emit);
          return { status: 'replied', outcome: first.outcome, takes };
        } finally {
          engineRunning = false;
        }
      })();
      return {
        accepted,
        done,
        stop() {
          presses++;
          if (presses === 1) controller.abort();
          // The engine counts interrupts: its second one terminates the worker.
          else if (engineRunning) ctx.engine.interrupt();
        },
      };
    },

    /**
     * Writes a reply (and its verdict) that could not be saved before.
     * @throws the storage error when it still fails.
     */
    async retrySave(target: TurnTarget, patch: SwipePatch, verdict: Verdict | null): Promise<void> {
      await repos.chats.writeSwipe(target.messageId, target.swipeIndex, patch);
      if (verdict) await repos.verdicts.save(target.chatId, target.messageId, target.swipeIndex, verdict);
    },
  };
}

export type ChatTurns = ReturnType<typeof createChatTurns>;

/** The app's chat turns, over the app's repositories. */
export const chatTurns = createChatTurns(
  {
    // Getters: the database opens on first use, not when this module loads.
    get chats() {
      return repos.chats;
    },
    get verdicts() {
      return repos.verdicts;
    },
  },
  { calibration: tokenCalibration },
);
