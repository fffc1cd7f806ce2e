/**
 * Main-thread client of the consistency checker worker (checker.worker.ts). No
 * React: hooks/stores subscribe to `status` like they do for chat engines.
 *
 * It owns the worker through WorkerHost (a crash rejects in-flight calls with
 * WorkerCrashedError; the next call respawns the worker and reloads the last
 * configuration), and two caches:
 * - NLI pairs, keyed by nliPairKey (model + statement id + version + statement
 *   text + sentence as sent), so re-checks, swipes back and stale-verdict
 *   re-runs cost no model time for pairs seen before;
 * - embeddings of any text (statements, user turns, sentences) per embedding model.
 * Identical requests in flight are shared, not sent twice.
 *
 * Device 'auto' (the default) is decided in the worker by measuring (see
 * workers/checker/devices.ts); the client hands it the decisions measured before (from
 * a DeviceDecisionStore) and saves a new one, so a machine measures once per
 * model × dtypes × adapter × threads.
 */
import { DEFAULT_EMBEDDING_MODEL_ID, DEFAULT_NLI_MODEL_ID } from '../domain/models/catalog';
import type { PersonaStatement } from '../domain/character';
import {
  LruCache,
  calibrationFor,
  checkerModelId,
  cosine,
  nliPairKey,
  relevanceFromCosine,
  type RelevanceCalibration,
} from '../domain/consistency';
import type { OnnxDtype } from '../domain/models/catalog';
import { rememberDecision, type CheckerDevicePreference, type DeviceDecision } from '../domain/models/deviceChoice';
import { defaultDtype, type CheckerApi, type CheckerLoadResult, type NliPair, type NliProbs } from '../protocol/checker';
import type { LoadProgress, ModelSource } from '../protocol/loading';
import type { EngineStatus } from './ChatEngine';
import { resolveModelSource } from './modelSource';
import { StatusCell } from './engineStatus';
import { EngineError, ModelDownloadCancelledError, WorkerCrashedError, classifyEngineError } from './errors';
import { DEFAULT_PING_EVERY_MS, type StallOptions } from './stallWatchdog';
import { WorkerHost, type WorkerLike } from './workerHost';

export type { CheckerLoadResult, NliProbs } from '../protocol/checker';
export type { ModelSource } from '../protocol/loading';
export type { CheckerDevicePreference, DeviceDecision } from '../domain/models/deviceChoice';

/** Same states as a chat engine; `modelId` is checkerModelId(nli, embedding). */
export type CheckerStatus = EngineStatus;

export interface CheckerConfig {
  nliModelId: string;
  embeddingModelId: string;
  /**
   * Default Hugging Face. Self-hosted layout `<baseUrl>/<modelId>/<file>`; a
   * relative baseUrl is resolved against the page.
   */
  source?: ModelSource;
  /**
   * Default 'auto': wasm (all threads when cross-origin isolated) or webgpu,
   * whichever measured faster; 'wasm' / 'webgpu' force one and measure nothing.
   */
  device?: CheckerDevicePreference;
  /** Default q8 on wasm, fp32 on webgpu (with 'auto', per measured device). */
  dtype?: OnnxDtype;
  /** Warm-up pass before ready (default true). */
  warmUp?: boolean;
  /** Cap on wasm threads (default: all when cross-origin isolated, else 1). */
  maxThreads?: number;
  /** Relevance curve; default calibrationFor(embeddingModelId). */
  calibration?: RelevanceCalibration;
}

export { DEFAULT_NLI_MODEL_ID, DEFAULT_EMBEDDING_MODEL_ID };

/**
 * Where 'auto' decisions live between loads (and page loads). The app keeps
 * them in the settings (services/checkerDevice.ts); the default is memory only.
 */
export interface DeviceDecisionStore {
  /** Every decision measured before (the worker picks the one whose key matches). */
  list(): Promise<readonly DeviceDecision[]>;
  /** Adds a new measurement (replacing one with the same key). */
  save(decision: DeviceDecision): Promise<void>;
}

