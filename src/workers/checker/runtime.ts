/**
 * What the checker's handlers need from transformers.js, as a small
 * interface: the real implementation is transformersRuntime.ts (tokenizers
 * and ONNX sessions inside the worker); unit tests pass the stub of
 * src/test/stubCheckerRuntime.ts. Nothing else in workers/checker/ imports
 * transformers.js, so it all runs in Node.
 */
import type { OnnxDevice, OnnxDtype } from '../../domain/models/catalog';
import type { CheckerLoadRequest } from '../../protocol/checker';
import type { ModelSource } from '../../protocol/loading';
import type { RuntimeProgress } from '../loadProgress';

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
  loadNli(request: RuntimeModelRequest, onProgress: (info: RuntimeProgress) => void): Promise<NliSession>;
  loadEmbedding(request: RuntimeModelRequest, onProgress: (info: RuntimeProgress) => void): Promise<EmbeddingSession>;
  /** Threads onnxruntime-web will use (for the load result). */
  threads(): number;
}

/** The runtime's clock, else `performance.now` (Date.now where there is none). */
export function runtimeClock(runtime: CheckerRuntime): () => number {
  return () => runtime.now?.() ?? (typeof performance !== 'undefined' ? performance.now() : Date.now());
}
