/**
 * The chat engines' shared vocabulary (messages in, a reply out) and the API
 * of the transformers.js chat worker (workers/transformers-chat.worker.ts),
 * which engines/TransformersEngine.ts calls through the typed RPC.
 */
import type { FinishReason, SamplingSettings } from '../domain/chat';
import type { OnnxDevice, OnnxDtype } from '../domain/models/catalog';
import type { LoadProgress, ModelSource } from './loading';
import type { RpcContext } from './rpc';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateRequest {
  messages: ChatMessage[];
  sampling: SamplingSettings;
  /** Strings that end the reply; never part of the returned text. */
  stop: string[];
}

export interface GenerateUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface GenerateTimings {
  /** From the call to the first delta. */
  timeToFirstTokenMs?: number;
  totalMs: number;
  /** Completion tokens per second over the decode phase, when known. */
  decodeTokensPerSecond?: number;
}

export interface GenerateResult {
  text: string;
  /** 'stop' (EOS or stop string), 'length' (maxTokens), 'abort' (interrupted). */
  finishReason: FinishReason;
  usage: GenerateUsage;
  timings?: GenerateTimings;
}

// ---------------------------------------------------------------------------
// The transformers.js chat worker

export interface TransformersLoadRequest {
  modelId: string;
  /** Each dtype maps to one onnx file name (see ModelSource). */
  dtype: OnnxDtype;
  device: OnnxDevice;
  source: ModelSource;
  /** Warm-up generation length (default 4); 0 skips warm-up. */
  warmUpTokens?: number;
}

export interface TransformersLoadResult {
  modelId: string;
  dtype: OnnxDtype;
  device: OnnxDevice;
  loadMs: number;
}

/** One streamed piece of the reply (progress of `generate`). */
export interface DeltaProgress {
  text: string;
}

/**
 * The worker's handler map (workers/transformersChatHandlers.ts implements it).
 * @throws ModelNotLoadedError from generate / countTokens before a load.
 */
export type TransformersChatApi = {
  /** Loads (replacing any loaded model), warms up, resolves when ready. */
  load(request: TransformersLoadRequest, ctx: RpcContext<LoadProgress>): Promise<TransformersLoadResult>;
  /** Streams deltas as progress; resolves with the whole reply. */
  generate(request: GenerateRequest, ctx: RpcContext<DeltaProgress>): Promise<GenerateResult>;
  countTokens(text: string): Promise<number>;
  unload(_: null): Promise<void>;
  status(_: null): Promise<TransformersLoadResult | null>;
};