/** A DeviceDecisionStore that forgets on reload. */
export function memoryDeviceDecisionStore(): DeviceDecisionStore {
  let list: DeviceDecision[] = [];
  return {
    list: async () => list,
    save: async (decision) => {
      list = rememberDecision(list, decision);
    },
  };
}

/** What the client needs of a statement. */
export type StatementRef = Pick<PersonaStatement, 'id' | 'version' | 'text'>;

export interface PairRequest {
  statement: StatementRef;
  /** The hypothesis exactly as it goes to the model (markup already stripped). */
  sentence: string;
}

export interface ScoredPair extends NliProbs {
  /** True when the answer came from the cache (or a request already in flight). */
  cached: boolean;
}

export interface StatementSentenceScore extends ScoredPair {
  statementId: string;
}

export interface CallSignal {
  signal?: AbortSignal;
}

export interface CheckerLoadOptions extends CallSignal {
  onProgress?: (progress: LoadProgress) => void;
}

/** Counters since construction (or resetStats); tests and benchmarks read them. */
export interface CheckerStats {
  /** NLI pairs sent to the worker. */
  nliPairsSent: number;
  /** NLI pairs answered from the cache or a shared in-flight request. */
  nliPairsCached: number;
  nliCalls: number;
  embedTextsSent: number;
  embedTextsCached: number;
}

export interface CheckerClientOptions {
  /** Injected for tests; defaults to the bundled checker.worker.ts. */
  createWorker?: () => WorkerLike;
  /** Default 20 000 pairs (~2 MB). */
  pairCacheSize?: number;
  /** Default 2 000 vectors (~3 MB at 384 dims). */
  embeddingCacheSize?: number;
  /** Stall watchdog (default CHECKER_STALL); false turns it off. */
  stall?: StallOptions | false;
  /** Where 'auto' device decisions are cached (default: memory, this client only). */
  deviceDecisions?: DeviceDecisionStore;
}

/**
 * Stall watchdog of the checker worker: 60 s of total silence while a call is
 * pending. Its synchronous runs are short: one NLI batch of NLI_BATCH_SIZE
 * (16) pairs takes ~0.6 s on the slowest setup measured (~25 pairs/s), an
 * embedding batch less, and loading two small models took ~1.6 s (fixtures)
 * to a few seconds. Even if onnxruntime never yields between the batches of
 * one call, a live sentence is ≤ 40 pairs (~2 s). 60 s is 10× the worst of
 * these on a slow machine, and short enough that live checks (which skip a
 * crashed checker and respawn it on the next call) don't hang for minutes.
 */
export const CHECKER_STALL: Readonly<StallOptions> = Object.freeze({
  pingEveryMs: DEFAULT_PING_EVERY_MS,
  timeoutMs: 60_000,
});

/**
 * Silence allowed while the checker loads. Creating the wasm sessions is one
 * synchronous call that cannot answer pings: an 86 MB DeBERTa took 113 s at
 * load 12 on 2 cores and passed 60 s at load 25 (bench:guard, 2026-12-01), so
 * the scoring timeout above would kill a healthy load on a busy machine. Same
 * allowance as the CPU chat engine's (TRANSFORMERS_CHAT_STALL).
 */
export const CHECKER_LOAD_STALL_MS = 300_000;

/** A model call was made while no checker is loaded (status absent). */
export class CheckerNotReadyError extends EngineError {
  override name = 'CheckerNotReadyError';
  constructor(message = 'The consistency checker is not loaded.') {
    super(message, { userMessage: 'The consistency checker is not loaded.' });
  }
}

export const DEFAULT_PAIR_CACHE_SIZE = 20_000;
export const DEFAULT_EMBEDDING_CACHE_SIZE = 2_000;

function defaultWorker(): WorkerLike {
  // IMPORTANT: keep this literal shape so Vite bundles the worker.
  return new Worker(new URL('../workers/checker.worker.ts', import.meta.url), { type: 'module' });
}

