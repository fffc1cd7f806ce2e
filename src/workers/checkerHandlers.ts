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
 *
 * Device 'auto' (the default): without a WebGPU adapter, wasm. With one, and
 * no earlier measurement for this model × dtypes × adapter × threads in
 * `knownDecisions`, the NLI model also loads on WebGPU (in parallel with the
 * others, so one download bar covers it), both are timed on MEASURE_PAIRS
 * during warming (see measureDevices for the caps), the slower NLI session is
 * disposed and the embedding model follows the winner. The decision comes back
 * in the load result; the client caches it.
 */
import type { OnnxDevice, OnnxDtype } from '../domain/models/catalog';
import {
  deviceDecisionKey,
  fasterDevice,
  formatPairsPerSecond,
  isDeviceDecision,
  median,
  WEBGPU_MIN_SPEEDUP,
  type DeviceDecision,
} from '../domain/models/deviceChoice';
import { CheckerNotLoadedError, EngineError, ModelLoadError } from '../protocol/errors';
import {
  defaultDtype,
  type CheckerApi,
  type CheckerLoadRequest,
  type CheckerLoadResult,
  type NliLabelColumns,
  type NliPair,
  type NliProbs,
} from '../protocol/checker';
import type { LoadProgress, ModelSource } from '../protocol/loading';
import type { RpcContext } from '../protocol/rpc';

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
  /**
   * The WebGPU adapter this worker would run on, described for the decision
   * cache ("vendor/architecture" from `adapter.info`); null when `navigator.gpu`
   * is missing or `requestAdapter()` gives none. Only asked for with device 'auto'.
   */
  webgpuAdapter(): Promise<string | null>;
  /** Clock for load timings and device measurements (ms); default `performance.now`. Stubs inject a fake one. */
  now?(): number;
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

/**
 * The batch device 'auto' times on each device: persona statements against
 * reply sentences of the lengths the checker sees (~15–45 tokens a pair), in
 * one padded call. 8 pairs: big enough that a GPU's batching counts, small
 * enough that wasm runs it in ~0.3 s on the default model (~25 pairs/s, NOTES.md).
 */
export const MEASURE_PAIRS: readonly NliPair[] = [
  { premise: 'Maren is afraid of deep water.', hypothesis: 'Maren stays far away from the deep water, as always.' },
  { premise: 'He has worked as a blacksmith in the northern village for twenty years.', hypothesis: 'I have never held a hammer in my life, to be honest with you.' },
  { premise: 'She speaks softly and rarely raises her voice.', hypothesis: '"Get out of my house!" she shouted at the top of her lungs.' },
  { premise: 'The knight is fiercely loyal to the queen and would die for her.', hypothesis: 'He smiles and bows low before the throne.' },
  { premise: 'Aria has amber eyes and long silver hair.', hypothesis: 'Her green eyes sparkle in the light of the fire as she laughs.' },
  { premise: 'They grew up together in a small fishing town by the sea.', hypothesis: 'We met for the first time at the academy last winter.' },
  { premise: 'Seraphina is a healer who protects the forest glade.', hypothesis: 'She kneels beside the wounded traveller and presses a glowing hand to his side.' },
  { premise: 'He hates the cold and never leaves the house in winter.', hypothesis: 'Snow crunches under his boots as he walks to the market before dawn.' },
];

/**
 * The single pair WebGPU is first timed on, shorter than every pair of
 * MEASURE_PAIRS: a padded batch of those then costs at least as much as this
 * pair, which is what makes measureDevices' early stop sound. Short, because a
 * slow device spends its time here.
 */
export const MEASURE_PROBE_PAIR: NliPair = { premise: 'They love music.', hypothesis: 'They hate songs.' };

/** Timed runs of MEASURE_PAIRS per device after one untimed run; the median counts. */
export const MEASURE_REPS = 3;

