/**
 * The consistency checker worker's API, as plain functions over a small
 * injected runtime (the real one wraps transformers.js `AutoTokenizer` +
 * `AutoModelForSequenceClassification` / `AutoModel`, see checkerRuntime.ts;
 * unit tests pass a stub). Nothing here imports transformers.js, so it runs in
 * Node unit tests.
 *
 * Two models live in the worker: an NLI cross-encoder (premise = persona
 * statement, hypothesis = reply sentence) and a sentence-embedding model
 * (relevance of a statement to the user's turn, and sentence↔statement
 * similarity for pruning).
 *
 * Lifecycle per load: files of both models download in parallel (bytes summed
 * across all files) → sessions are created (loading) → warm-up (warming: a few
 * NLI pairs and an embedding, so Chromium's wasm tier-up happens before the
 * first reply, see NOTES.md) → the call resolves (ready).
 */
import type { OnnxDevice, OnnxDtype } from '../domain/models/catalog';
import type { LoadProgress } from '../engines/ChatEngine';
import { EngineError, ModelLoadError } from '../engines/errors';
import type { RpcContext } from './rpc';
import type { ModelSource } from './transformersChatHandlers';

// ---------------------------------------------------------------------------
// Protocol types (shared with CheckerClient)

export type { ModelSource } from './transformersChatHandlers';

export interface CheckerLoadRequest {
  /** NLI cross-encoder, e.g. `Xenova/nli-deberta-v3-xsmall`. Labels are read from its `id2label`. */
  nliModelId: string;
  /** Sentence-embedding model (mean pooling + L2 normalisation), e.g. `Xenova/all-MiniLM-L6-v2`. */
  embeddingModelId: string;
  /** Same layouts as the chat engines: Hugging Face, or `<baseUrl>/<modelId>/<file>` (absolute URL). */
  source: ModelSource;
  device: OnnxDevice;
  /** Default: `q8` on wasm (`onnx/model_quantized.onnx`), `fp32` on webgpu (`onnx/model.onnx`). */
  dtype?: OnnxDtype;
  /** Run the warm-up pass before resolving (default true). */
  warmUp?: boolean;
  /**
   * Cap on onnxruntime-web wasm threads (benchmarks compare 1 with all). Default:
   * navigator.hardwareConcurrency when cross-origin isolated, else 1.
   * IMPORTANT: onnxruntime initialises wasm once per worker; a different value
   * only takes effect in a fresh worker (a new CheckerClient).
   */
  maxThreads?: number;
}

export interface CheckerLoadResult {
  nliModelId: string;
  embeddingModelId: string;
  device: OnnxDevice;
  dtype: OnnxDtype;
  /** Column of each NLI label in the model's logits, from `id2label`. */
  labelColumns: NliLabelColumns;
  /** Length of the embedding vectors. */
  embeddingDim: number;
  /** onnxruntime-web wasm threads (1 unless the page is cross-origin isolated). */
  threads: number;
  loadMs: number;
  warmUpMs: number;
}

export interface NliPair {
  /** The persona statement. */
  premise: string;
  /** The reply sentence. */
  hypothesis: string;
}

/** Softmax over the NLI logits, by label. Sums to 1 (neutral = 1 − c − e for two-label models). */
export interface NliProbs {
  contradiction: number;
  entailment: number;
  neutral: number;
}

// ---------------------------------------------------------------------------
// The injected runtime

/** transformers.js progress events, per file (the file name is prefixed with the model id by the runtime). */
export type CheckerRuntimeProgress =
  | { status: 'initiate' | 'download' | 'done'; file: string }
  | { status: 'progress'; file: string; loaded: number; total: number };

/** A row-major tensor as plain data. */
export interface RawTensor {
  data: ArrayLike<number>;
  dims: readonly number[];
}

export interface NliSession {
  /** `model.config.id2label`: column index → label name. Never assume the order. */
  readonly id2label: Readonly<Record<string, string>>;
  /**
   * Logits `[pairs × labels]` for one padded batch:
   * `tokenizer(premises, { text_pair: hypotheses, padding: true, truncation: true })` → model.
   */
  logits(premises: string[], hypotheses: string[]): Promise<RawTensor>;
  dispose(): Promise<void>;
}

