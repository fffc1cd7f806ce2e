/**
 * ChatEngine on WebLLM (WebGPU) in a Web Worker. WebLLM brings its own worker
 * protocol (webllm.worker.ts); this class adds what it lacks: crash and stall
 * detection, cancellable loads (terminate the worker), cancel-twice for
 * generation, named errors and our status states.
 */
import type { AppConfig, ChatOptions, InitProgressReport, ModelRecord, WebWorkerMLCEngine } from '@mlc-ai/web-llm';
import { StopStringFilter } from '../domain/text/stopStrings';
import type { GenerateRequest, GenerateResult, GenerateTimings } from '../protocol/chat';
import type { LoadProgress } from '../protocol/loading';
import type { ChatEngine, EngineStatus, GenerateOptions, LoadOptions } from './ChatEngine';
import { StatusCell, statusModelId } from './engineStatus';
import {
  EngineError,
  GenerationInterruptedError,
  ModelDownloadCancelledError,
  ModelLoadError,
  WorkerCrashedError,
  classifyEngineError,
} from './errors';
import { watchForeignWorker, type ForeignWorkerWatch } from './rpcClient';
import { DEFAULT_PING_EVERY_MS, type StallOptions } from './stallWatchdog';
import {
  buildWebLlmAppConfig,
  mapWebLlmFinishReason,
  needsShaderF16,
  parseWebLlmProgress,
  toWebLlmMessages,
  type WebLlmCacheBackend,
  type WebLlmModelSource,
} from './webllmAdapt';
import { loadWebLlm } from './webllmModule';

export interface WebLlmEngineOptions {
  /** Defaults to `prebuiltAppConfig.model_list` of web-llm 0.2.86. */
  modelList?: readonly ModelRecord[];
  /** Defaults to 'cache' (Cache Storage). */
  cacheBackend?: WebLlmCacheBackend;
  source?: WebLlmModelSource;
  /** Per-load chat options (e.g. `{ context_window_size: 2048 }`). */
  chatOptions?: ChatOptions;
  /** Run one short generation after loading (default true). */
  warmUp?: boolean;
  /** Injected for tests; defaults to the bundled webllm.worker.ts. */
  createWorker?: () => Worker;
  /** Stall watchdog (default WEBLLM_STALL); false turns it off. */
  stall?: StallOptions | false;
  /**
   * Whether the adapter has `shader-f16` (from detection). When false, f16
   * builds are refused before any download (see needsShaderF16); unknown: not checked.
   */
  hasF16?: boolean;
}

/**
 * Stall watchdog of the WebLLM worker: 120 s of total silence while a load,
 * generation or unload is pending. Shorter than the CPU chat worker's because
 * WebLLM's heavy work is asynchronous for the worker thread: downloads are
 * fetches, and prefill/decode are GPU submissions it awaits, so the worker
 * answers pings even through a long prefill on a weak GPU (and every streamed
 * token is a message anyway). What can block it are synchronous stretches on
 * its CPU side (building the tokenizer, setting up pipelines and parameters
 * during a load): seconds, not minutes. 120 s is a wide margin over those
 * and still reports a dead worker within about two minutes.
 */
export const WEBLLM_STALL: Readonly<StallOptions> = Object.freeze({
  pingEveryMs: DEFAULT_PING_EVERY_MS,
  timeoutMs: 120_000,
});

function defaultWorker(): Worker {
  // IMPORTANT: this exact `new Worker(new URL(…), {type:'module'})` shape is what
  // Vite detects to bundle the worker; don't wrap the URL in a variable.
  return new Worker(new URL('../workers/webllm.worker.ts', import.meta.url), { type: 'module' });
}

interface ActiveGeneration {
  partial: () => string;
  interrupts: number;
  kill: (error: Error) => void;
}

export class WebLlmEngine implements ChatEngine {
  readonly kind = 'webllm' as const;

