/**
 * Picks the engine: WebLLM when a real WebGPU adapter exists, transformers.js
 * otherwise, with a user override — and falls back to transformers.js when a
 * WebLLM load fails for GPU reasons. The fallback is an ordinary engine
 * behind the same interface, not a special case in the UI.
 */
import type { ChatEngine, EngineKind, LoadOptions } from './ChatEngine';
import { detectWebGpu, type WebGpuDetection } from './detect';
import { classifyEngineError, type EngineError, type ModelLoadError } from './errors';
import { TransformersEngine, type TransformersEngineOptions } from './TransformersEngine';
import { WebLlmEngine, type WebLlmEngineOptions } from './WebLlmEngine';

export type EnginePreference = 'auto' | EngineKind;

export interface EngineChoice {
  kind: EngineKind;
  /** Plain words for the UI ("Using your graphics card", "WebGPU is off: …"). */
  reason: string;
  detection: WebGpuDetection;
}

/**
 * auto: any WebGPU adapter → webllm (the studio's main path); none →
 * transformers. A software adapter (SwiftShader, WARP) still takes the WebLLM
 * path, with a reason that says the CPU engine may be faster there — the user
 * can switch. 'webllm' is honoured only when an adapter exists.
 */
export function chooseEngineKind(detection: WebGpuDetection, preference: EnginePreference = 'auto'): EngineChoice {
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

export interface CreateEngineOptions {
  preference?: EnginePreference;
  /** Pass a detection you already have; otherwise detectWebGpu() runs. */
  detection?: WebGpuDetection;
  webllm?: WebLlmEngineOptions;
  transformers?: TransformersEngineOptions;
}

/** Detects (unless given), chooses and constructs an engine. No model is loaded. */
export async function createEngine(options: CreateEngineOptions = {}): Promise<EngineChoice & { engine: ChatEngine }> {
  const detection = options.detection ?? (await detectWebGpu());
  const choice = chooseEngineKind(detection, options.preference);
  const engine = choice.kind === 'webllm' ? new WebLlmEngine(options.webllm) : createTransformersEngine(detection, options.transformers);
  return { ...choice, engine };
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

export interface FallbackResult {
  engine: ChatEngine;
  modelId: string;
  /** Set when the first engine failed and the fallback took over. */
  fellBackFrom?: EngineError;
}

/**
 * Loads `models[engine.kind]`; when a WebLLM load fails for a GPU reason,
 * disposes it and loads `models.transformers` on a fresh CPU engine.
 * @throws the original error when no fallback applies, or the fallback's error.
 */
export async function loadWithFallback(
  engine: ChatEngine,
  models: { webllm: string; transformers: string },
  options: LoadOptions = {},
  makeFallback: () => ChatEngine = () => createTransformersEngine(null),
): Promise<FallbackResult> {
  try {
    await engine.load(models[engine.kind], options);
    return { engine, modelId: models[engine.kind] };
  } catch (e) {
    if (engine.kind !== 'webllm' || !shouldFallBack(e) || options.signal?.aborted) throw e;
    engine.dispose();
    const fallback = makeFallback();
    await fallback.load(models.transformers, options);
    return { engine: fallback, modelId: models.transformers, fellBackFrom: classifyEngineError(e, 'load') };
  }
}