/**
 * One promise per key for the results of one batched worker call: each lands
 * in `cache` when the call answers, and is listed in `inFlight` until then, so
 * an identical request made meanwhile waits for it instead of asking again.
 */
function shareCall<V>(keys: readonly string[], call: Promise<readonly V[]>, cache: LruCache<string, V>, inFlight: Map<string, Promise<V>>): Promise<V>[] {
  return keys.map((key, j) => {
    const p = call.then((values) => {
      const v = values[j]!;
      cache.set(key, v);
      return v;
    });
    const settle = () => {
      if (inFlight.get(key) === p) inFlight.delete(key);
    };
    p.then(settle, settle);
    inFlight.set(key, p);
    return p;
  });
}

export function isAbortError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}

function sameConfig(a: CheckerConfig, b: CheckerConfig): boolean {
  const src = (c: CheckerConfig) => JSON.stringify(c.source ?? { kind: 'huggingface' });
  return (
    a.nliModelId === b.nliModelId &&
    a.embeddingModelId === b.embeddingModelId &&
    (a.device ?? 'auto') === (b.device ?? 'auto') &&
    (a.dtype ?? null) === (b.dtype ?? null) &&
    (a.maxThreads ?? null) === (b.maxThreads ?? null) &&
    src(a) === src(b)
  );
}

export class CheckerClient {
  private readonly cell = new StatusCell();
  private readonly host: WorkerHost<CheckerApi>;
  private readonly pairCache: LruCache<string, NliProbs>;
  private readonly embedCache: LruCache<string, Float32Array>;
  private readonly pairsInFlight = new Map<string, Promise<NliProbs>>();
  private readonly embedsInFlight = new Map<string, Promise<Float32Array>>();
  private readonly deviceDecisions: DeviceDecisionStore;
  private config: CheckerConfig | null = null;
  private loadResult: CheckerLoadResult | null = null;
  private loadController: AbortController | null = null;
  private reloading: Promise<unknown> | null = null;
  private crashed = false;
  private active = 0;
  private disposed = false;
  private counters: CheckerStats = { nliPairsSent: 0, nliPairsCached: 0, nliCalls: 0, embedTextsSent: 0, embedTextsCached: 0 };

  constructor(options: CheckerClientOptions = {}) {
    this.pairCache = new LruCache(options.pairCacheSize ?? DEFAULT_PAIR_CACHE_SIZE);
    this.embedCache = new LruCache(options.embeddingCacheSize ?? DEFAULT_EMBEDDING_CACHE_SIZE);
    this.deviceDecisions = options.deviceDecisions ?? memoryDeviceDecisionStore();
    this.host = new WorkerHost<CheckerApi>(options.createWorker ?? defaultWorker, {
      stall: options.stall === false ? undefined : (options.stall ?? CHECKER_STALL),
      onCrash: (error) => {
        this.crashed = true;
        this.active = 0;
        if (this.cell.value.state !== 'absent') {
          this.cell.set({ state: 'error', modelId: this.modelId, error });
        }
      },
    });
  }

  // -------------------------------------------------------------------------
  // State

  get status(): CheckerStatus {
    return this.cell.value;
  }

  /** @returns unsubscribe. */
  subscribe(listener: (status: CheckerStatus) => void): () => void {
    return this.cell.subscribe(listener);
  }

  /**
   * True when model calls can be made now: ready or busy, or crashed with a
   * configuration to reload (the next call respawns the worker).
   */
  get isReady(): boolean {
    const s = this.cell.value.state;
    return s === 'ready' || s === 'busy' || (this.crashed && this.config !== null && this.loadResult !== null);
  }

  /** The id verdicts record (both models), null when nothing was loaded. */
  get modelId(): string | null {
    return this.config ? checkerModelId(this.config.nliModelId, this.config.embeddingModelId) : null;
  }

  get currentConfig(): Readonly<CheckerConfig> | null {
    return this.config;
  }

  /** From the last successful load: threads, label columns, timings, device decision. */
  get loadInfo(): Readonly<CheckerLoadResult> | null {
    return this.loadResult;
  }