  private readonly cell = new StatusCell();
  private readonly options: WebLlmEngineOptions;
  private worker: Worker | null = null;
  private engine: WebWorkerMLCEngine | null = null;
  /** Rejects when the current worker crashes or stalls. */
  private crashed: Promise<never> | null = null;
  private watch: ForeignWorkerWatch | null = null;
  private loadController: AbortController | null = null;
  private active: ActiveGeneration | null = null;
  private disposed = false;
  private appConfigPromise: Promise<AppConfig> | null = null;

  constructor(options: WebLlmEngineOptions = {}) {
    this.options = options;
  }

  /**
   * The AppConfig this engine loads with. Pass the same object to
   * modelCache's WebLLM functions (WebLLM needs it to find cached files).
   */
  getAppConfig(): Promise<AppConfig> {
    this.appConfigPromise ??= (async () => {
      const modelList = this.options.modelList ?? (await loadWebLlm()).prebuiltAppConfig.model_list;
      return buildWebLlmAppConfig(modelList, { cacheBackend: this.options.cacheBackend, source: this.options.source });
    })();
    return this.appConfigPromise;
  }

  get status(): EngineStatus {
    return this.cell.value;
  }

  subscribe(listener: (status: EngineStatus) => void): () => void {
    return this.cell.subscribe(listener);
  }