export interface EmbeddingSession {
  /**
   * Token embeddings for one padded batch: `last_hidden_state` `[batch × tokens × dim]`
   * and the tokenizer's `attention_mask` `[batch × tokens]` (int64 arrives as bigint).
   */
  hiddenStates(texts: string[]): Promise<RawTensor & { mask: ArrayLike<number | bigint> }>;
  dispose(): Promise<void>;
}

export interface RuntimeModelRequest {
  modelId: string;
  source: ModelSource;
  device: OnnxDevice;
  dtype: OnnxDtype;
}

export interface CheckerRuntime {
  /** Points the library at the source and onnxruntime files; called once per load, before the models. */
  configure(request: CheckerLoadRequest): void;
  loadNli(request: RuntimeModelRequest, onProgress: (info: CheckerRuntimeProgress) => void): Promise<NliSession>;
  loadEmbedding(request: RuntimeModelRequest, onProgress: (info: CheckerRuntimeProgress) => void): Promise<EmbeddingSession>;
  /** Threads onnxruntime-web will use (for the load result). */
  threads(): number;
}

// ---------------------------------------------------------------------------
// Constants

/**
 * NLI pairs per model call. Pairs are sorted by length first, so a batch pads
 * to similar lengths. 16 keeps one call at ~0.6 s on the slowest measured
 * setup (~25 pairs/s, NOTES.md): cancellation and other queued work (the next
 * sentence, a relevance request) wait at most that long, while per-call
 * overhead stays amortised. A live sentence has ≤ 40 pairs (full APC) or ≤ 20
 * (pruned), i.e. 1–3 calls.
 */
export const NLI_BATCH_SIZE = 16;

/** Texts per embedding call (same reasoning; the embedding model is ~3× smaller). */
export const EMBED_BATCH_SIZE = 32;

/** Warm-up NLI pairs, of varied lengths so more than one padded shape is seen. */
export const WARM_UP_PAIRS: readonly NliPair[] = [
  { premise: 'She is afraid of deep water.', hypothesis: 'She never goes near the sea.' },
  { premise: 'He has been a blacksmith in the northern village for twenty years.', hypothesis: 'I have never held a hammer in my life, to be honest with you.' },
  { premise: 'They love music.', hypothesis: 'They hate songs.' },
  { premise: 'The knight is loyal to the queen.', hypothesis: 'The weather is nice today.' },
];

/** Warm-up passes: the second runs after the first's tier-up has started. */
export const WARM_UP_ROUNDS = 2;

export function defaultDtype(device: OnnxDevice): OnnxDtype {
  // q8 is the default on wasm (and was faster than WebGPU for this model
  // class, NOTES.md); quantised int8 kernels are a poor fit for WebGPU.
  return device === 'webgpu' ? 'fp32' : 'q8';
}

// ---------------------------------------------------------------------------
// Errors

export class CheckerNotLoadedError extends EngineError {
  override name = 'CheckerNotLoadedError';
  constructor() {
    super('The consistency checker models are not loaded.', { userMessage: 'Load the consistency checker first.' });
  }
}

function abortError(): Error {
  // The name is what crosses the worker boundary (serializeError keeps it).
  const e = new Error('The check was cancelled.');
  e.name = 'AbortError';
  return e;
}

// ---------------------------------------------------------------------------
// Pure helpers (exported for tests)

export interface NliLabelColumns {
  contradiction: number;
  entailment: number;
  /** −1 for two-label models (entailment / not-entailment style); then neutral = 1 − c − e. */
  neutral: number;
}

/**
 * Finds the contradiction / entailment / neutral columns in `id2label`
 * (case-insensitive, e.g. `CONTRADICTION`, `entailment`).
 * @throws {ModelLoadError} (reason `unsupported`) when contradiction or entailment is missing.
 */
export function labelColumns(id2label: Readonly<Record<string, string>>): NliLabelColumns {
  const find = (name: string): number => {
    for (const [index, label] of Object.entries(id2label)) {
      if (label.trim().toLowerCase() === name) return Number(index);
    }
    return -1;
  };
  const out = { contradiction: find('contradiction'), entailment: find('entailment'), neutral: find('neutral') };
  if (out.contradiction < 0 || out.entailment < 0) {
    throw new ModelLoadError(`Not an NLI model: id2label is ${JSON.stringify(id2label)}`, {
      reason: 'unsupported',
      userMessage: 'This model is not an NLI (contradiction / entailment) model.',
    });
  }
  return out;
}

