/**
 * Main-thread side of the engine errors: `classifyEngineError` turns whatever
 * a load or a generation threw (an Error, a DOMException, WebLLM's
 * "Name: message" strings, a revived worker error) into one of the named
 * classes with its user-facing wording. The classes themselves and their wire
 * format live in protocol/errors.ts (workers construct them too); they are
 * re-exported here so the layers above engines/ have one place to import from.
 */
import {
  EngineError,
  GenerationInterruptedError,
  GpuDeviceLostError,
  ModelDownloadCancelledError,
  ModelLoadError,
  OutOfMemoryError,
  WebGpuUnavailableError,
  WorkerCrashedError,
  WorkerStalledError,
  serializeError,
} from '../protocol/errors';

export * from '../protocol/errors';

/**
 * Maps a raw failure (Error, DOMException, WebLLM's "Name: message" strings,
 * transformers.js fetch errors) to one of the named errors (protocol/errors.ts), with a
 * user-facing message. Errors that are already EngineErrors pass through.
 *
 * @param context what was happening: decides what an AbortError or an
 *   unrecognised failure becomes.
 */
export function classifyEngineError(e: unknown, context: 'load' | 'generate' = 'load'): EngineError {
  if (e instanceof EngineError) return e;
  const { name, message } = serializeError(e);
  const text = `${name}: ${message}`;

  if (name === 'AbortError' || /\bAbortError\b/.test(text)) {
    return context === 'load'
      ? new ModelDownloadCancelledError(message, { cause: e })
      : new GenerationInterruptedError(message, { cause: e });
  }
  if (/DeviceLost|device (?:was |is )?lost|GPUDeviceLostInfo/i.test(text)) {
    return new GpuDeviceLostError(message, { cause: e });
  }
  if (/QuotaExceeded|quota (?:has been )?exceeded|\bquota\b/i.test(text)) {
    return new ModelLoadError(message, {
      cause: e,
      reason: 'storage-full',
      userMessage: 'Not enough storage space to save the model. Free some space or delete cached models.',
    });
  }
  if (/out of memory|\bOOM\b|bad_alloc|allocation failed|failed to allocate|Aborted\(OOM\)|could not allocate/i.test(text)) {
    return new OutOfMemoryError(message, { cause: e });
  }
  if (/WebGPUNotAvailable|WebGPUNotFound|WebGPU is not supported|Cannot find WebGPU|no (?:WebGPU )?adapter/i.test(text)) {
    return new WebGpuUnavailableError(message, { cause: e });
  }
  if (/Failed to fetch|NetworkError|Load failed|network error|ERR_INTERNET|ERR_NAME_NOT_RESOLVED|ERR_CONNECTION/i.test(text)) {
    return new ModelLoadError(message, {
      cause: e,
      reason: 'network',
      userMessage: 'Could not download the model. Check the internet connection and try again.',
    });
  }
  // "Failed to execute 'add' on 'Cache': Request failed" is how WebLLM's Cache
  // Storage backend reports a non-OK response (404/403) for a model file.
  if (
    context === 'load' &&
    /ModelFileNotFound|Could not locate file|\b404\b|not found|on 'Cache': Request failed/i.test(text)
  ) {
    return new ModelLoadError(message, {
      cause: e,
      reason: 'not-found',
      userMessage: 'Some model files could not be downloaded from the server (missing or refused).',
    });
  }
  if (/ShaderF16Support|shader-f16|FeatureSupportError|maxStorageBufferBindingSize|maxBufferSize|exceeds limit/i.test(text)) {
    return new ModelLoadError(message, {
      cause: e,
      reason: 'unsupported',
      userMessage: 'This graphics card cannot run this model build. Try the q4f32 variant or a smaller model.',
    });
  }
  if (name === 'WorkerStalledError') return new WorkerStalledError(message, { cause: e });
  if (name === 'WorkerCrashedError') return new WorkerCrashedError(message, { cause: e });
  if (context === 'load') {
    return new ModelLoadError(message, { cause: e, userMessage: `The model failed to load: ${message}` });
  }
  return new EngineError(message, { cause: e, userMessage: `Generation failed: ${message}` });
}