  /** The device the loaded models run on and why (measured, forced, …); null when nothing is loaded. */
  get deviceDecision(): Readonly<DeviceDecision> | null {
    return this.loadResult?.deviceDecision ?? null;
  }

  get stats(): Readonly<CheckerStats> {
    return { ...this.counters };
  }

  resetStats(): void {
    this.counters = { nliPairsSent: 0, nliPairsCached: 0, nliCalls: 0, embedTextsSent: 0, embedTextsCached: 0 };
  }

  clearCaches(): void {
    this.pairCache.clear();
    this.embedCache.clear();
  }

  // -------------------------------------------------------------------------
  // Lifecycle

  /**
   * Downloads (or reads from the browser cache), loads and warms up both
   * models. Loading the configuration already loaded resolves at once.
   * @throws {ModelDownloadCancelledError} when `signal` aborts (the worker is terminated:
   *   transformers.js cannot abort a load).
   * @throws {ModelLoadError | OutOfMemoryError | WebGpuUnavailableError | WorkerCrashedError}
   */
  async load(config: CheckerConfig, options: CheckerLoadOptions = {}): Promise<CheckerLoadResult> {
    this.assertUsable();
    if (this.loadResult && this.config && sameConfig(config, this.config) && !this.crashed && this.isReady) {
      return this.loadResult;
    }
    this.loadController?.abort();
    const controller = new AbortController();
    this.loadController = controller;
    const cancel = () => controller.abort();
    options.signal?.addEventListener('abort', cancel, { once: true });
    const onCancel = () => this.host.terminate(new ModelDownloadCancelledError());
    controller.signal.addEventListener('abort', onCancel, { once: true });

    const modelId = checkerModelId(config.nliModelId, config.embeddingModelId);
    const report = (p: LoadProgress) => {
      if (controller.signal.aborted) return;
      this.cell.set({ state: p.phase, modelId, progress: p });
      options.onProgress?.(p);
    };
    this.config = config;
    this.loadResult = null;
    this.active = 0;
    try {
      if (options.signal?.aborted) throw new ModelDownloadCancelledError();
      if (this.crashed) {
        this.host.terminate();
        this.crashed = false;
      }
      report({ phase: 'downloading', progress: 0, text: 'Starting…' });
      const device = config.device ?? 'auto';
      // A store that can't be read only costs a measurement.
      const knownDecisions = device === 'auto' ? await this.deviceDecisions.list().catch(() => []) : undefined;
      const result = await this.host.call(
        'load',
        {
          nliModelId: config.nliModelId,
          embeddingModelId: config.embeddingModelId,
          source: resolveModelSource(config.source ?? { kind: 'huggingface' }),
          device,
          // With 'auto' each device is measured with its own default dtype.
          dtype: config.dtype ?? (device === 'auto' ? undefined : defaultDtype(device)),
          ...(knownDecisions ? { knownDecisions } : {}),
          warmUp: config.warmUp,
          maxThreads: config.maxThreads,
        },
        { onProgress: report, stallMs: CHECKER_LOAD_STALL_MS },
      );
      if (controller.signal.aborted) throw new ModelDownloadCancelledError();
      const decision = result.deviceDecision;
      if (decision.basis === 'measured' && !decision.cached && decision.key) {
        await this.deviceDecisions.save(decision).catch(() => undefined);
      }
      this.loadResult = result;
      this.cell.set({ state: 'ready', modelId });
      return result;
    } catch (e) {
      const error = classifyEngineError(e, 'load');
      if (this.loadController !== controller) throw error;
      this.config = null;
      if (error instanceof ModelDownloadCancelledError) {
        this.cell.set({ state: 'absent' });
      } else {
        // A failed load may leave half-built sessions: start clean next time.
        this.host.terminate(error);
        this.crashed = false;
        this.cell.set({ state: 'error', modelId, error });
      }
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      controller.signal.removeEventListener('abort', onCancel);
      if (this.loadController === controller) this.loadController = null;
    }
  }