/** Softmax of one logits row, mapped to labels. */
export function nliProbsFromLogits(row: ArrayLike<number>, columns: NliLabelColumns): NliProbs {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]!);
  const exps: number[] = [];
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    const e = Math.exp(row[i]! - max);
    exps.push(e);
    sum += e;
  }
  const contradiction = exps[columns.contradiction]! / sum;
  const entailment = exps[columns.entailment]! / sum;
  const neutral = columns.neutral >= 0 ? exps[columns.neutral]! / sum : Math.max(0, 1 - contradiction - entailment);
  return { contradiction, entailment, neutral };
}

/**
 * Splits indices into batches of `batchSize`, after sorting by `length(i)`
 * (stable), so each padded batch holds similar lengths.
 */
export function lengthSortedBatches(count: number, length: (i: number) => number, batchSize: number): number[][] {
  const order = Array.from({ length: count }, (_, i) => i);
  const lengths = order.map(length);
  order.sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}

/**
 * Mean over the unmasked tokens of each row, then L2-normalised (what
 * sentence-transformers' MiniLM does). Each vector owns its buffer, so it can
 * be transferred.
 */
export function meanPoolNormalize(hidden: RawTensor, mask: ArrayLike<number | bigint>): Float32Array[] {
  const [batch, tokens, dim] = hidden.dims as [number, number, number];
  if (hidden.dims.length !== 3) throw new EngineError(`Expected [batch, tokens, dim] hidden states, got [${hidden.dims.join(', ')}]`);
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const v = new Float32Array(dim);
    let count = 0;
    for (let t = 0; t < tokens; t++) {
      if (Number(mask[b * tokens + t]) === 0) continue;
      count++;
      const base = (b * tokens + t) * dim;
      for (let d = 0; d < dim; d++) v[d]! += hidden.data[base + d]!;
    }
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      v[d] = count > 0 ? v[d]! / count : 0;
      norm += v[d]! * v[d]!;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (let d = 0; d < dim; d++) v[d] = v[d]! / norm;
    out.push(v);
  }
  return out;
}

/**
 * The buffers to transfer with a worker reply: every ArrayBuffer behind a
 * typed array in a result that is a typed array or an array of them (embed's
 * Float32Array[]). Deduplicated: listing a buffer twice throws DataCloneError.
 */
export function transferablesOf(message: unknown): ArrayBuffer[] {
  if (!message || typeof message !== 'object' || (message as { kind?: unknown }).kind !== 'result') return [];
  const result = (message as { result?: unknown }).result;
  const views = Array.isArray(result) ? result : [result];
  const buffers = new Set<ArrayBuffer>();
  for (const v of views) {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) buffers.add(v.buffer);
  }
  return [...buffers];
}

// ---------------------------------------------------------------------------
// Progress aggregation

const WEIGHTS_FILE = /\.onnx(_data)?$|\.onnx_data_\d+$/;

/**
 * Sums bytes across every file of both models. Phase `downloading` until each
 * model has finished a weights file and no started file is pending, then
 * `loading` (session creation); never goes back, and `progress` never
 * decreases. One event per whole percent or phase change, so the worker does not flood the main thread.
 */
export class CheckerProgressAggregator {
  private readonly files = new Map<string, { loaded: number; total: number; done: boolean }>();
  private readonly weightsDone = new Set<string>();
  private loadingReported = false;
  private lastPct = -1;
  private lastProgress = 0;

  constructor(
    private readonly modelIds: readonly string[],
    private readonly emit: (p: LoadProgress) => void,
  ) {}

  handle(modelId: string, info: CheckerRuntimeProgress): void {
    if (this.loadingReported) return;
    const key = `${modelId}\u0000${info.file}`;
    const f = this.files.get(key) ?? { loaded: 0, total: 0, done: false };
    this.files.set(key, f);
    if (info.status === 'progress') {
      f.loaded = info.loaded;
      f.total = Math.max(info.total || 0, info.loaded);
    } else if (info.status === 'done') {
      f.done = true;
      if (f.total > 0) f.loaded = f.total;
      if (WEIGHTS_FILE.test(info.file)) this.weightsDone.add(modelId);
    }
    this.report();
  }

