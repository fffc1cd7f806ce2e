/**
 * The one interface every chat engine implements (WebLLM on WebGPU,
 * transformers.js on CPU/wasm, an OpenAI-compatible server). Callers never know which one they hold,
 * beyond `kind` for display.
 */
import type { GenerateRequest, GenerateResult } from '../protocol/chat';
import type { LoadProgress } from '../protocol/loading';
import type { EngineError } from './errors';

// What crosses the worker boundary is defined in protocol/; re-exported so the
// layers above engines/ import the chat vocabulary from one place.
export type { ChatMessage, GenerateRequest, GenerateResult, GenerateTimings, GenerateUsage } from '../protocol/chat';
export type { LoadProgress } from '../protocol/loading';

/** 'server': an OpenAI-compatible server the writer runs (OpenAiEngine). */
export type EngineKind = 'webllm' | 'transformers' | 'server';

export interface LoadOptions {
  onProgress?: (progress: LoadProgress) => void;
  /** Aborting cancels the load: the worker is terminated (cancel = kill for loads). */
  signal?: AbortSignal;
}

export interface GenerateOptions {
  /** Every new piece of text, in order. Not throttled: batch rendering on your side. */
  onDelta?: (text: string) => void;
  /** Aborting is the same as `interrupt()` (once: cooperative). */
  signal?: AbortSignal;
}

export type EngineStatus =
  | { state: 'absent' }
  | { state: 'downloading'; modelId: string; progress: LoadProgress }
  | { state: 'loading'; modelId: string; progress: LoadProgress }
  | { state: 'warming'; modelId: string; progress: LoadProgress }
  | { state: 'ready'; modelId: string }
  | { state: 'busy'; modelId: string }
  | { state: 'error'; modelId: string | null; error: EngineError };

export type EngineState = EngineStatus['state'];

export interface ChatEngine {
  readonly kind: EngineKind;
  /** Current status; a new object on every change (safe for useSyncExternalStore). */
  readonly status: EngineStatus;
  /** @returns unsubscribe. The listener gets every status change. */
  subscribe(listener: (status: EngineStatus) => void): () => void;

  /**
   * Downloads (or reads from cache), loads and warms up `modelId`. Replaces any
   * loaded model.
   * @throws ModelDownloadCancelledError when `signal` aborts.
   * @throws ModelLoadError | WebGpuUnavailableError | GpuDeviceLostError | OutOfMemoryError | WorkerCrashedError
   */
  load(modelId: string, options?: LoadOptions): Promise<void>;

  /**
   * Generates a reply. An interrupted reply resolves with finishReason 'abort'
   * and the text so far.
   * @throws EngineError subclasses (GpuDeviceLostError, WorkerCrashedError, …);
   *   GenerationInterruptedError (with `partialText`) when a second interrupt
   *   had to terminate the worker.
   */
  generate(request: GenerateRequest, options?: GenerateOptions): Promise<GenerateResult>;

  /**
   * Stops the current generation. First call: cooperative (the model stops at
   * the next token). Second call while it is still running: the worker is
   * terminated and the model must be loaded again (status → absent).
   */
  interrupt(): void;

  /** Frees the model (status → absent). The worker stays for the next load. */
  unload(): Promise<void>;

  /**
   * Whether `modelId`'s files are kept in the browser (so the next load needs
   * no download), for engines that can tell. A model can load but not be
   * stored when the browser is out of space.
   */
  isModelStored?(modelId: string): Promise<boolean>;

  /**
   * The context window (tokens) this engine fits prompts into, when it sets
   * one (the server engine: the writer's setting). Chat turns trim history
   * to the smaller of this and the chat's own context size.
   */
  readonly contextSize?: number;

  /** Token count with the loaded model's tokenizer, when the engine can tell. */
  countTokens?(text: string): Promise<number>;

  /** Terminates the worker; the engine can't be used afterwards. */
  dispose(): void;
}
