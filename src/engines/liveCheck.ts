/**
 * Live consistency checking of a reply while it streams.
 *
 *   const live = startLiveCheck({ client, statements, userTurn });
 *   live.onSentence((s) => highlight(s));            // flags appear as sentences complete
 *   await engine.generate(req, { onDelta: (d) => live.feed(d) });
 *   const outcome = await live.end();                // final verdict, to store
 *
 * At start, relevance r of every statement to the user's turn is requested
 * (it runs in the worker while the chat model generates); in a long chat,
 * also to the end of the "Story so far" the prompt sent (`story`), combined
 * by relevanceWithStory (domain/consistency/relevance.ts). The story is
 * context for r only: never a premise, a hypothesis or a flagged sentence. Each delta goes
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
 * Adapting to the machine (`tail: 'fast'`, above tailFullMaxStatements or
 * pruned): one dispatch runs at a time; sentences that complete meanwhile
 * wait and are then planned together (a backlog becomes one plan, sent as one
 * call per sentence, back to back). Each dispatch is timed, and the pairs/s it measures (remembered per
 * client, so the next reply starts from it) set the call's pair budget —
 * while streaming, what fits before the next sentence is due; after end(),
 * what fits in LIVE_TAIL_SECONDS (livePairBudget, budgetedPlanOptions in
 * domain/consistency/pruning.ts). A plan the budget shrank is completed by
 * `exact()`: the full pairs under the full strategy, the default pruned plan
 * (what checkReply scores) under the pruned one. Nothing is measured before
 * the first call, so it is never shrunk.
 *
 * Role flags (issue 11 §3–4, with `roles`): each sentence's assistant-voice,
 * echo and speaking-for-the-user flags are computed right after its NLI scores
 * are emitted (its embedding queues behind its pairs in the worker) and sent
 * to `onRoleFlags`, so a role flag shows while the reply streams. They are
 * provisional: speaking-for-the-user looks only at a window before the
 * sentence (linear overall), and the verdict's `roleFlags`, computed over the
 * whole reply at the end, replace them.
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
  relevanceWithStory,
  storyTail,
  DEFAULT_PRUNING_OPTIONS,
  FAST_PLAN_OPTIONS,
  stripRoleplayMarkup,
  chooseStrategy,
  LIVE_DEFAULT_SENTENCE_SECONDS,
  LIVE_MIN_PAIRS_PER_SENTENCE,
  LIVE_MIN_PRUNED_PAIRS_PER_SENTENCE,
  LIVE_MIN_STREAM_SECONDS,
  LIVE_STREAM_HEADROOM,
  LIVE_TAIL_SECONDS,
  budgetedPlanOptions,
  detectRoleFlags,
  livePairBudget,
  roleCalibrationFor,
  roleReferenceTexts,
  nextPairRate,
  smoothed,
  type ApcThresholds,
  type PairScore,
  type PlannedPair,
  type PruningOptions,
  type ReplyVerdict,
  type RoleCalibration,
  type RoleEmbeddings,
  type RoleFlag,
  type ScoringStrategy,
  type SegmentedSentence,
  type VerdictFingerprint,
} from '../domain/consistency';
import { DEFAULT_EMBEDDING_MODEL_ID, type CheckerClient, type ScoredPair, type StatementRef } from './CheckerClient';
import { isAbortError } from './CheckerClient';

/**
 * What the live checker needs of a CheckerClient (tests may pass a fake).
 * `currentConfig` names the embedding model, whose calibration the role
 * detectors use (the MiniLM default without it).
 */
export type LiveCheckClient = Pick<CheckerClient, 'isReady' | 'modelId' | 'relevance' | 'embed' | 'scorePairs'> &
  Partial<Pick<CheckerClient, 'currentConfig'>>;

/** What the role detectors need besides the reply (issue 11 §3–4). */
export interface RoleCheckInput {
  /** The user's persona name as the prompt used it. */
  userName: string;
  /** The character's own lines (domain characterVoiceLines): the contrast to the assistant voice. */
  voiceLines: readonly string[];
  /** Default: roleCalibrationFor(the client's embedding model). */
  calibration?: RoleCalibration;
}

