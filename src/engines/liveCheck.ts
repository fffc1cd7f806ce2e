/**
 * Live consistency checking of a reply while it streams.
 *
 *   const live = startLiveCheck({ client, statements, userTurn });
 *   live.onSentence((s) => highlight(s));            // flags appear as sentences complete
 *   await engine.generate(req, { onDelta: (d) => live.feed(d) });
 *   const outcome = await live.end();                // final verdict, to store
 *
 * At start, relevance r of every statement to the user's turn is requested
 * (it runs in the worker while the chat model generates). Each delta goes
 * through a StreamingSentenceSegmenter (a few string operations on the main
 * thread); every completed sentence is sent for scoring at once:
 * - up to `fullMaxStatements` (FULL_MAX_STATEMENTS = 40) enabled statements,
 *   every statement × sentence pair (exact APC; r is not needed to plan, so
 *   scoring does not wait for it);
 * - beyond, the pruned plan of planSentencePairs: the top statements by r, the
 *   ones most similar to the sentence (embedding cosine) and two probes, see
 *   domain/consistency/pruning.ts for the approximation.
 * Each sentence's scores are emitted the moment they arrive (`onSentence`), so
 * a contradiction is flagged while the reply is still being written. `end()`
 * flushes the last sentence, waits for the outstanding work and scores the
 * reply (approximateApc). Model work happens in the worker only.
 *
 * Fast first, exact next: the sentence(s) flushed by `end()` are what the
 * writer waits for, plus any backlog. With `tail: 'fast'` (the default) and
 * more than `tailFullMaxStatements` (16) statements under the full strategy,
 * those sentences — and any sentence that completes while an earlier one is
 * still being scored — get FAST_PLAN_OPTIONS (12–14 pairs) first; `end()`
 * resolves with that verdict (strategy 'pruned'), and `exact()` then scores
 * the skipped pairs and resolves with the exact verdict (strategy 'full').
 * `tail: 'exact'` (checkReply) scores everything before resolving.
 *
 * Never breaks chat: when the checker is not loaded, or fails or is cancelled
 * mid-way, `feed` stays a no-op and `end()` resolves with `status: 'skipped'`
 * and the reason. Nothing here throws at the caller.
 */
import type { PersonaStatement } from '../domain/character';
import {
  CONTRADICTION_THRESHOLD_PROB,
  StreamingSentenceSegmenter,
  approximateApc,
  cosine,
  makeFingerprint,
  planSentencePairs,
  DEFAULT_PRUNING_OPTIONS,
  FAST_PLAN_OPTIONS,
  stripRoleplayMarkup,
  chooseStrategy,
  type ApcThresholds,
  type PairScore,
  type PlannedPair,
  type PruningOptions,
  type ReplyVerdict,
  type ScoringStrategy,
  type SegmentedSentence,
  type VerdictFingerprint,
} from '../domain/consistency';
import type { CheckerClient, ScoredPair, StatementRef } from './CheckerClient';
import { isAbortError } from './CheckerClient';

/** What the live checker needs of a CheckerClient (tests may pass a fake). */
export type LiveCheckClient = Pick<CheckerClient, 'isReady' | 'modelId' | 'relevance' | 'embed' | 'scorePairs'>;

export type LiveStatement = StatementRef & Partial<Pick<PersonaStatement, 'enabled'>>;

export interface LiveCheckInput {
  client: LiveCheckClient;
  /** The character's statements; disabled ones (`enabled: false`) are left out. */
  statements: readonly LiveStatement[];
  /** The user's message this reply answers ('' for a greeting). */
  userTurn: string;
  /** Recorded in the verdict and fingerprint; default `client.modelId`. */
  modelId?: string;
  /** P(contradiction) at which a sentence is flagged; default CONTRADICTION_THRESHOLD_PROB (0.5). */
  threshold?: number;
  /** The other APC thresholds (entailment, kept relevance, weak %). */
  thresholds?: Partial<ApcThresholds>;
  /** Pruning knobs (fullMaxStatements etc.); default DEFAULT_PRUNING_OPTIONS. */
  strategyOptions?: Partial<PruningOptions>;
  /** How the sentences flushed at end() are planned (see the file comment); default 'fast'. */
  tail?: 'fast' | 'exact';
}