/**
 * Cap on the timed WebGPU batch runs (after the first one, which always
 * counts). A slow GPU rarely gets that far: see measureDevices' early stop.
 */
export const MEASURE_WEBGPU_BUDGET_MS = 1_500;

// ---------------------------------------------------------------------------
// Errors

function abortError(): Error {
  // The name is what crosses the worker boundary (serializeError keeps it).
  const e = new Error('The check was cancelled.');
  e.name = 'AbortError';
  return e;
}

// ---------------------------------------------------------------------------
// Pure helpers (exported for tests)

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

  private readonly modelIds: string[];

  constructor(
    modelIds: readonly string[],
    private readonly emit: (p: LoadProgress) => void,
  ) {
    this.modelIds = [...modelIds];
  }

  /**
   * Stops waiting for a model whose load failed but is not fatal (the WebGPU
   * candidate of device 'auto'): its bytes leave the sums, so the bar can
   * still reach 'loading' (it holds its place, never moving back).
   */
  giveUp(modelId: string): void {
    if (this.loadingReported || !this.modelIds.includes(modelId)) return;
    this.modelIds.splice(this.modelIds.indexOf(modelId), 1);
    for (const key of [...this.files.keys()]) if (key.startsWith(`${modelId}\u0000`)) this.files.delete(key);
    this.report();
  }

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

const defaultNow = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

// ---------------------------------------------------------------------------
// Device measurement ('auto')

export interface DeviceMeasurement {
  /** NLI pairs/s on each device. WebGPU: NaN when it failed while running. */
  pairsPerSecond: Record<OnnxDevice, number>;
  /** True when WebGPU was stopped after one timed pair because it could not win. */
  webgpuStoppedEarly: boolean;
  /** What WebGPU threw, when it failed while running. */
  webgpuError?: unknown;
  /** NLI pairs run on each device, untimed runs included. */
  pairsRun: Record<OnnxDevice, number>;
}

/**
 * Times the same NLI model on wasm and WebGPU. Per device: untimed runs first
 * (wasm tier-up, GPU shader compilation), then the median of MEASURE_REPS runs
 * of MEASURE_PAIRS. Order and caps:
 * 1. wasm runs MEASURE_PAIRS once, untimed for the result; that (still cold,
 *    so slow) time is the reference for 2.
 * 2. WebGPU runs MEASURE_PROBE_PAIR cold, then timed. If that one pair took
 *    more than the reference / WEBGPU_MIN_SPEEDUP, WebGPU cannot win (a batch
 *    of longer pairs never takes less than one short pair), so it stops there
 *    with 1 pair / that time as its rate: a device ~100× slower (SwiftShader)
 *    costs two single-pair calls, not minutes. Otherwise one untimed batch,
 *    then up to MEASURE_REPS timed batches while under MEASURE_WEBGPU_BUDGET_MS.
 *    The cold call can't be capped: it compiles the GPU shaders, and stopping
 *    to wait for a call in flight would leave it running against the wasm
 *    runs (onnxruntime-web's asyncify build is not reentrant).
 * 3. wasm's timed runs come last, so its tier-up had the longest to work.
 * A WebGPU error is returned (the caller falls back to wasm); a wasm error is thrown.
 */
