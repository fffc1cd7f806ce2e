/**
 * The transformers.js chat worker's API, as plain functions over a small
 * injected runtime (the real one wraps `pipeline('text-generation')`, see
 * transformersRuntime.ts; tests pass a stub). Everything here is free of
 * transformers.js so it runs in Node unit tests.
 *
 * Lifecycle per load: files download (progress aggregated in bytes across
 * files) → sessions are created (loading) → a warm-up generation of a few
 * tokens (warming) → the load call resolves (ready).
 */
import type { FinishReason } from '../domain/chat';
import { StopStringFilter } from '../domain/text/stopStrings';
import type {
  ChatMessage,
  DeltaProgress,
  GenerateRequest,
  GenerateResult,
  TransformersChatApi,
  TransformersLoadRequest,
  TransformersLoadResult,
} from '../protocol/chat';
import { ModelNotLoadedError } from '../protocol/errors';
import type { LoadProgress } from '../protocol/loading';
import type { RpcContext } from '../protocol/rpc';

// ---------------------------------------------------------------------------
// The injected runtime

/** transformers.js progress events (subset we read). */
export type RuntimeProgressInfo =
  | { status: 'initiate'; file: string }
  | { status: 'download'; file: string }
  | { status: 'progress'; file: string; loaded: number; total: number; progress?: number }
  | { status: 'done'; file: string }
  | { status: 'ready' }
  | { status: 'progress_total'; loaded: number; total: number };

export interface RuntimeGenerateInput {
  messages: ChatMessage[];
  maxNewTokens: number;
  temperature: number;
  topP: number;
  repetitionPenalty: number;
}

export interface RuntimeGenerateIO {
  /** Decoded text pieces (TextStreamer with skip_prompt). */
  onText(text: string): void;
  /** Number of newly generated tokens. */
  onTokens(count: number): void;
  /** When aborted, the runtime must stop at the next token (InterruptableStoppingCriteria). */
  signal: AbortSignal;
}

export interface LoadedChatModel {
  generate(input: RuntimeGenerateInput, io: RuntimeGenerateIO): Promise<void>;
  /** Tokens of the prompt as the model will see it (chat template + generation prompt). */
  countPromptTokens(messages: ChatMessage[]): number;
  countTokens(text: string): number;
  dispose(): Promise<void>;
}

export interface ChatModelRuntime {
  load(request: TransformersLoadRequest, onProgress: (info: RuntimeProgressInfo) => void): Promise<LoadedChatModel>;
}

// ---------------------------------------------------------------------------
// Progress aggregation

/** Sums bytes across files; reports 'loading' once every started file is done and weights are in. */
export class LoadProgressAggregator {
  private readonly files = new Map<string, { loaded: number; total: number; done: boolean }>();
  private lastPhase: LoadProgress['phase'] | null = null;
  private lastPct = -1;

  constructor(private readonly emit: (p: LoadProgress) => void) {}

  handle(info: RuntimeProgressInfo): void {
    switch (info.status) {
      case 'initiate':
      case 'download':
        if (!this.files.has(info.file)) this.files.set(info.file, { loaded: 0, total: 0, done: false });
        break;
      case 'progress': {
        const f = this.files.get(info.file) ?? { loaded: 0, total: 0, done: false };
        f.loaded = info.loaded;
        f.total = Math.max(info.total || 0, info.loaded);
        this.files.set(info.file, f);
        break;
      }
      case 'done': {
        const f = this.files.get(info.file) ?? { loaded: 0, total: 0, done: false };
        f.done = true;
        if (f.total > 0) f.loaded = f.total;
        this.files.set(info.file, f);
        break;
      }
      case 'ready':
      case 'progress_total':
        return;
    }
    this.report();
  }

  private report(): void {
    let loaded = 0;
    let total = 0;
    let allDone = true;
    let weightsDone = false;
    for (const [file, f] of this.files) {
      loaded += f.loaded;
      total += f.total;
      if (!f.done) allDone = false;
      if (f.done && /\.onnx(_data)?$|\.onnx_data_\d+$/.test(file)) weightsDone = true;
    }
    if (allDone && weightsDone) {
      this.send({ phase: 'loading', progress: 0, loadedBytes: loaded, totalBytes: total, text: 'Preparing the model…' });
      return;
    }
    // Config and tokenizer files come first and are tiny: until weights start,
    // report 0 rather than a misleading 100 %.
    const weights = [...this.files].filter(([f]) => /\.onnx/.test(f)).map(([, f]) => f);
    const weightsSized = weights.length > 0 && weights.every((f) => f.total > 0);
    const progress = weightsSized && total > 0 ? Math.min(1, loaded / total) : 0;
    this.send({
      phase: 'downloading',
      progress,
      loadedBytes: loaded,
      totalBytes: total,
      text: `Downloading model files: ${formatMB(loaded)} of ${formatMB(total)}`,
    });
  }

  /** Drops repeats: one event per whole percent or phase change (the worker must not flood the main thread). */
  private send(p: LoadProgress): void {
    const pct = Math.floor(p.progress * 100);
    if (p.phase === this.lastPhase && pct === this.lastPct) return;
    this.lastPhase = p.phase;
    this.lastPct = pct;
    this.emit(p);
  }
}