  private report(): void {
    let loaded = 0;
    let total = 0;
    let allDone = true;
    for (const f of this.files.values()) {
      loaded += f.loaded;
      total += f.total;
      if (!f.done) allDone = false;
    }
    if (allDone && this.modelIds.every((m) => this.weightsDone.has(m))) {
      this.loadingReported = true;
      this.emit({ phase: 'loading', progress: 0, loadedBytes: loaded, totalBytes: total, text: 'Preparing the checker models…' });
      return;
    }
    // A file's size is known only once it starts, so loaded/total can dip when
    // a new file appears: the bar never moves backwards (bytes stay exact).
    const progress = Math.max(this.lastProgress, total > 0 ? Math.min(1, loaded / total) : 0);
    this.lastProgress = progress;
    const pct = Math.floor(progress * 100);
    if (pct === this.lastPct) return;
    this.lastPct = pct;
    this.emit({
      phase: 'downloading',
      progress,
      loadedBytes: loaded,
      totalBytes: total,
      text: `Downloading checker models: ${Math.round(loaded / 1e6)} MB of ${Math.round(total / 1e6)} MB`,
    });
  }
}

// ---------------------------------------------------------------------------
// Handlers

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

interface Loaded {
  nli: NliSession;
  embedding: EmbeddingSession;
  columns: NliLabelColumns;
  result: CheckerLoadResult;
}

