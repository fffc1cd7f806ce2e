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
import { LoadProgressAggregator, type RuntimeProgress } from './loadProgress';

// ---------------------------------------------------------------------------
// The injected runtime

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
  load(request: TransformersLoadRequest, onProgress: (info: RuntimeProgress) => void): Promise<LoadedChatModel>;
}

// ---------------------------------------------------------------------------
// Handlers

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export const DEFAULT_WARM_UP_TOKENS = 4;

const PROGRESS_TEXTS = { downloading: 'Downloading model files', loading: 'Preparing the model…' } as const;

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
        const aggregator = new LoadProgressAggregator([request.modelId], PROGRESS_TEXTS, (p) => ctx.progress(p));
        const next = await runtime.load(request, (info) => aggregator.handle(request.modelId, info));
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