  async load(modelId: string, options: LoadOptions = {}): Promise<void> {
    this.assertUsable();
    // A newer load supersedes an older one (which is killed with the worker).
    this.loadController?.abort();
    if (this.active) await this.stopActiveGeneration();
    const controller = new AbortController();
    this.loadController = controller;
    const onOuterAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    if (options.signal?.aborted) controller.abort();

    const report = (p: LoadProgress) => {
      if (controller.signal.aborted) return;
      this.cell.set({ state: p.phase, modelId, progress: p });
      options.onProgress?.(p);
    };
    const initProgressCallback = (r: InitProgressReport) => report(parseWebLlmProgress(r));
    // Cancelling a load kills the worker at once (WebLLM's reload can't be
    // aborted from outside); the next load spawns a fresh one.
    const cancelled = new Promise<never>((_, reject) => {
      const fail = () => {
        this.killWorker();
        reject(new ModelDownloadCancelledError());
      };
      if (controller.signal.aborted) fail();
      else controller.signal.addEventListener('abort', fail, { once: true });
    });
    cancelled.catch(() => undefined);

    try {
      report({ phase: 'downloading', progress: 0, text: 'Starting…' });
      const [webllm, appConfig] = await this.guard(Promise.all([loadWebLlm(), this.getAppConfig()]), cancelled);
      if (this.options.hasF16 === false && needsShaderF16(modelId, appConfig.model_list)) {
        throw new ModelLoadError(`${modelId} needs the shader-f16 GPU feature, which this adapter lacks.`, {
          reason: 'unsupported',
          userMessage: 'This graphics card cannot run this build: it needs 16-bit float shaders (shader-f16). Pick a q4f32 build, or continue on the CPU engine.',
        });
      }
      if (this.engine) {
        this.engine.setInitProgressCallback(initProgressCallback);
        await this.guard(this.engine.reload(modelId, this.options.chatOptions), cancelled);
      } else {
        this.spawn();
        this.engine = await this.guard(
          webllm.CreateWebWorkerMLCEngine(
            this.worker,
            modelId,
            { appConfig, initProgressCallback },
            this.options.chatOptions,
          ),
          cancelled,
        );
      }
      if (this.options.warmUp ?? true) {
        report({ phase: 'warming', progress: 0, text: 'Warming up…' });
        await this.guard(
          this.engine.chat.completions.create({
            messages: [{ role: 'user', content: 'Hello!' }],
            max_tokens: 2,
            temperature: 0,
          }),
          cancelled,
        );
        await this.guard(this.engine.resetChat(), cancelled);
        report({ phase: 'warming', progress: 1, text: 'Ready' });
      }
      this.cell.set({ state: 'ready', modelId });
    } catch (e) {
      const error = classifyEngineError(e, 'load');
      // Superseded by a newer load: that load owns the worker and the status now.
      if (this.loadController !== controller) throw error;
      // Any failed or cancelled load leaves the worker in an unknown state: drop it.
      this.killWorker();
      if (error instanceof ModelDownloadCancelledError) this.cell.set({ state: 'absent' });
      else this.cell.set({ state: 'error', modelId, error });
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onOuterAbort);
      if (this.loadController === controller) this.loadController = null;
    }
  }

  async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
    this.assertUsable();
    const status = this.cell.value;
    if (status.state !== 'ready' || !this.engine) {
      throw new EngineError(`Cannot generate while the engine is ${status.state}.`, {
        userMessage: status.state === 'busy' ? 'A reply is already being written.' : 'Load a model first.',
      });
    }
    const engine = this.engine;
    const modelId = status.modelId;
    this.cell.set({ state: 'busy', modelId });

    const started = performance.now();
    let firstDeltaAt: number | undefined;
    const filter = new StopStringFilter(request.stop);
    const emit = (text: string) => {
      if (!text) return;
      firstDeltaAt ??= performance.now();
      options.onDelta?.(text);
    };
    let kill!: (error: Error) => void;
    const killed = new Promise<never>((_, reject) => (kill = reject));
    killed.catch(() => undefined);
    const active: ActiveGeneration = { partial: () => filter.text, interrupts: 0, kill };
    this.active = active;
    const onAbort = () => this.interrupt();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    try {
      const run = async (): Promise<GenerateResult> => {
        const { sampling } = request;
        const stream = await engine.chat.completions.create({
          messages: toWebLlmMessages(request.messages),
          stream: true,
          stream_options: { include_usage: true },
          temperature: sampling.temperature,
          top_p: sampling.topP,
          max_tokens: sampling.maxTokens,
          presence_penalty: sampling.presencePenalty,
          repetition_penalty: sampling.repetitionPenalty,
          ...(request.stop.length ? { stop: request.stop } : {}),
        });
        // Aborted before the listener could see it (already aborted at the call).
        if (options.signal?.aborted && active.interrupts === 0) this.interrupt();
        let finish: string | null | undefined;
        let usage = { promptTokens: 0, completionTokens: 0 };
        let timings: GenerateTimings | undefined;
        for await (const chunk of stream) {
          // WebLLM clears its interrupt flag when a stream starts (and prefill
          // can take seconds), so an early interrupt would be lost: repeat it.
          if (active.interrupts > 0) engine.interruptGenerate();
          const choice = chunk.choices[0];
          // WebLLM trims a completed stop string from its message but may
          // already have streamed its first characters: filter ourselves.
          if (choice?.delta?.content) emit(filter.push(choice.delta.content).emit);
          if (choice?.finish_reason) finish = choice.finish_reason;
          if (chunk.usage) {
            usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
            const extra = chunk.usage.extra;
            timings = {
              timeToFirstTokenMs: extra?.time_to_first_token_s !== undefined ? extra.time_to_first_token_s * 1000 : undefined,
              totalMs: performance.now() - started,
              decodeTokensPerSecond: extra?.decode_tokens_per_s,
            };
          }
        }
        // WebLLM's own final message is authoritative (stop strings trimmed).
        let text = filter.text;
        const final = await engine.getMessage().catch(() => null);
        // Once our filter saw a stop string, our text is final whatever WebLLM kept.
        if (!filter.stopped && typeof final === 'string' && final.startsWith(filter.text)) {
          emit(final.slice(filter.text.length));
          text = final;
        } else if (final === null && !filter.stopped) {
          emit(filter.flush());
          text = filter.text;
        }
        return {
          text,
          finishReason: filter.stopped ? 'stop' : mapWebLlmFinishReason(finish),
          usage,
          timings: timings ?? {
            totalMs: performance.now() - started,
            timeToFirstTokenMs: firstDeltaAt !== undefined ? firstDeltaAt - started : undefined,
          },
        };
      };
      const result = await this.guard(run(), killed);
      this.cell.set({ state: 'ready', modelId });
      return result;
    } catch (e) {
      if (e instanceof GenerationInterruptedError) {
        this.cell.set({ state: 'absent' });
        throw e;
      }
      const error = classifyEngineError(e, 'generate');
      if (error instanceof WorkerCrashedError || error.name === 'GpuDeviceLostError') {
        this.killWorker();
        this.cell.set({ state: 'error', modelId, error });
      } else {
        // The model is still loaded (e.g. a bad request): stay usable.
        this.cell.set({ state: 'ready', modelId });
      }
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      if (this.active === active) this.active = null;
    }
  }

  interrupt(): void {
    const active = this.active;
    if (!active || !this.engine) return;
    active.interrupts += 1;
    if (active.interrupts === 1) {
      this.engine.interruptGenerate();
      return;
    }
    // Second press: the worker did not stop; kill it. The model must be reloaded.
    const partialText = active.partial();
    this.killWorker();
    active.kill(new GenerationInterruptedError('Generation was force-stopped; the worker was restarted.', { partialText }));
  }

  async unload(): Promise<void> {
    if (this.disposed) return;
    this.loadController?.abort();
    if (this.active) await this.stopActiveGeneration();
    if (this.engine && this.crashed) {
      try {
        await this.guard(this.engine.unload());
      } catch {
        this.killWorker();
      }
    }
    this.cell.set({ state: 'absent' });
  }

  dispose(): void {
    if (this.disposed) return;
    this.loadController?.abort();
    this.active?.kill(new GenerationInterruptedError('The engine was disposed.', { partialText: this.active.partial() }));
    this.killWorker();
    this.disposed = true;
    this.cell.set({ state: 'absent' });
  }

  /** The model id currently loaded or loading, if any. */
  get modelId(): string | null {
    return statusModelId(this.cell.value);
  }

  // -------------------------------------------------------------------------

  private assertUsable(): void {
    if (this.disposed) throw new EngineError('This engine was disposed.');
  }

  private spawn(): Worker {
    const worker = (this.options.createWorker ?? defaultWorker)();
    this.worker = worker;
    let stalled!: (error: Error) => void;
    this.crashed = new Promise<never>((_, reject) => {
      stalled = reject;
      const fail = (event: Event) => {
        const detail = (event as ErrorEvent).message;
        reject(
          new WorkerCrashedError(
            event.type === 'messageerror'
              ? 'A message from the WebLLM worker could not be read.'
              : `The WebLLM worker failed${detail ? `: ${detail}` : ''}.`,
          ),
        );
      };
      // WebLLM owns worker.onmessage; listeners don't interfere with it.
      worker.addEventListener('error', fail);
      worker.addEventListener('messageerror', fail);
    });
    this.crashed.catch(() => undefined);
    const stall = this.options.stall ?? WEBLLM_STALL;
    if (stall) {
      // Pings travel on their own port (WebLLM's handler never sees them);
      // WebLLM's own replies count as signs of life too.
      this.watch = watchForeignWorker(worker, stall, (error) => {
        // Guarded work rejects with the stall; its catch reports the error.
        stalled(error);
        if (this.worker === worker) this.killWorker();
      });
    }
    return worker;
  }

  /**
   * Races `op` against a crash or stall of the current worker and `extra`
   * (cancel/kill). The stall watchdog runs while guarded work is pending.
   */
  private guard<T>(op: Promise<T>, extra?: Promise<never>): Promise<T> {
    const racers: Promise<T>[] = [op];
    if (extra) racers.push(extra);
    if (this.crashed) racers.push(this.crashed);
    const race = Promise.race(racers);
    return this.watch ? this.watch.track(race) : race;
  }

  private killWorker(): void {
    this.watch?.stop();
    this.watch = null;
    this.worker?.terminate();
    this.worker = null;
    this.engine = null;
    this.crashed = null;
  }

  private async stopActiveGeneration(): Promise<void> {
    this.interrupt();
    // Give the cooperative stop a moment, then force it.
    const waited = await Promise.race([
      new Promise<boolean>((resolve) => {
        const unsubscribe = this.cell.subscribe((s) => {
          if (s.state !== 'busy') {
            unsubscribe();
            resolve(true);
          }
        });
      }),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), FORCE_STOP_AFTER_MS)),
    ]);
    if (!waited) this.interrupt();
  }
}

/** How long a cooperative stop may take before a new load forces it. */
const FORCE_STOP_AFTER_MS = 3000;