export async function measureDevices(
  sessions: Readonly<Record<OnnxDevice, NliSession>>,
  clock: () => number = defaultNow,
  onStep: (fraction: number) => void = () => undefined,
): Promise<DeviceMeasurement> {
  const pairsRun: Record<OnnxDevice, number> = { wasm: 0, webgpu: 0 };
  const run = async (device: OnnxDevice, pairs: readonly NliPair[]): Promise<number> => {
    const t0 = clock();
    await sessions[device].logits(
      pairs.map((p) => p.premise),
      pairs.map((p) => p.hypothesis),
    );
    pairsRun[device] += pairs.length;
    // A clock can round a very fast call to 0 ms: count it as 1 µs.
    return Math.max(clock() - t0, 1e-3);
  };
  const rate = (pairs: number, ms: number) => (pairs * 1000) / ms;
  const one = [MEASURE_PROBE_PAIR];

  const referenceMs = await run('wasm', MEASURE_PAIRS);
  onStep(0.2);

  let webgpu = NaN;
  let webgpuStoppedEarly = false;
  let webgpuError: unknown;
  try {
    await run('webgpu', one);
    const oneMs = await run('webgpu', one);
    onStep(0.4);
    if (oneMs * WEBGPU_MIN_SPEEDUP > referenceMs) {
      webgpu = rate(1, oneMs);
      webgpuStoppedEarly = true;
    } else {
      await run('webgpu', MEASURE_PAIRS);
      const times: number[] = [];
      let spent = 0;
      while (times.length < MEASURE_REPS && (times.length === 0 || spent < MEASURE_WEBGPU_BUDGET_MS)) {
        const ms = await run('webgpu', MEASURE_PAIRS);
        times.push(ms);
        spent += ms;
      }
      webgpu = rate(MEASURE_PAIRS.length, median(times));
    }
  } catch (e) {
    webgpuError = e;
  }
  onStep(0.6);

  const times: number[] = [];
  for (let i = 0; i < MEASURE_REPS; i++) times.push(await run('wasm', MEASURE_PAIRS));
  onStep(1);
  return {
    pairsPerSecond: { wasm: rate(MEASURE_PAIRS.length, median(times)), webgpu },
    webgpuStoppedEarly,
    ...(webgpuError !== undefined ? { webgpuError } : {}),
    pairsRun,
  };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

interface Loaded {
  nli: NliSession;
  embedding: EmbeddingSession;
  columns: NliLabelColumns;
  result: CheckerLoadResult;
}

const WARMING_TEXT = 'Warming up the checker…';
const MEASURING_TEXT = 'Measuring the checker on the CPU and on WebGPU…';

export function createCheckerHandlers(runtime: CheckerRuntime): CheckerApi {
  const now = (): number => runtime.now?.() ?? defaultNow();
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

  type DevicePlan = { kind: 'decided'; decision: DeviceDecision } | { kind: 'measure'; adapter: string; key: string };

  /** Forced device, no adapter, or an earlier measurement with this key: decided. Else: measure. */
  async function planDevice(
    request: CheckerLoadRequest,
    threads: number,
    dtypeFor: (device: OnnxDevice) => OnnxDtype,
  ): Promise<DevicePlan> {
    const unmeasured = { pairsPerSecond: {}, adapter: null, threads, key: null, cached: false } as const;
    if (request.device !== 'auto') {
      return { kind: 'decided', decision: { ...unmeasured, device: request.device, basis: 'forced', reason: 'chosen in the settings' } };
    }
    const adapter = await runtime.webgpuAdapter().catch(() => null);
    if (!adapter) {
      return { kind: 'decided', decision: { ...unmeasured, device: 'wasm', basis: 'no-adapter', reason: 'no WebGPU adapter' } };
    }
    const key = deviceDecisionKey({
      nliModelId: request.nliModelId,
      dtypes: { wasm: dtypeFor('wasm'), webgpu: dtypeFor('webgpu') },
      adapter,
      threads,
    });
    const known = request.knownDecisions?.find((d) => isDeviceDecision(d) && d.basis === 'measured' && d.key === key);
    if (known) return { kind: 'decided', decision: { ...known, cached: true } };
    return { kind: 'measure', adapter, key };
  }

  async function disposeLoaded(): Promise<void> {
    const old = loaded;
    loaded = null;
    if (!old) return;
    await Promise.allSettled([old.nli.dispose(), old.embedding.dispose()]);
  }

  return {
    /**
     * Loads both models (replacing any loaded pair) on the requested device —
     * with 'auto', the one measured faster (see the file comment) — warms up,
     * resolves when ready.
     * @throws {ModelLoadError} when the NLI model has no contradiction/entailment labels;
     *   whatever the runtime throws on download / session failures (the client classifies it).
     *   A WebGPU failure while choosing a device is not thrown: 'auto' falls back to wasm.
     */
    load: (request: CheckerLoadRequest, ctx: RpcContext<LoadProgress>): Promise<CheckerLoadResult> =>
      exclusive(async () => {
        const started = now();
        await disposeLoaded();
        runtime.configure(request);
        const threads = runtime.threads();
        const dtypeFor = (device: OnnxDevice): OnnxDtype => request.dtype ?? defaultDtype(device);
        const plan = await planDevice(request, threads, dtypeFor);
        const loadPlanned = async (devicePlan: DevicePlan): Promise<CheckerLoadResult> => {
          const measuring = devicePlan.kind === 'measure';
          const firstDevice: OnnxDevice = devicePlan.kind === 'decided' ? devicePlan.decision.device : 'wasm';
          const spec = (modelId: string, device: OnnxDevice): RuntimeModelRequest => ({
            modelId,
            source: request.source,
            device,
            dtype: dtypeFor(device),
          });
          const gpuKey = `${request.nliModelId} on WebGPU`;
          const aggregator = new CheckerProgressAggregator(
            measuring ? [request.nliModelId, request.embeddingModelId, gpuKey] : [request.nliModelId, request.embeddingModelId],
            (p) => ctx.progress(p),
          );
          const [nliResult, embedResult, gpuResult] = await Promise.allSettled([
            runtime.loadNli(spec(request.nliModelId, firstDevice), (info) => aggregator.handle(request.nliModelId, info)),
            runtime.loadEmbedding(spec(request.embeddingModelId, firstDevice), (info) =>
              aggregator.handle(request.embeddingModelId, info),
            ),
            // The WebGPU candidate downloads alongside the others, under the same bar.
            measuring
              ? runtime.loadNli(spec(request.nliModelId, 'webgpu'), (info) => aggregator.handle(gpuKey, info)).catch((e: unknown) => {
                  aggregator.giveUp(gpuKey);
                  throw e;
                })
              : Promise.resolve(null),
          ]);
          // Every session this load opened that is not kept or closed yet: closed on failure.
          const open = new Set<NliSession | EmbeddingSession>();
          for (const r of [nliResult, embedResult, gpuResult]) if (r.status === 'fulfilled' && r.value) open.add(r.value);
          const closeAll = () => Promise.allSettled([...open].map((s) => s.dispose()));
          const close = async (session: NliSession | EmbeddingSession) => {
            open.delete(session);
            await session.dispose().catch(() => undefined);
          };
          if (nliResult.status === 'rejected' || embedResult.status === 'rejected') {
            await closeAll();
            throw nliResult.status === 'rejected' ? nliResult.reason : (embedResult as PromiseRejectedResult).reason;
          }
          let nli = nliResult.value;
          let embedding = embedResult.value;
          try {
            const columns = labelColumns(nli.id2label);
            const warmStarted = now();
            // While measuring, the measurement is the first half of the warming bar.
            const warmFrom = measuring ? 0.5 : 0;
            ctx.progress({ phase: 'warming', progress: 0, text: measuring ? MEASURING_TEXT : WARMING_TEXT });
            let decision: DeviceDecision;
            if (devicePlan.kind === 'decided') {
              decision = devicePlan.decision;
            } else {
              const gpuNli = gpuResult.status === 'fulfilled' ? gpuResult.value : null;
              const failed = (e: unknown, pairsPerSecond: DeviceDecision['pairsPerSecond'] = {}): DeviceDecision => ({
                device: 'wasm',
                basis: 'webgpu-failed',
                reason: `WebGPU could not run the checker (${errorText(e)})`,
                pairsPerSecond,
                adapter: devicePlan.adapter,
                threads,
                key: null,
                cached: false,
              });
              if (!gpuNli) {
                decision = failed((gpuResult as PromiseRejectedResult).reason);
              } else {
                const m = await measureDevices({ wasm: nli, webgpu: gpuNli }, now, (f) =>
                  ctx.progress({ phase: 'warming', progress: f * warmFrom, text: MEASURING_TEXT }),
                );
                const pps = m.pairsPerSecond;
                decision =
                  m.webgpuError !== undefined
                    ? failed(m.webgpuError, { wasm: pps.wasm })
                    : {
                        device: fasterDevice(pps),
                        basis: 'measured',
                        reason:
                          `measured: wasm ${formatPairsPerSecond(pps.wasm)} pairs/s, WebGPU ${formatPairsPerSecond(pps.webgpu)} pairs/s` +
                          (m.webgpuStoppedEarly ? ' (WebGPU stopped after one pair: it could not win)' : ''),
                        pairsPerSecond: pps,
                        adapter: devicePlan.adapter,
                        threads,
                        key: devicePlan.key,
                        cached: false,
                        measuredAt: Date.now(),
                      };
                if (decision.device === 'webgpu') {
                  // The embedding model follows the NLI winner: same kind of
                  // encoder on short texts, so the same device wins, and it runs
                  // a few texts per turn (cached) against the NLI model's dozens
                  // of pairs per sentence; measuring it too would double the
                  // time and downloads of a choice the NLI numbers already make.
                  ctx.progress({ phase: 'warming', progress: warmFrom, text: 'Loading the embedding model on WebGPU…' });
                  try {
                    const gpuEmbedding = await runtime.loadEmbedding(spec(request.embeddingModelId, 'webgpu'), () => undefined);
                    open.add(gpuEmbedding);
                    await close(nli);
                    await close(embedding);
                    nli = gpuNli;
                    embedding = gpuEmbedding;
                  } catch (e) {
                    decision = failed(e, pps);
                  }
                }
                if (decision.device === 'wasm') await close(gpuNli);
              }
            }
            const candidate: Loaded = {
              nli,
              embedding,
              columns,
              result: {
                nliModelId: request.nliModelId,
                embeddingModelId: request.embeddingModelId,
                device: decision.device,
                dtype: dtypeFor(decision.device),
                deviceDecision: decision,
                labelColumns: columns,
                embeddingDim: 0,
                threads,
                loadMs: 0,
                warmUpMs: 0,
              },
            };
            const rounds = request.warmUp === false ? 0 : WARM_UP_ROUNDS;
            // The embedding dimension comes from one real call, warm-up or not.
            const [probe] = await runEmbed(candidate, ['Warm-up sentence for the embedding model.']);
            candidate.result.embeddingDim = probe!.length;
            for (let round = 0; round < rounds; round++) {
              await runNli(candidate, WARM_UP_PAIRS);
              if (round > 0) await runEmbed(candidate, WARM_UP_PAIRS.map((p) => p.premise));
              ctx.progress({ phase: 'warming', progress: warmFrom + ((1 - warmFrom) * (round + 1)) / rounds, text: WARMING_TEXT });
            }
            const end = now();
            candidate.result.warmUpMs = end - warmStarted;
            candidate.result.loadMs = end - started;
            loaded = candidate;
            return candidate.result;
          } catch (e) {
            await closeAll();
            throw e;
          }
        };
        try {
          return await loadPlanned(plan);
        } catch (e) {
          // WebGPU measured faster before but no longer loads or runs (a new
          // driver, a lost device): fall back to wasm rather than fail.
          if (plan.kind !== 'decided' || !plan.decision.cached || plan.decision.device !== 'webgpu') throw e;
          return loadPlanned({
            kind: 'decided',
            decision: {
              device: 'wasm',
              basis: 'webgpu-failed',
              reason: `WebGPU could not run the checker (${errorText(e)})`,
              pairsPerSecond: {},
              adapter: plan.decision.adapter,
              threads,
              key: null,
              cached: false,
            },
          });
        }
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

