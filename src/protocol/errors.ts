/**
 * The named errors that cross a worker boundary, and their wire format. Both
 * sides construct them (a worker throws ModelLoadError, the main side
 * WorkerCrashedError), so they live here, where workers/ and engines/ may both
 * import them. Every error that reaches the UI from an engine is one of these,
 * so the UI can branch on `instanceof` (or `name`) and show `userMessage`
 * without parsing strings. Turning a raw failure into one of them
 * (`classifyEngineError`) is main-thread work: engines/errors.ts.
 *
 * IMPORTANT: `name` is a string literal on each class, never `new.target.name`:
 * minifiers rename classes, and the name crosses worker boundaries. A class
 * missing from KNOWN below comes back as a RemoteError that keeps the name.
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

/** A call reached the consistency checker worker before its models were loaded. */
export class CheckerNotLoadedError extends EngineError {
  override name = 'CheckerNotLoadedError';
  constructor(message = 'The consistency checker models are not loaded.') {
    super(message, { userMessage: 'Load the consistency checker first.' });
  }
}

/** A call reached the chat worker before a model was loaded. */
export class ModelNotLoadedError extends EngineError {
  override name = 'ModelNotLoadedError';
  constructor(message = 'No model is loaded.') {
    super(message, { userMessage: 'Load a model first.' });
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
  CheckerNotLoadedError: (s) => new CheckerNotLoadedError(s.message),
  ModelNotLoadedError: (s) => new ModelNotLoadedError(s.message),
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