/** One sentence's scores as they arrive. */
export interface SentenceCheck {
  sentence: SegmentedSentence;
  /** Scored pairs, in plan order (all statements in full mode). */
  scores: readonly (PairScore & { pn: number; cached: boolean })[];
  /** Some statement has pc ≥ threshold for this sentence. */
  flagged: boolean;
  /** The statements it contradicts, in statement input order. */
  statementIds: string[];
  /** ms from the sentence's completion (the delta that closed it) to its scores. */
  latencyMs: number;
}

export interface LiveCheckTimings {
  /** From end() to the verdict: what the writer waits after the reply ends. */
  verdictMs: number;
  /** From startLiveCheck() to the verdict. */
  totalMs: number;
  /** Per sentence, from completion to scores. */
  sentenceLatencyMs: number[];
}

export interface LiveCheckStats {
  /** Pairs planned (= scored) over all sentences. */
  pairs: number;
  /** Of those, answered by the cache without model work. */
  pairsCached: number;
  /** Pairs estimated instead of scored by the pruned strategy. */
  skippedPairs: number;
}

/** A finished check: the verdict and everything needed to store and re-derive it. */
export interface CheckedReply extends ReplyVerdict {
  status: 'checked';
  replyText: string;
  /** Sentence offsets into replyText (index = sentenceIndex of scores and flags). */
  sentences: SegmentedSentence[];
  /** Every scored pair: thresholds can be re-applied later without a model (approximateApc). */
  pairScores: PairScore[];
  /** Estimate used for the skipped pairs (median of the probe pairs), null when none were skipped. */
  background: { pc: number; pe: number } | null;
  /** r per statement id. */
  relevance: Record<string, number>;
  prunedStatementIds: string[];
  fingerprint: VerdictFingerprint;
  timings: LiveCheckTimings;
  stats: LiveCheckStats;
}

export type SkipReason = 'not-ready' | 'cancelled' | 'failed';

export interface SkippedCheck {
  status: 'skipped';
  reason: SkipReason;
  message: string;
  error?: Error;
}

export type LiveCheckOutcome = CheckedReply | SkippedCheck;

export interface LiveCheck {
  /** 'running' until end()/cancel(); 'skipped' from the start when the checker is not loaded. */
  readonly state: 'running' | 'ending' | 'done' | 'skipped' | 'cancelled';
  /** Appends a streamed delta. Cheap; never throws. */
  feed(delta: string): void;
  /**
   * Ends the reply and resolves with the verdict. Pass the engine's final text
   * when it may differ from the fed deltas; a text that does not extend them
   * is re-checked whole (the cache makes that cheap). Never rejects.
   */
  end(finalText?: string): Promise<LiveCheckOutcome>;
  /**
   * After end(): resolves with the exact verdict when end()'s verdict pruned
   * the tail (see the file comment), null when it was already exact or the
   * check was cancelled or failed. Never rejects.
   */
  exact(): Promise<CheckedReply | null>;
  /** Stops checking; pending model calls are cancelled; end() resolves 'skipped'/'cancelled'. */
  cancel(): void;
  /** @returns unsubscribe. Sentences already scored are not replayed. */
  onSentence(callback: (s: SentenceCheck) => void): () => void;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function enabledOnly(statements: readonly LiveStatement[]): StatementRef[] {
  return statements.filter((s) => s.enabled !== false).map(({ id, version, text }) => ({ id, version, text }));
}

function abortError(): Error {
  const e = new Error('The check was cancelled.');
  e.name = 'AbortError';
  return e;
}

/** Rejects with an AbortError when `signal` aborts (never resolves otherwise). */
function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(abortError());
    else signal.addEventListener('abort', () => reject(abortError()), { once: true });
  });
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** A LiveCheck that does nothing and ends with `outcome`. */
function skippedCheck(outcome: SkippedCheck): LiveCheck {
  return {
    state: 'skipped',
    feed() {},
    end: async () => outcome,
    exact: async () => null,
    cancel() {},
    onSentence: () => () => {},
  };
}

/**
 * Starts checking one reply. Call it when generation starts (relevance then
 * runs in parallel with generation), feed it every delta, end it with the reply.
 * Never throws.
 */