  /** Frees both models (status → absent). Caches stay (they are keyed by model). */
  async unload(): Promise<void> {
    if (this.disposed) return;
    this.loadController?.abort();
    if (this.host.alive) {
      try {
        await this.host.call('unload', null);
      } catch {
        this.host.terminate();
      }
    }
    this.config = null;
    this.loadResult = null;
    this.crashed = false;
    this.active = 0;
    this.cell.set({ state: 'absent' });
  }

  /** Terminates the worker; the client can't be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.loadController?.abort();
    this.host.terminate(new CheckerNotReadyError('The consistency checker was disposed.'));
    this.disposed = true;
    this.config = null;
    this.loadResult = null;
    this.cell.set({ state: 'absent' });
  }

  // -------------------------------------------------------------------------
  // Model calls

  /**
   * Embeddings (mean-pooled, unit length), cached per embedding model and text.
   * @throws {CheckerNotReadyError}; WorkerCrashedError; an AbortError when `signal` aborts.
   */
  async embed(texts: readonly string[], options: CallSignal = {}): Promise<Float32Array[]> {
    const config = await this.ensureReady();
    const keyOf = (t: string) => `${config.embeddingModelId}\u0000${t}`;
    const out = new Array<Float32Array | Promise<Float32Array>>(texts.length);
    const missing: string[] = [];
    const missingIndex = new Map<string, number>();
    texts.forEach((text, i) => {
      const key = keyOf(text);
      const hit = this.embedCache.get(key) ?? this.embedsInFlight.get(key);
      if (hit) {
        this.counters.embedTextsCached++;
        out[i] = hit;
        return;
      }
      if (!missingIndex.has(text)) {
        missingIndex.set(text, missing.length);
        missing.push(text);
      } else {
        this.counters.embedTextsCached++;
      }
    });
    if (missing.length > 0) {
      this.counters.embedTextsSent += missing.length;
      const call = this.track(this.host.call('embed', { texts: missing }, { signal: options.signal }));
      const shared = shareCall(missing.map(keyOf), call, this.embedCache, this.embedsInFlight);
      texts.forEach((text, i) => {
        if (out[i] === undefined) out[i] = shared[missingIndex.get(text)!]!;
      });
    }
    return Promise.all(out);
  }

  /**
   * r = P(statement relevant to the user's turn) per statement id, from the
   * embedding cosine through the calibration curve. An empty turn (a greeting,
   * an imported chat's first message) makes every statement passive: r = 0.
   * @throws like embed().
   */
  async relevance(
    userTurn: string,
    statements: readonly StatementRef[],
    options: CallSignal = {},
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (userTurn.trim() === '' || statements.length === 0) {
      for (const s of statements) out.set(s.id, 0);
      return out;
    }
    const config = await this.ensureReady();
    const calibration = config.calibration ?? calibrationFor(config.embeddingModelId);
    const [turn, ...vectors] = await this.embed([userTurn, ...statements.map((s) => s.text)], options);
    statements.forEach((s, i) => out.set(s.id, relevanceFromCosine(cosine(turn!, vectors[i]!), calibration)));
    return out;
  }

  /**
   * Embeds statements ahead of the first reply, so relevance (and, past
   * FULL_MAX_STATEMENTS, pruning) of the next live check does not wait for
   * them. Call when a chat opens and after statements change; cheap when cached.
   * @throws like embed().
   */
  async prepare(statements: readonly StatementRef[], options: CallSignal = {}): Promise<void> {
    await this.embed(
      statements.map((s) => s.text),
      options,
    );
  }