export type LiveStatement = StatementRef & Partial<Pick<PersonaStatement, 'enabled'>>;

export interface LiveCheckInput {
  client: LiveCheckClient;
  /** The character's statements; disabled ones (`enabled: false`) are left out. */
  statements: readonly LiveStatement[];
  /** The user's message this reply answers ('' for a greeting). */
  userTurn: string;
  /**
   * The "Story so far" the reply's prompt sent (issue 13 §4; '' or absent:
   * none). Relevance is also judged against its end (storyTail); it is
   * never checked itself, and it is not part of the verdict's fingerprint
   * (a summary redone later does not make the verdict stale).
   */
  story?: string;
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
  /**
   * Run the role detectors (assistant voice, echo, speaking for the user) and
   * put their flags in the verdict. Absent: no role check (`roleFlags` unset).
   */
  roles?: RoleCheckInput;
  /**
   * Clock in ms (default performance.now). Latencies, the throughput the plan
   * adapts to and the pace of sentences are measured with it; tests pass a fake one.
   */
  now?: () => number;
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

/** A sentence's role flags while the reply streams (see the file comment). */
export interface SentenceRoleFlags {
  sentence: SegmentedSentence;
  /** Empty when the sentence has none (so the screen knows it was looked at). */
  flags: RoleFlag[];
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
  /** Role flags, when the check was asked for them (LiveCheckInput.roles). */
  roleFlags?: RoleFlag[];
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
  /**
   * Each sentence's role flags while streaming, after its onSentence (only
   * with `roles`). @returns unsubscribe. Earlier sentences are not replayed.
   */
  onRoleFlags(callback: (r: SentenceRoleFlags) => void): () => void;
}

/** Characters before a sentence that its live speaking-for-the-user check also reads (see liveRoles). */
export const LIVE_ROLE_WINDOW = 400;

const defaultNow = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Pairs/s last measured per client and model: a reply plans its first call
 * with what the one before measured (the machine rarely changes between two
 * replies; another model starts unmeasured).
 */
const measuredRates = new WeakMap<LiveCheckClient, { modelId: string | null; rate: number }>();

/** A completed sentence on its way to being scored. */
interface SentenceRecord {
  sentence: SegmentedSentence;
  /** What the NLI model reads: the sentence without role-play markup. */
  nliText: string;
  completedAt: number;
  /** Flushed by end() or queued behind a call in flight: planned fast first (full strategy). */
  fastFirst: boolean;
  /** Its embedding, for similarity-ranked plans (requested once). */
  vector: Promise<Float32Array> | null;
  /** Cosine to each statement (input order), once a similarity-ranked plan was made. */
  similarity: number[] | null;
  /** Its plan left out pairs that exact() scores. */
  reduced: boolean;
  generation: number;
  resolve: (check: SentenceCheck) => void;
  reject: (error: unknown) => void;
}

function samePlan(a: readonly PlannedPair[], b: readonly PlannedPair[]): boolean {
  return a.length === b.length && a.every((p, i) => p.statementId === b[i]!.statementId && p.reason === b[i]!.reason);
}

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
    onRoleFlags: () => () => {},
  };
}

/**
 * Starts checking one reply. Call it when generation starts (relevance then
 * runs in parallel with generation), feed it every delta, end it with the reply.
 * Never throws.
 */
