/**
 * The API of the consistency checker worker (workers/checker.worker.ts), which
 * engines/CheckerClient.ts calls through the typed RPC: an NLI cross-encoder
 * (premise = persona statement, hypothesis = reply sentence) and a
 * sentence-embedding model (relevance of a statement to the user's turn,
 * sentence ↔ statement similarity for pruning).
 */
import type { OnnxDevice, OnnxDtype } from '../domain/models/catalog';
import type { CheckerDevicePreference, DeviceDecision } from '../domain/models/deviceChoice';
import type { LoadProgress, ModelSource } from './loading';
import type { RpcContext } from './rpc';

export interface CheckerLoadRequest {
  /** NLI cross-encoder, e.g. `Xenova/nli-deberta-v3-xsmall`. Labels are read from its `id2label`. */
  nliModelId: string;
  /** Sentence-embedding model (mean pooling + L2 normalisation), e.g. `Xenova/all-MiniLM-L6-v2`. */
  embeddingModelId: string;
  /** Same layouts as the chat engines: Hugging Face, or `<baseUrl>/<modelId>/<file>` (absolute URL). */
  source: ModelSource;
  /** 'auto' measures which device is faster; 'wasm' / 'webgpu' force a device and measure nothing. */
  device: CheckerDevicePreference;
  /**
   * Default: defaultDtype(device). With 'auto', leave it unset so each device
   * is measured with the dtype it would run.
   */
  dtype?: OnnxDtype;
  /**
   * Earlier 'auto' decisions (any models or machines): one whose key matches
   * this load is reused instead of measuring again.
   */
  knownDecisions?: readonly DeviceDecision[];
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

export interface NliLabelColumns {
  contradiction: number;
  entailment: number;
  /** −1 for two-label models (entailment / not-entailment style); then neutral = 1 − c − e. */
  neutral: number;
}

export interface CheckerLoadResult {
  nliModelId: string;
  embeddingModelId: string;
  /** The device both models run on. */
  device: OnnxDevice;
  dtype: OnnxDtype;
  /** Why that device: forced, no adapter, measured (now or earlier), or WebGPU failed. */
  deviceDecision: DeviceDecision;
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

/** The dtype a device runs when the request names none. */
export function defaultDtype(device: OnnxDevice): OnnxDtype {
  // q8 is the default on wasm (and was faster than WebGPU for this model
  // class, NOTES.md); quantised int8 kernels are a poor fit for WebGPU.
  return device === 'webgpu' ? 'fp32' : 'q8';
}

/**
 * The worker's handler map (workers/checker/handlers.ts implements it).
 * @throws CheckerNotLoadedError from nli / embed before a load; an AbortError when cancelled.
 */
export type CheckerApi = {
  /**
   * Loads both models (replacing any loaded pair) on the requested device —
   * with 'auto', the one measured faster — warms up, resolves when ready.
   */
  load(request: CheckerLoadRequest, ctx: RpcContext<LoadProgress>): Promise<CheckerLoadResult>;
  /** NLI probabilities per pair, in input order. */
  nli(payload: { pairs: NliPair[] }, ctx: RpcContext<never>): Promise<NliProbs[]>;
  /**
   * Mean-pooled, L2-normalised embeddings, in input order. Each vector owns its
   * buffer, which the worker transfers (never copies).
   */
  embed(payload: { texts: string[] }, ctx: RpcContext<never>): Promise<Float32Array[]>;
  unload(_: null): Promise<void>;
  status(_: null): Promise<CheckerLoadResult | null>;
};
