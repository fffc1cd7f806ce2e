/**
 * Picks the engine: WebLLM when a real WebGPU adapter exists, transformers.js
 * otherwise, with a user override; and says which failures of the GPU engine
 * the CPU engine would not share (the engine store offers to continue on it).
 * The fallback is an ordinary engine behind the same interface.
 */
import type { EngineKind } from './ChatEngine';
import type { WebGpuDetection } from './detect';
import { classifyEngineError, type ModelLoadError } from './errors';
import { TransformersEngine, type TransformersEngineOptions } from './TransformersEngine';

export type EnginePreference = 'auto' | EngineKind;

export interface EngineChoice {
  kind: EngineKind;
  /** Plain words for the UI ("Using your graphics card", "WebGPU is off: …"). */
  reason: string;
  detection: WebGpuDetection;
}

/**
 * server: the OpenAI-compatible server engine (never chosen by detection).
 * auto: any WebGPU adapter → webllm (the studio's main path); none →
 * transformers. A software adapter (SwiftShader, WARP) still takes the WebLLM
 * path, with a reason that says the CPU engine may be faster there — the user
 * can switch. 'webllm' is honoured only when an adapter exists.
 */
export function chooseEngineKind(detection: WebGpuDetection, preference: EnginePreference = 'auto'): EngineChoice {
  // Only ever by the writer's choice: 'auto' never sends anything to a server.
  if (preference === 'server') {
    return { kind: 'server', reason: 'Server engine selected: replies come from the server you configured below; the consistency checker still runs in this browser.', detection };
  }
  if (preference === 'transformers') {
    return { kind: 'transformers', reason: 'CPU engine selected in settings.', detection };
  }
  if (!detection.available) {
    const prefix = preference === 'webllm' ? 'The GPU engine was requested, but ' : '';
    return { kind: 'transformers', reason: `${prefix}${detection.explanation} Using the CPU engine.`, detection };
  }
  if (detection.adapterInfo.isFallbackAdapter) {
    return {
      kind: 'webllm',
      reason: 'WebGPU is available, but only through a software adapter (no graphics card in use). GPU models will be slow; the CPU engine may be faster here.',
      detection,
    };
  }
  if (preference === 'webllm') {
    return { kind: 'webllm', reason: 'GPU engine selected in settings.', detection };
  }
  return { kind: 'webllm', reason: 'Using your graphics card (WebGPU).', detection };
}

/** The CPU engine, told about f16 support in case it is pointed at WebGPU. */
export function createTransformersEngine(detection: WebGpuDetection | null, options: TransformersEngineOptions = {}): TransformersEngine {
  return new TransformersEngine({
    hasF16: detection?.available ? detection.hasF16 : false,
    ...options,
  });
}

/** Load failures that another engine may not have (GPU-side), vs ones it would share (network, cancel). */
export function shouldFallBack(error: unknown): boolean {
  const e = classifyEngineError(error, 'load');
  switch (e.name) {
    case 'WebGpuUnavailableError':
    case 'GpuDeviceLostError':
    case 'OutOfMemoryError':
    case 'WorkerCrashedError':
    case 'WorkerStalledError':
      return true;
    case 'ModelLoadError':
      return (e as ModelLoadError).reason === 'unsupported';
    default:
      return false;
  }
}