export function startLiveCheck(input: LiveCheckInput): LiveCheck {
  const now = input.now ?? defaultNow;
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
  /** Whether plans follow the measured throughput (see the file comment). */
  const adaptive = input.tail !== 'exact' && (strategy === 'pruned' || statements.length > tailFullMax);
  /** Whether the last sentence, and sentences behind a backlog, are planned fast first. */
  const fastFirst = adaptive && strategy === 'full';
  const floor = strategy === 'pruned' ? LIVE_MIN_PRUNED_PAIRS_PER_SENTENCE : LIVE_MIN_PAIRS_PER_SENTENCE;
  const listeners = new Set<(s: SentenceCheck) => void>();
  const roleListeners = new Set<(r: SentenceRoleFlags) => void>();
  const segmenter = new StreamingSentenceSegmenter();
  const controller = new AbortController();
  const signal = controller.signal;
  const sentences: SegmentedSentence[] = [];
  const sentenceWork: Promise<SentenceCheck>[] = [];
  /** This generation's sentences, in order (index = position in sentenceWork). */
  const records: SentenceRecord[] = [];
  /** Completed sentences waiting for the call in flight to end. */
  const pending: SentenceRecord[] = [];
  /** Dispatches in flight (an adaptive check runs one at a time), and when the last one ended. */
  let inFlight = 0;
  let lastDispatchEnd = Number.NEGATIVE_INFINITY;
  /** Measured pairs/s (null until a call has been timed). */
  const remembered = measuredRates.get(client);
  let rate: number | null = remembered && remembered.modelId === client.modelId ? remembered.rate : null;
  /** Measured seconds between sentence completions; when the last one completed. */
  let sentenceSeconds: number | null = null;
  let lastSentenceAt: number | null = null;
  let state: LiveCheck['state'] = 'running';
  /** Bumped when end() restarts on a different final text: older sentences stop emitting. */
  let generation = 0;
  let failure: Error | null = null;
  let ended: Promise<LiveCheckOutcome> | null = null;
  let exactDone: Promise<CheckedReply | null> = Promise.resolve(null);

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
  const story = storyTail(input.story ?? '');
  const relevance = story
    ? Promise.all([client.relevance(input.userTurn, statements, { signal }), client.relevance(story, statements, { signal })]).then(([turn, told]) => relevanceWithStory(turn, told))
    : client.relevance(input.userTurn, statements, { signal });
  relevance.catch(fail);
  // Similarity-ranked plans need statement vectors; usually cached by the
  // relevance call (same texts), so this costs nothing extra.
  const statementVectors = adaptive || strategy === 'pruned' ? client.embed(statements.map((s) => s.text), { signal }) : Promise.resolve([]);
  statementVectors.catch(fail);

  // Role detectors: the exemplars, the character's voice and the user's turn
  // are embedded now (cached after the first reply); each sentence's vector is
  // asked for when it completes. A failed embedding leaves the lexical signals.
  const roles = input.roles;
  const roleRefs = roles ? roleReferenceTexts(roles.voiceLines) : null;
  const roleVectors: Promise<Float32Array[] | null> = roleRefs
    ? client.embed([...roleRefs.assistant, ...roleRefs.voice, input.userTurn], { signal }).catch(() => null)
    : Promise.resolve(null);
  let roleFlags: RoleFlag[] | undefined;

  const byId = new Map(statements.map((s) => [s.id, s]));
  const order = new Map(statements.map((s, i) => [s.id, i]));

  /** Folds `pairs` scored by the model in `ms` into the throughput estimate. */
  function noteRate(pairs: number, ms: number): void {
    rate = nextPairRate(rate, pairs, ms / 1000);
    if (rate !== null) measuredRates.set(client, { modelId: client.modelId, rate });
  }

  const fresh = (scored: readonly ScoredPair[]) => scored.filter((x) => !x.cached).length;

  /** Times a scoring call and folds its pairs/s into the estimate. */
  async function timedScore(requests: { statement: StatementRef; sentence: string }[]): Promise<ScoredPair[]> {
    const t0 = now();
    const scored = await client.scorePairs(requests, { signal });
    noteRate(fresh(scored), now() - t0);
    return scored;
  }

  function vectorOf(rec: SentenceRecord): Promise<Float32Array> {
    if (!rec.vector) {
      rec.vector = client.embed([rec.nliText], { signal }).then(([v]) => v!);
      // Awaited by the plan; this only keeps an unplanned sentence's failure handled.
      rec.vector.catch(() => undefined);
    }
    return rec.vector;
  }

  function candidatesFor(r: Map<string, number>) {
    return statements.map((s) => ({ statementId: s.id, r: r.get(s.id) ?? 0 }));
  }

  /** The plan exact() completes a sentence to: every statement (full), the default pruned plan (pruned). */
  function targetPlan(rec: SentenceRecord, r: Map<string, number>): PlannedPair[] {
    if (strategy === 'full') return statements.map((s) => ({ statementId: s.id, sentenceIndex: rec.sentence.index, reason: 'full' }));
    return planSentencePairs(candidatesFor(r), rec.sentence.index, rec.similarity!, pruneOptions);
  }

  /** The plan within `budget` pairs (Infinity: the default plan, or the fast one). */
  async function planFor(rec: SentenceRecord, budget: number): Promise<PlannedPair[]> {
    const fast = fastFirst && rec.fastFirst;
    if (strategy === 'full' && !fast && budget >= statements.length) {
      // r is not needed to plan every pair, so scoring does not wait for it.
      return statements.map((s) => ({ statementId: s.id, sentenceIndex: rec.sentence.index, reason: 'full' }));
    }
    const [r, vectors, sv] = await Promise.all([relevance, statementVectors, vectorOf(rec)]);
    rec.similarity = vectors.map((v) => cosine(sv, v));
    const cap = fast ? { ...pruneOptions, ...FAST_PLAN_OPTIONS } : pruneOptions;
    const options = Number.isFinite(budget) ? budgetedPlanOptions(budget, cap, floor) : cap;
    const plan = planSentencePairs(candidatesFor(r), rec.sentence.index, rec.similarity, options, strategy === 'full');
    rec.reduced = strategy === 'full' ? plan.length < statements.length : !samePlan(plan, targetPlan(rec, r));
    return plan;
  }

  function emit(rec: SentenceRecord, plan: readonly PlannedPair[], scored: readonly ScoredPair[]): SentenceCheck {
    const scores = plan.map((p, i) => ({
      statementId: p.statementId,
      sentenceIndex: rec.sentence.index,
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
      sentence: rec.sentence,
      scores,
      flagged: statementIds.length > 0,
      statementIds,
      latencyMs: now() - rec.completedAt,
    };
    if (!signal.aborted && rec.generation === generation) {
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

  /** Time the next call may take while streaming: until the next sentence is due. */
  function streamSeconds(): number {
    const interval = sentenceSeconds ?? LIVE_DEFAULT_SENTENCE_SECONDS;
    const since = lastSentenceAt === null ? 0 : (now() - lastSentenceAt) / 1000;
    return Math.max(LIVE_MIN_STREAM_SECONDS, interval * LIVE_STREAM_HEADROOM - since);
  }

  /**
   * Plans the waiting sentences together (one budget), then sends one call
   * per sentence, back to back: each sentence's flags show as soon as its own
   * pairs are scored. The batch is timed as a whole.
   */
  async function dispatch(batch: SentenceRecord[]): Promise<void> {
    const budget = adaptive
      ? livePairBudget({
          pairsPerSecond: rate,
          seconds: state === 'running' ? streamSeconds() : LIVE_TAIL_SECONDS,
          sentences: batch.length,
          floor,
        })
      : Number.POSITIVE_INFINITY;
    const plans = await Promise.all(batch.map((rec) => planFor(rec, budget)));
    const sentAt = now();
    let scoredPairs = 0;
    await Promise.all(
      batch.map(async (rec, i) => {
        const plan = plans[i]!;
        const scoring = client.scorePairs(
          plan.map((p) => ({ statement: byId.get(p.statementId)!, sentence: rec.nliText })),
          { signal },
        );
        // The role detectors' vector queues behind this sentence's NLI pairs
        // in the worker: a contradiction's flag is what the writer watches for.
        if (roles) vectorOf(rec);
        const scored = await scoring;
        scoredPairs += fresh(scored);
        rec.resolve(emit(rec, plan, scored));
        if (roles && roleListeners.size > 0) void liveRoles(rec);
      }),
    );
    // The worker runs calls in arrival order: this one started when it was
    // sent or when the one before it ended, whichever came last (checks that
    // do not adapt send each sentence at once, so theirs overlap).
    const endedAt = now();
    noteRate(scoredPairs, endedAt - Math.max(sentAt, lastDispatchEnd));
    lastDispatchEnd = endedAt;
  }

  function pump(): void {
    // Adaptive checks wait for the dispatch in flight, so what queued meanwhile
    // is planned together with the throughput measured by then; the others send at once.
    if ((adaptive && inFlight > 0) || signal.aborted) return;
    const batch = pending.splice(0).filter((rec) => rec.generation === generation);
    if (batch.length === 0) return;
    inFlight++;
    dispatch(batch)
      .catch((e: unknown) => {
        for (const rec of batch) rec.reject(e);
      })
      .finally(() => {
        inFlight--;
        pump();
      });
  }

  const accept = (done: SegmentedSentence[], tail = false) => {
    // After a failure or cancel, later sentences are not worth worker time.
    if (done.length === 0 || signal.aborted) return;
    const at = now();
    if (!tail) {
      if (lastSentenceAt !== null && at > lastSentenceAt) sentenceSeconds = smoothed(sentenceSeconds, (at - lastSentenceAt) / 1000);
      lastSentenceAt = at;
    }
    for (const s of done) {
      sentences.push(s);
      let resolve!: (check: SentenceCheck) => void;
      let reject!: (error: unknown) => void;
      const work = new Promise<SentenceCheck>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      work.catch(fail);
      const rec: SentenceRecord = {
        sentence: s,
        nliText: stripRoleplayMarkup(s.text),
        completedAt: at,
        fastFirst: tail || inFlight > 0 || pending.length > 0,
        vector: null,
        similarity: null,
        reduced: false,
        generation,
        resolve,
        reject,
      };
      // Asked now, the embedding runs in the worker before this sentence's turn comes.
      if (strategy === 'pruned' || (fastFirst && (rec.fastFirst || (rate !== null && rate * streamSeconds() < statements.length)))) {
        vectorOf(rec);
      }
      records.push(rec);
      pending.push(rec);
      sentenceWork.push(work);
    }
    pump();
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
      ...(roleFlags ? { roleFlags: roleFlags.map((f) => ({ ...f })) } : {}),
    };
  }

  /** The detectors' embeddings for these sentence vectors (null: the reference embeddings failed). */
  function roleEmbeddings(refs: Float32Array[] | null, sentenceVectors: (Float32Array | null)[]): RoleEmbeddings | null {
    if (!refs || !roleRefs) return null;
    const nA = roleRefs.assistant.length;
    const nV = roleRefs.voice.length;
    return { sentences: sentenceVectors, assistant: refs.slice(0, nA), voice: refs.slice(nA, nA + nV), userTurn: refs[nA + nV] ?? null };
  }

  const roleCalibration = () => roles?.calibration ?? roleCalibrationFor(client.currentConfig?.embeddingModelId ?? DEFAULT_EMBEDDING_MODEL_ID);

  /** The role flags of this generation's sentences; lexical only when the embeddings failed. */
  async function checkRoles(): Promise<RoleFlag[] | undefined> {
    if (!roles || !roleRefs) return undefined;
    const recs = [...records];
    const [refs, sentenceVectors] = await Promise.all([
      roleVectors,
      Promise.all(recs.map((rec) => vectorOf(rec).catch(() => null))),
    ]);
    return detectRoleFlags({
      replyText: segmenter.fullText,
      sentences: recs.map((rec) => rec.sentence),
      userTurn: input.userTurn,
      userName: roles.userName,
      embeddings: roleEmbeddings(refs, sentenceVectors),
      calibration: roleCalibration(),
    });
  }

  /**
   * One sentence's role flags while streaming, sent to onRoleFlags. The text
   * the speaking-for-the-user detector reads is the sentence and at most
   * LIVE_ROLE_WINDOW characters before it (a line prefix or an action opened
   * just before), so the live path stays linear in the reply.
   */
  async function liveRoles(rec: SentenceRecord): Promise<void> {
    if (!roles) return;
    try {
      const [refs, vector] = await Promise.all([roleVectors, vectorOf(rec).catch(() => null)]);
      if (signal.aborted || rec.generation !== generation) return;
      const { sentence } = rec;
      const from = Math.max(0, sentence.start - LIVE_ROLE_WINDOW);
      const flags = detectRoleFlags({
        replyText: segmenter.fullText.slice(from, sentence.end),
        sentences: [{ index: sentence.index, text: sentence.text, start: sentence.start - from, end: sentence.end - from }],
        userTurn: input.userTurn,
        userName: roles.userName,
        embeddings: roleEmbeddings(refs, [vector]),
        calibration: roleCalibration(),
      });
      for (const l of [...roleListeners]) {
        try {
          l({ sentence, flags });
        } catch (e) {
          console.error('live role flag listener failed', e);
        }
      }
    } catch (e) {
      // Live role flags are a preview: the verdict's, at the end, are the ones kept.
      if (!isAbortError(e)) console.warn('live role flags failed', e);
    }
  }

  /**
   * Scores what the first verdict's plans left out — the pairs scored before
   * come from the cache — and rebuilds the verdict; null when cancelled or failed.
   */
  async function refine(checks: readonly SentenceCheck[], r: Map<string, number>, endCalledAt: number): Promise<CheckedReply | null> {
    try {
      const recs = [...records];
      const targets = recs.map((rec) => targetPlan(rec, r));
      const scored = await Promise.race([
        timedScore(targets.flatMap((plan, i) => plan.map((p) => ({ statement: byId.get(p.statementId)!, sentence: recs[i]!.nliText })))),
        whenAborted(signal),
      ]);
      if (signal.aborted) return null;
      let offset = 0;
      const exactChecks = checks.map((c, i) => {
        const plan = targets[i]!;
        const slice = scored.slice(offset, offset + plan.length);
        offset += plan.length;
        const scores = plan.map((p, j) => ({
          statementId: p.statementId,
          sentenceIndex: c.sentence.index,
          pc: slice[j]!.contradiction,
          pe: slice[j]!.entailment,
          pn: slice[j]!.neutral,
          cached: slice[j]!.cached,
          ...(p.reason === 'probe' ? { probe: true } : {}),
        }));
        const statementIds = scores
          .filter((s) => s.pc >= threshold)
          .map((s) => s.statementId)
          .sort((a, b) => order.get(a)! - order.get(b)!);
        return { ...c, scores, statementIds, flagged: statementIds.length > 0 };
      });
      return build(exactChecks, r, endCalledAt);
    } catch (e) {
      if (!isAbortError(e)) console.warn('completing the consistency check failed', e);
      return null;
    }
  }

  async function finish(endCalledAt: number): Promise<LiveCheckOutcome> {
    try {
      // Cancel or failure resolves at once, without waiting for the worker to
      // reach the cancelled calls.
      const [checks, r, flags] = await Promise.race([Promise.all([Promise.all(sentenceWork), relevance, checkRoles()]), whenAborted(signal)]);
      if (signal.aborted) throw failure ?? abortError();
      roleFlags = flags;
      const outcome = build(checks, r, endCalledAt);
      state = 'done';
      if (records.some((rec) => rec.reduced)) exactDone = refine(checks, r, endCalledAt);
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
              accept(segmenter.feed(finalText.slice(fed.length)), true);
            } else {
              // The engine's text is not the streamed one (e.g. trimmed): start
              // over on the final text; already-scored pairs come from the cache.
              segmenter.reset();
              generation++;
              sentences.length = 0;
              sentenceWork.length = 0;
              records.length = 0;
              pending.length = 0;
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
    onRoleFlags(callback) {
      roleListeners.add(callback);
      return () => roleListeners.delete(callback);
    },
  };
  return live;
}

export interface CheckReplyInput {
  statements: readonly LiveStatement[];
  userTurn: string;
  /** See LiveCheckInput.story. */
  story?: string;
  replyText: string;
  /** Default `client.modelId`. */
  modelId?: string;
  threshold?: number;
  thresholds?: Partial<ApcThresholds>;
  strategyOptions?: Partial<PruningOptions>;
  /** Aborting resolves 'skipped'/'cancelled'. */
  signal?: AbortSignal;
  /** Run the role detectors too (see LiveCheckInput.roles). */
  roles?: RoleCheckInput;
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