export function createCheckerHandlers(runtime: CheckerRuntime) {
  let loaded: Loaded | null = null;
  // onnxruntime runs one inference per session at a time; one queue for both
  // models keeps requests in arrival order (relevance first, then sentences).
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };
  const requireLoaded = (): Loaded => {
    if (!loaded) throw new CheckerNotLoadedError();
    return loaded;
  };

  async function runNli(current: Loaded, pairs: readonly NliPair[], signal?: AbortSignal): Promise<NliProbs[]> {
    const out = new Array<NliProbs>(pairs.length);
    const batches = lengthSortedBatches(
      pairs.length,
      (i) => pairs[i]!.premise.length + pairs[i]!.hypothesis.length,
      NLI_BATCH_SIZE,
    );
    for (const batch of batches) {
      if (signal?.aborted) throw abortError();
      const logits = await current.nli.logits(
        batch.map((i) => pairs[i]!.premise),
        batch.map((i) => pairs[i]!.hypothesis),
      );
      const [rows, cols] = logits.dims as [number, number];
      if (logits.dims.length !== 2 || rows !== batch.length) {
        throw new EngineError(`NLI logits have shape [${logits.dims.join(', ')}] for ${batch.length} pairs`);
      }
      batch.forEach((pairIndex, row) => {
        const slice = Array.from({ length: cols }, (_, c) => Number(logits.data[row * cols + c]));
        out[pairIndex] = nliProbsFromLogits(slice, current.columns);
      });
    }
    return out;
  }

  async function runEmbed(current: Loaded, texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const out = new Array<Float32Array>(texts.length);
    for (const batch of lengthSortedBatches(texts.length, (i) => texts[i]!.length, EMBED_BATCH_SIZE)) {
      if (signal?.aborted) throw abortError();
      const h = await current.embedding.hiddenStates(batch.map((i) => texts[i]!));
      if (h.dims[0] !== batch.length) {
        throw new EngineError(`Embedding output has shape [${h.dims.join(', ')}] for ${batch.length} texts`);
      }
      meanPoolNormalize(h, h.mask).forEach((v, row) => {
        out[batch[row]!] = v;
      });
    }
    return out;
  }

  async function disposeLoaded(): Promise<void> {
    const old = loaded;
    loaded = null;
    if (!old) return;
    await Promise.allSettled([old.nli.dispose(), old.embedding.dispose()]);
  }

  return {
    /**
     * Loads both models (replacing any loaded pair), warms up, resolves when ready.
     * @throws {ModelLoadError} when the NLI model has no contradiction/entailment labels;
     *   whatever the runtime throws on download / session failures (the client classifies it).
     */
    load: (request: CheckerLoadRequest, ctx: RpcContext<LoadProgress>): Promise<CheckerLoadResult> =>
      exclusive(async () => {
        const started = now();
        await disposeLoaded();
        const dtype = request.dtype ?? defaultDtype(request.device);
        runtime.configure(request);
        const aggregator = new CheckerProgressAggregator([request.nliModelId, request.embeddingModelId], (p) =>
          ctx.progress(p),
        );
        const base = { source: request.source, device: request.device, dtype };
        const [nliResult, embedResult] = await Promise.allSettled([
          runtime.loadNli({ ...base, modelId: request.nliModelId }, (info) => aggregator.handle(request.nliModelId, info)),
          runtime.loadEmbedding({ ...base, modelId: request.embeddingModelId }, (info) =>
            aggregator.handle(request.embeddingModelId, info),
          ),
        ]);
        if (nliResult.status === 'rejected' || embedResult.status === 'rejected') {
          if (nliResult.status === 'fulfilled') await nliResult.value.dispose().catch(() => undefined);
          if (embedResult.status === 'fulfilled') await embedResult.value.dispose().catch(() => undefined);
          throw nliResult.status === 'rejected' ? nliResult.reason : (embedResult as PromiseRejectedResult).reason;
        }
        const nli = nliResult.value;
        const embedding = embedResult.value;
        let columns: NliLabelColumns;
        try {
          columns = labelColumns(nli.id2label);
        } catch (e) {
          await Promise.allSettled([nli.dispose(), embedding.dispose()]);
          throw e;
        }
        const candidate: Loaded = {
          nli,
          embedding,
          columns,
          result: {
            nliModelId: request.nliModelId,
            embeddingModelId: request.embeddingModelId,
            device: request.device,
            dtype,
            labelColumns: columns,
            embeddingDim: 0,
            threads: runtime.threads(),
            loadMs: 0,
            warmUpMs: 0,
          },
        };
        const warmStarted = now();
        try {
          ctx.progress({ phase: 'warming', progress: 0, text: 'Warming up the checker…' });
          const rounds = request.warmUp === false ? 0 : WARM_UP_ROUNDS;
          // The embedding dimension comes from one real call, warm-up or not.
          const [probe] = await runEmbed(candidate, ['Warm-up sentence for the embedding model.']);
          candidate.result.embeddingDim = probe!.length;
          for (let round = 0; round < rounds; round++) {
            await runNli(candidate, WARM_UP_PAIRS);
            if (round > 0) await runEmbed(candidate, WARM_UP_PAIRS.map((p) => p.premise));
            ctx.progress({ phase: 'warming', progress: (round + 1) / rounds, text: 'Warming up the checker…' });
          }
        } catch (e) {
          await Promise.allSettled([nli.dispose(), embedding.dispose()]);
          throw e;
        }
        const end = now();
        candidate.result.warmUpMs = end - warmStarted;
        candidate.result.loadMs = end - started;
        loaded = candidate;
        return candidate.result;
      }),

    /**
     * NLI probabilities per pair, in input order. Pairs are run in
     * length-sorted batches of NLI_BATCH_SIZE; cancelling stops between batches.
     * @throws {CheckerNotLoadedError}; an AbortError when cancelled.
     */
    nli: async ({ pairs }: { pairs: NliPair[] }, ctx: RpcContext<never>): Promise<NliProbs[]> => {
      const current = requireLoaded();
      return exclusive(async () => {
        if (ctx.signal.aborted) throw abortError();
        return runNli(current, pairs, ctx.signal);
      });
    },

    /**
     * Mean-pooled, L2-normalised embeddings, in input order. Each vector has its
     * own buffer (the worker entry transfers them).
     * @throws {CheckerNotLoadedError}; an AbortError when cancelled.
     */
    embed: async ({ texts }: { texts: string[] }, ctx: RpcContext<never>): Promise<Float32Array[]> => {
      const current = requireLoaded();
      return exclusive(async () => {
        if (ctx.signal.aborted) throw abortError();
        return runEmbed(current, texts, ctx.signal);
      });
    },

    unload: (_: null): Promise<void> => exclusive(disposeLoaded),

    status: async (_: null): Promise<CheckerLoadResult | null> => loaded?.result ?? null,
  };
}

export type CheckerHandlers = ReturnType<typeof createCheckerHandlers>;