export function startLiveCheck(input: LiveCheckInput): LiveCheck {
  const startedAt = now();
  const { client } = input;
  const statements = enabledOnly(input.statements);
  const thresholds: Partial<ApcThresholds> = {
    ...input.thresholds,
    ...(input.threshold !== undefined ? { contradictionProb: input.threshold } : {}),
  };
  const threshold = thresholds.contradictionProb ?? CONTRADICTION_THRESHOLD_PROB;
  let strategy: ScoringStrategy;
  try {
    strategy = chooseStrategy(statements.length, input.strategyOptions);
  } catch (e) {
    const error = toError(e);
    return skippedCheck({ status: 'skipped', reason: 'failed', message: `The consistency check failed: ${error.message}`, error });
  }
  const pruneOptions = input.strategyOptions;
  const tailFullMax = { ...DEFAULT_PRUNING_OPTIONS, ...pruneOptions }.tailFullMaxStatements;
  /** Whether the last sentence, and sentences behind a backlog, may be planned fast first. */
  const fastFirst = strategy === 'full' && input.tail !== 'exact' && statements.length > tailFullMax;
  /** Sentences being scored now (the backlog signal). */
  let inFlight = 0;
  const listeners = new Set<(s: SentenceCheck) => void>();
  const segmenter = new StreamingSentenceSegmenter();
  const controller = new AbortController();
  const signal = controller.signal;
  const sentences: SegmentedSentence[] = [];
  const sentenceWork: Promise<SentenceCheck>[] = [];
  let state: LiveCheck['state'] = 'running';
  /** Bumped when end() restarts on a different final text: older sentences stop emitting. */
  let generation = 0;
  let failure: Error | null = null;
  let ended: Promise<LiveCheckOutcome> | null = null;
  let exactDone: Promise<CheckedReply | null> = Promise.resolve(null);
  /** Sentences planned fast: the pairs exact() still has to score. */
  const deferred: { sentence: SegmentedSentence; nliText: string; statementIds: string[] }[] = [];

  const modelId = input.modelId ?? client.modelId ?? 'unknown';

  if (!client.isReady) {
    return skippedCheck({
      status: 'skipped',
      reason: 'not-ready',
      message: 'The consistency checker is not loaded; this reply was not checked.',
    });
  }

  const fail = (e: unknown) => {
    if (!failure && !isAbortError(e)) failure = toError(e);
    // One failure ends the live check: stop spending worker time on it.
    controller.abort();
  };

  // Relevance runs now, in the worker, while the reply is generated.
  const relevance = client.relevance(input.userTurn, statements, { signal });
  relevance.catch(fail);
  // Pruned mode needs statement vectors for sentence similarity; usually cached
  // by the relevance call (same texts), so this costs nothing extra.
  const statementVectors =
    strategy === 'pruned' || fastFirst ? client.embed(statements.map((s) => s.text), { signal }) : Promise.resolve([]);
  statementVectors.catch(fail);

  async function planFor(sentence: SegmentedSentence, nliText: string, fast: boolean): Promise<PlannedPair[]> {
    if (strategy === 'full' && !fast) {
      return statements.map((s) => ({ statementId: s.id, sentenceIndex: sentence.index, reason: 'full' }));
    }
    const [r, vectors, [sv]] = await Promise.all([relevance, statementVectors, client.embed([nliText], { signal })]);
    const similarity = vectors.map((v) => cosine(sv!, v));
    return planSentencePairs(
      statements.map((s) => ({ statementId: s.id, r: r.get(s.id) ?? 0 })),
      sentence.index,
      similarity,
      fast ? { ...pruneOptions, ...FAST_PLAN_OPTIONS } : pruneOptions,
      fast,
    );
  }

  const byId = new Map(statements.map((s) => [s.id, s]));
  const order = new Map(statements.map((s, i) => [s.id, i]));

  async function scoreOne(sentence: SegmentedSentence, completedAt: number, fast: boolean): Promise<SentenceCheck> {
    const gen = generation;
    const nliText = stripRoleplayMarkup(sentence.text);
    const plan = await planFor(sentence, nliText, fast);
    if (strategy === 'full' && plan.length < statements.length) {
      const planned = new Set(plan.map((p) => p.statementId));
      deferred.push({ sentence, nliText, statementIds: statements.filter((s) => !planned.has(s.id)).map((s) => s.id) });
    }
    const scored: ScoredPair[] = await client.scorePairs(
      plan.map((p) => ({ statement: byId.get(p.statementId)!, sentence: nliText })),
      { signal },
    );
    const scores = plan.map((p, i) => ({
      statementId: p.statementId,
      sentenceIndex: sentence.index,
      pc: scored[i]!.contradiction,
      pe: scored[i]!.entailment,
      pn: scored[i]!.neutral,
      cached: scored[i]!.cached,
      ...(p.reason === 'probe' ? { probe: true } : {}),
    }));
    const statementIds = scores
      .filter((s) => s.pc >= threshold)
      .map((s) => s.statementId)
      .sort((a, b) => order.get(a)! - order.get(b)!);
    const check: SentenceCheck = {
      sentence,
      scores,
      flagged: statementIds.length > 0,
      statementIds,
      latencyMs: now() - completedAt,
    };
    if (!signal.aborted && gen === generation) {
      for (const l of [...listeners]) {
        try {
          l(check);
        } catch (e) {
          // A broken listener must not stop the check.
          console.error('live check listener failed', e);
        }
      }
    }
    return check;
  }

  const accept = (done: SegmentedSentence[], tail = false) => {
    // After a failure or cancel, later sentences are not worth worker time.
    if (done.length === 0 || signal.aborted) return;
    const at = now();
    for (const s of done) {
      sentences.push(s);
      const fast = fastFirst && (tail || inFlight > 0);
      inFlight++;
      const work = scoreOne(s, at, fast);
      const settled = () => {
        inFlight--;
      };
      work.then(settled, settled);
      work.catch(fail);
      sentenceWork.push(work);
    }
  };

  /** The verdict from these sentence checks: exact when every statement covers every sentence. */
  function build(checks: readonly SentenceCheck[], r: Map<string, number>, endCalledAt: number): CheckedReply {
    const pairScores: PairScore[] = [];
    const coverage = new Map<string, number>();
    let pairsCached = 0;
    for (const c of checks) {
      for (const s of c.scores) {
        pairScores.push({
          statementId: s.statementId,
          sentenceIndex: s.sentenceIndex,
          pc: s.pc,
          pe: s.pe,
          ...(s.probe ? { probe: true } : {}),
        });
        coverage.set(s.statementId, (coverage.get(s.statementId) ?? 0) + 1);
        if (s.cached) pairsCached++;
      }
    }
    const prunedStatementIds = statements.filter((s) => (coverage.get(s.id) ?? 0) < checks.length).map((s) => s.id);
    const verdictStrategy: ScoringStrategy = strategy === 'pruned' || prunedStatementIds.length > 0 ? 'pruned' : 'full';
    const verdict = approximateApc({
      statements: statements.map((s) => ({ statementId: s.id, statementVersion: s.version, r: r.get(s.id) ?? 0 })),
      plan: { strategy: verdictStrategy, prunedStatementIds },
      scores: pairScores,
      modelId,
      thresholds,
    });
    const replyText = segmenter.fullText;
    const done = now();
    return {
      ...verdict,
      status: 'checked',
      replyText,
      sentences: [...sentences],
      pairScores,
      relevance: Object.fromEntries(r),
      prunedStatementIds,
      fingerprint: makeFingerprint({
        modelId,
        statements: statements.map((s) => ({ id: s.id, version: s.version, enabled: true })),
        replyText,
        userTurnText: input.userTurn,
      }),
      timings: {
        verdictMs: done - endCalledAt,
        totalMs: done - startedAt,
        sentenceLatencyMs: checks.map((c) => c.latencyMs),
      },
      stats: {
        pairs: pairScores.length,
        pairsCached,
        skippedPairs: statements.length * checks.length - pairScores.length,
      },
    };
  }

  /** Scores the tail pairs end() skipped and rebuilds the verdict; null when cancelled or failed. */
  async function refine(checks: readonly SentenceCheck[], r: Map<string, number>, endCalledAt: number): Promise<CheckedReply | null> {
    try {
      const extra = new Map<number, SentenceCheck['scores'][number][]>();
      for (const t of deferred) {
        const scored = await Promise.race([
          client.scorePairs(t.statementIds.map((id) => ({ statement: byId.get(id)!, sentence: t.nliText })), { signal }),
          whenAborted(signal),
        ]);
        extra.set(
          t.sentence.index,
          t.statementIds.map((id, i) => ({
            statementId: id,
            sentenceIndex: t.sentence.index,
            pc: scored[i]!.contradiction,
            pe: scored[i]!.entailment,
            pn: scored[i]!.neutral,
            cached: scored[i]!.cached,
          })),
        );
      }
      if (signal.aborted) return null;
      // Probes were only there for the estimate; once every pair is scored they are plain pairs.
      const merged = checks.map((c) => {
        const more = extra.get(c.sentence.index);
        if (!more) return c;
        const scores = [...c.scores.map(({ probe: _probe, ...s }) => s), ...more];
        const statementIds = scores
          .filter((s) => s.pc >= threshold)
          .map((s) => s.statementId)
          .sort((a, b) => order.get(a)! - order.get(b)!);
        return { ...c, scores, statementIds, flagged: statementIds.length > 0 };
      });
      return build(merged, r, endCalledAt);
    } catch (e) {
      if (!isAbortError(e)) console.warn('completing the consistency check failed', e);
      return null;
    }
  }

  async function finish(endCalledAt: number): Promise<LiveCheckOutcome> {
    try {
      // Cancel or failure resolves at once, without waiting for the worker to
      // reach the cancelled calls.
      const [checks, r] = await Promise.race([Promise.all([Promise.all(sentenceWork), relevance]), whenAborted(signal)]);
      if (signal.aborted) throw failure ?? abortError();
      const outcome = build(checks, r, endCalledAt);
      state = 'done';
      if (deferred.length > 0) exactDone = refine(checks, r, endCalledAt);
      return outcome;
    } catch (e) {
      const error = failure ?? (isAbortError(e) ? null : toError(e));
      if (state === 'cancelled' || !error) {
        state = 'cancelled';
        return { status: 'skipped', reason: 'cancelled', message: 'The check was cancelled.' };
      }
      state = 'done';
      return {
        status: 'skipped',
        reason: 'failed',
        message: `The consistency check failed: ${error.message}`,
        error,
      };
    }
  }

  const live: LiveCheck = {
    get state() {
      return state;
    },
    feed(delta: string) {
      if (state !== 'running' || delta === '') return;
      try {
        accept(segmenter.feed(delta));
      } catch (e) {
        fail(e);
      }
    },
    end(finalText?: string) {
      if (ended) return ended;
      const endCalledAt = now();
      if (state === 'running') {
        state = 'ending';
        try {
          const fed = segmenter.fullText;
          if (finalText !== undefined && finalText !== fed) {
            if (finalText.startsWith(fed)) {
              accept(segmenter.feed(finalText.slice(fed.length)));
            } else {
              // The engine's text is not the streamed one (e.g. trimmed): start
              // over on the final text; already-scored pairs come from the cache.
              segmenter.reset();
              generation++;
              sentences.length = 0;
              sentenceWork.length = 0;
              deferred.length = 0;
              accept(segmenter.feed(finalText), true);
            }
          }
          accept(segmenter.flush(), true);
        } catch (e) {
          fail(e);
        }
      }
      ended = finish(endCalledAt);
      return ended;
    },
    async exact() {
      if (!ended) return null;
      await ended;
      return exactDone;
    },
    cancel() {
      if (state === 'done' || state === 'skipped' || state === 'cancelled') return;
      state = 'cancelled';
      controller.abort();
    },
    onSentence(callback) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
  };
  return live;
}

export interface CheckReplyInput {
  statements: readonly LiveStatement[];
  userTurn: string;
  replyText: string;
  /** Default `client.modelId`. */
  modelId?: string;
  threshold?: number;
  thresholds?: Partial<ApcThresholds>;
  strategyOptions?: Partial<PruningOptions>;
  /** Aborting resolves 'skipped'/'cancelled'. */
  signal?: AbortSignal;
}

/**
 * Checks a stored reply at once (stale verdicts, imported chats, a re-check
 * after an edit). Same pipeline and cache as the live check; never rejects.
 */
export function checkReply(client: LiveCheckClient, input: CheckReplyInput): Promise<LiveCheckOutcome> {
  const live = startLiveCheck({ client, ...input, tail: 'exact' });
  if (input.signal) {
    if (input.signal.aborted) live.cancel();
    else input.signal.addEventListener('abort', () => live.cancel(), { once: true });
  }
  live.feed(input.replyText);
  return live.end();
}