function formatMB(bytes: number): string {
  return `${Math.round(bytes / 1e6)} MB`;
}

// ---------------------------------------------------------------------------
// Handlers

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export const DEFAULT_WARM_UP_TOKENS = 4;

export function createTransformersChatHandlers(runtime: ChatModelRuntime): TransformersChatApi {
  let model: LoadedChatModel | null = null;
  let loaded: TransformersLoadResult | null = null;
  // transformers.js runs one inference at a time anyway; make it explicit.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const requireModel = (): LoadedChatModel => {
    if (!model) throw new ModelNotLoadedError();
    return model;
  };

  async function runGenerate(
    current: LoadedChatModel,
    request: GenerateRequest,
    ctx: RpcContext<DeltaProgress>,
  ): Promise<GenerateResult> {
    const started = now();
    const promptTokens = current.countPromptTokens(request.messages);
    const filter = new StopStringFilter(request.stop);
    const stopper = new AbortController();
    const onUserAbort = () => stopper.abort();
    ctx.signal.addEventListener('abort', onUserAbort, { once: true });
    let completionTokens = 0;
    let firstDeltaAt: number | undefined;
    let firstTokenAt: number | undefined;
    const send = (text: string) => {
      if (!text) return;
      firstDeltaAt ??= now();
      ctx.progress({ text });
    };
    const maxNewTokens = Math.max(1, Math.floor(request.sampling.maxTokens));
    try {
      if (!ctx.signal.aborted) {
        await current.generate(
          {
            messages: request.messages,
            maxNewTokens,
            temperature: request.sampling.temperature,
            topP: request.sampling.topP,
            repetitionPenalty: request.sampling.repetitionPenalty,
          },
          {
            onText: (text) => {
              if (filter.stopped) return;
              const { emit, stopped } = filter.push(text);
              send(emit);
              if (stopped) stopper.abort();
            },
            onTokens: (count) => {
              firstTokenAt ??= now();
              completionTokens += count;
            },
            signal: stopper.signal,
          },
        );
      }
    } finally {
      ctx.signal.removeEventListener('abort', onUserAbort);
    }
    send(filter.flush());
    let finishReason: FinishReason;
    if (filter.stopped) finishReason = 'stop';
    else if (ctx.signal.aborted) finishReason = 'abort';
    else if (completionTokens >= maxNewTokens) finishReason = 'length';
    else finishReason = 'stop';
    const end = now();
    const decodeMs = firstTokenAt !== undefined ? end - firstTokenAt : 0;
    return {
      text: filter.text,
      finishReason,
      usage: { promptTokens, completionTokens },
      timings: {
        timeToFirstTokenMs: firstDeltaAt !== undefined ? firstDeltaAt - started : undefined,
        totalMs: end - started,
        decodeTokensPerSecond:
          decodeMs > 0 && completionTokens > 1 ? ((completionTokens - 1) * 1000) / decodeMs : undefined,
      },
    };
  }

  return {
    /** Loads (replacing any loaded model), warms up, resolves when ready. */
    load: (request: TransformersLoadRequest, ctx: RpcContext<LoadProgress>): Promise<TransformersLoadResult> =>
      exclusive(async () => {
        const started = now();
        if (model) {
          const old = model;
          model = null;
          loaded = null;
          await old.dispose().catch(() => undefined);
        }
        const aggregator = new LoadProgressAggregator((p) => ctx.progress(p));
        const next = await runtime.load(request, (info) => aggregator.handle(info));
        const warmUpTokens = request.warmUpTokens ?? DEFAULT_WARM_UP_TOKENS;
        if (warmUpTokens > 0) {
          // Chromium keeps optimising wasm for a while after load; one short
          // run here moves the slowest first call out of the user's first reply.
          ctx.progress({ phase: 'warming', progress: 0, text: 'Warming up…' });
          await next.generate(
            {
              messages: [{ role: 'user', content: 'Hello!' }],
              maxNewTokens: warmUpTokens,
              temperature: 0,
              topP: 1,
              repetitionPenalty: 1,
            },
            { onText: () => {}, onTokens: () => {}, signal: ctx.signal },
          );
          ctx.progress({ phase: 'warming', progress: 1, text: 'Ready' });
        }
        model = next;
        loaded = { modelId: request.modelId, dtype: request.dtype, device: request.device, loadMs: now() - started };
        return loaded;
      }),

    /** Streams deltas as progress; resolves with the whole reply. */
    generate: async (request: GenerateRequest, ctx: RpcContext<DeltaProgress>): Promise<GenerateResult> => {
      const current = requireModel();
      return exclusive(() => runGenerate(current, request, ctx));
    },

    countTokens: async (text: string): Promise<number> => requireModel().countTokens(text),

    unload: (_: null): Promise<void> =>
      exclusive(async () => {
        const old = model;
        model = null;
        loaded = null;
        await old?.dispose();
      }),

    status: async (_: null): Promise<TransformersLoadResult | null> => loaded,
  };
}