  /**
   * NLI probabilities per pair (premise = statement text, hypothesis = sentence),
   * in input order, with pairs seen before answered from the cache.
   * @throws like embed().
   */
  async scorePairs(pairs: readonly PairRequest[], options: CallSignal = {}): Promise<ScoredPair[]> {
    const config = await this.ensureReady();
    // The dtype actually loaded ('auto' decides it in the worker): fp32 and q8 answers differ.
    const keyModel = `${config.nliModelId}#${this.loadResult?.dtype ?? config.dtype ?? defaultDtype('wasm')}`;
    const keys = pairs.map((p) =>
      nliPairKey({
        modelId: keyModel,
        statementId: p.statement.id,
        statementVersion: p.statement.version,
        statementText: p.statement.text,
        sentenceText: p.sentence,
      }),
    );
    const results = new Array<Promise<ScoredPair>>(pairs.length);
    const toSend: NliPair[] = [];
    const sendKeys: string[] = [];
    const sendIndex = new Map<string, number>();
    keys.forEach((key, i) => {
      const hit = this.pairCache.get(key);
      if (hit) {
        this.counters.nliPairsCached++;
        results[i] = Promise.resolve({ ...hit, cached: true });
        return;
      }
      const inFlight = this.pairsInFlight.get(key);
      if (inFlight) {
        this.counters.nliPairsCached++;
        results[i] = inFlight.then(
          (p) => ({ ...p, cached: true }),
          async (e: unknown) => {
            // Someone else's cancelled call: ours still wants the answer.
            if (isAbortError(e) && !options.signal?.aborted) return (await this.scorePairs([pairs[i]!], options))[0]!;
            throw e;
          },
        );
        return;
      }
      if (!sendIndex.has(key)) {
        sendIndex.set(key, toSend.length);
        toSend.push({ premise: pairs[i]!.statement.text, hypothesis: pairs[i]!.sentence });
        sendKeys.push(key);
      } else {
        this.counters.nliPairsCached++;
      }
    });
    if (toSend.length > 0) {
      this.counters.nliPairsSent += toSend.length;
      this.counters.nliCalls++;
      const call = this.track(this.host.call('nli', { pairs: toSend }, { signal: options.signal }));
      const shared = shareCall(sendKeys, call, this.pairCache, this.pairsInFlight);
      keys.forEach((key, i) => {
        if (results[i] === undefined) results[i] = shared[sendIndex.get(key)!]!.then((p) => ({ ...p, cached: false }));
      });
    }
    return Promise.all(results);
  }

  /**
   * One sentence against statements (every pair). The live checker uses
   * scorePairs with its own plan; this is the simple form.
   * @throws like embed().
   */
  async scoreSentence(
    sentence: string,
    statements: readonly StatementRef[],
    options: CallSignal = {},
  ): Promise<StatementSentenceScore[]> {
    const scored = await this.scorePairs(
      statements.map((statement) => ({ statement, sentence })),
      options,
    );
    return scored.map((s, i) => ({ ...s, statementId: statements[i]!.id }));
  }

  // -------------------------------------------------------------------------

  /** Waits for a load in progress; after a crash, respawns the worker and reloads. */
  private async ensureReady(): Promise<CheckerConfig> {
    this.assertUsable();
    if (this.crashed && this.config && this.loadResult) {
      this.reloading ??= this.load(this.config).finally(() => {
        this.reloading = null;
      });
      await this.reloading;
    }
    const state = this.cell.value.state;
    if ((state !== 'ready' && state !== 'busy') || !this.config) {
      throw new CheckerNotReadyError(
        state === 'absent' || state === 'error' ? undefined : `The consistency checker is still ${state}.`,
      );
    }
    return this.config;
  }

  /** Keeps status busy while model calls are in flight; classifies a crash. */
  private track<T>(call: Promise<T>): Promise<T> {
    const modelId = this.modelId!;
    if (this.active++ === 0) this.cell.set({ state: 'busy', modelId });
    const done = () => {
      if (this.active > 0 && --this.active === 0 && this.cell.value.state === 'busy') {
        this.cell.set({ state: 'ready', modelId });
      }
    };
    return call.then(
      (v) => {
        done();
        return v;
      },
      (e: unknown) => {
        done();
        throw e instanceof WorkerCrashedError || isAbortError(e) ? e : classifyEngineError(e, 'generate');
      },
    );
  }

  private assertUsable(): void {
    if (this.disposed) throw new CheckerNotReadyError('The consistency checker was disposed.');
  }
}
