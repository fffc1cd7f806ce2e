/**
 * Named engine errors. Every error that reaches the UI from an engine is one of
 * these, so the UI can branch on `instanceof` (or `name`) and show
 * `userMessage` without parsing strings.
 *
 * IMPORTANT: `name` is a string literal on each class, never `new.target.name`:
 * minifiers rename classes, and the name crosses worker boundaries.
 */

/** What crosses a worker boundary: never an Error object, never `toString()`. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  cause?: SerializedError;
}

/** Base class: a technical `message` plus a plain-words `userMessage`. */
export class EngineError extends Error {
  override name: string = 'EngineError';
  readonly userMessage: string;
  constructor(message: string, options: { cause?: unknown; userMessage?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.userMessage = options.userMessage ?? message;
  }
}

export class WebGpuUnavailableError extends EngineError {
  override name = 'WebGpuUnavailableError';
  constructor(message = 'WebGPU is not available in this browser.', options: { cause?: unknown; userMessage?: string } = {}) {
    super(message, {
      userMessage:
        'This browser cannot use the graphics card (WebGPU). You can continue on the slower CPU engine (Models → Continue on CPU).',
      ...options,
    });
  }
}

export type ModelLoadFailure = 'network' | 'not-found' | 'storage-full' | 'unsupported' | 'unknown';

export class ModelLoadError extends EngineError {
  override name = 'ModelLoadError';
  readonly reason: ModelLoadFailure;
  constructor(message: string, options: { cause?: unknown; userMessage?: string; reason?: ModelLoadFailure } = {}) {
    super(message, options);
    this.reason = options.reason ?? 'unknown';
  }
}

export class ModelDownloadCancelledError extends EngineError {
  override name = 'ModelDownloadCancelledError';
  constructor(message = 'Model download cancelled.', options: { cause?: unknown } = {}) {
    super(message, { userMessage: 'Download cancelled.', ...options });
  }
}

export class WorkerCrashedError extends EngineError {
  override name = 'WorkerCrashedError';
  constructor(message = 'The model worker stopped unexpectedly.', options: { cause?: unknown; userMessage?: string } = {}) {
    super(message, {
      userMessage: 'The model stopped unexpectedly (the browser may have run out of memory). Load it again to continue.',
      ...options,
    });
  }
}

/**
 * The worker sent nothing at all (no reply, progress or pong) for too long
 * while calls were pending, so it was presumed killed or hung and terminated.
 * A WorkerCrashedError, so every path that offers "load the model again" (and
 * the GPU → CPU fallback) treats it like a crash.
 */
export class WorkerStalledError extends WorkerCrashedError {
  override name = 'WorkerStalledError';
  /** How long the worker was silent, when known (not after crossing a worker boundary). */
  readonly silentMs: number | undefined;
  constructor(message?: string, options: { cause?: unknown; silentMs?: number } = {}) {
    const seconds = options.silentMs === undefined ? undefined : Math.round(options.silentMs / 1000);
    const forWhat = seconds === undefined ? '' : ` for ${seconds} s`;
    super(message ?? `The worker sent nothing${forWhat} while calls were pending (killed or hung).`, {
      cause: options.cause,
      userMessage: `The model worker stopped responding${forWhat}; it was stopped. Reload the model to continue. Your chat is saved.`,
    });
    this.silentMs = options.silentMs;
  }
}

export class GpuDeviceLostError extends EngineError {
  override name = 'GpuDeviceLostError';
  constructor(message = 'The WebGPU device was lost.', options: { cause?: unknown } = {}) {
    super(message, {
      userMessage:
        'The graphics card was reset, usually because the model needs more memory than it has. Try a smaller model.',
      ...options,
    });
  }
}

export class OutOfMemoryError extends EngineError {
  override name = 'OutOfMemoryError';
  constructor(message = 'Out of memory.', options: { cause?: unknown } = {}) {
    super(message, {
      userMessage: 'Not enough memory for this model. Close other tabs or pick a smaller model.',
      ...options,
    });
  }
}

export class GenerationInterruptedError extends EngineError {
  override name = 'GenerationInterruptedError';
  /** Text produced before the interruption (may be empty). */
  readonly partialText: string;
  constructor(message = 'Generation was interrupted.', options: { cause?: unknown; partialText?: string } = {}) {
    super(message, { userMessage: 'Generation stopped.', cause: options.cause });
    this.partialText = options.partialText ?? '';
  }
}

/** A worker threw an error whose name we don't know; keeps the remote name. */
export class RemoteError extends Error {
  override name: string;
  constructor(name: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

/** Turns anything thrown into the wire format. Strings (as WebLLM throws) keep "Name: message". */
export function serializeError(e: unknown, depth = 0): SerializedError {
  if (e instanceof Error || (typeof e === 'object' && e !== null && 'message' in e)) {
    const err = e as Error;
    const out: SerializedError = { name: String(err.name || 'Error'), message: String(err.message) };
    if (typeof err.stack === 'string') out.stack = err.stack;
    if (depth < 2 && err.cause !== undefined) out.cause = serializeError(err.cause, depth + 1);
    return out;
  }
  const parsed = parseNamedMessage(String(e));
  return parsed;
}

const KNOWN: Record<string, (s: SerializedError, cause: unknown) => Error> = {
  EngineError: (s, cause) => new EngineError(s.message, { cause }),
  WebGpuUnavailableError: (s, cause) => new WebGpuUnavailableError(s.message, { cause }),
  ModelLoadError: (s, cause) => new ModelLoadError(s.message, { cause }),
  ModelDownloadCancelledError: (s, cause) => new ModelDownloadCancelledError(s.message, { cause }),
  WorkerCrashedError: (s, cause) => new WorkerCrashedError(s.message, { cause }),
  WorkerStalledError: (s, cause) => new WorkerStalledError(s.message, { cause }),
  GpuDeviceLostError: (s, cause) => new GpuDeviceLostError(s.message, { cause }),
  OutOfMemoryError: (s, cause) => new OutOfMemoryError(s.message, { cause }),
  GenerationInterruptedError: (s, cause) => new GenerationInterruptedError(s.message, { cause }),
};

/** Rebuilds a real Error subclass from the wire format (known names → our classes). */
export function reviveError(s: SerializedError): Error {
  const cause = s.cause ? reviveError(s.cause) : undefined;
  const make = KNOWN[s.name];
  const err = make ? make(s, cause) : new RemoteError(s.name, s.message, cause === undefined ? undefined : { cause });
  if (s.stack) err.stack = s.stack;
  return err;
}

/** "DeviceLostError: The WebGPU device…" → {name, message}; plain text → name 'Error'. */
function parseNamedMessage(text: string): SerializedError {
  const m = /^([A-Z]\w*(?:Error|Exception)): ([\s\S]*)$/.exec(text);
  return m ? { name: m[1]!, message: m[2]! } : { name: 'Error', message: text };
}

function describe(e: unknown): SerializedError {
  return serializeError(e);
}

/**
 * Maps a raw failure (Error, DOMException, WebLLM's "Name: message" strings,
 * transformers.js fetch errors) to one of the named errors above, with a
 * user-facing message. Errors that are already EngineErrors pass through.
 *
 * @param context what was happening: decides what an AbortError or an
 *   unrecognised failure becomes.
 */
export function classifyEngineError(e: unknown, context: 'load' | 'generate' = 'load'): EngineError {
  if (e instanceof EngineError) return e;
  const { name, message } = describe(e);
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
