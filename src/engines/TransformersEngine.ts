/**
 * ChatEngine on transformers.js in a Web Worker (the CPU/wasm fallback; it can
 * also run onnxruntime's WebGPU backend). Talks to transformers-chat.worker.ts
 * through the typed RPC; WorkerHost gives crash handling and cancel-twice.
 */
import { pickOnnxDtype, type OnnxDevice, type OnnxDtype } from '../domain/models/catalog';
import type { GenerateRequest, GenerateResult, TransformersChatApi } from '../protocol/chat';
import type { LoadProgress, ModelSource } from '../protocol/loading';
import type { ChatEngine, EngineStatus, GenerateOptions, LoadOptions } from './ChatEngine';
import { resolveModelSource } from './modelSource';
import { isTransformersModelCached } from './modelCache';
import { StatusCell, statusModelId } from './engineStatus';
import {
  EngineError,
  GenerationInterruptedError,
  ModelDownloadCancelledError,
  WorkerCrashedError,
  classifyEngineError,
} from './errors';
import { DEFAULT_PING_EVERY_MS, type StallOptions } from './stallWatchdog';
import { WorkerHost, type WorkerLike } from './workerHost';

export type { ModelSource } from '../protocol/loading';

export interface TransformersEngineOptions {
  /**
   * Where model files come from (default Hugging Face). Self-hosted layout:
   * `<baseUrl>/<modelId>/<file>` — e.g. `<baseUrl>/tiny-decoder/config.json`,
   * `<baseUrl>/tiny-decoder/onnx/model_quantized.onnx`. A relative baseUrl is
   * resolved against the page (`document.baseURI`).
   */
  modelSource?: ModelSource;
  /** onnxruntime backend (default 'wasm'). */
  device?: OnnxDevice;
  /** Adapter has shader-f16 (only matters with device 'webgpu'). */
  hasF16?: boolean;
  /** Force one dtype for every load (default: per model, see pickOnnxDtype). */
  dtype?: OnnxDtype;
  /** Tokens generated to warm up after loading (default 4; 0 = none). */
  warmUpTokens?: number;
  /** Injected for tests; defaults to the bundled transformers-chat.worker.ts. */
  createWorker?: () => WorkerLike;
  /** Stall watchdog (default TRANSFORMERS_CHAT_STALL); false turns it off. */
  stall?: StallOptions | false;
}

/**
 * Stall watchdog of the chat worker: 300 s of total silence while a call is
 * pending. Generous on purpose: this worker cannot answer a ping while
 * onnxruntime-web (wasm) runs one forward pass, which is synchronous on the
 * worker thread (transformersRuntime yields to the event loop only between
 * passes), and the longest pass is the prefill of the whole prompt.
 * Measured (BENCHMARKS.md, 2 cores): a 666-token prompt on a
 * SmolLM2-135M-shaped model took ~3.8 s on a quiet machine and ~10 s on a
 * loaded one (~175 and ~65 prompt tokens/s). Qwen2.5-0.5B, the biggest CPU
 * model, is ~3.6× the compute per token, and the default 4096-token context
 * allows a ~3.8 k-token prompt (attention grows faster than linearly): ~80–90 s
 * quiet, ~200–240 s loaded. 300 s covers that; creating the wasm session of a
 * big model is shorter. A worker that is really dead is reported later, which
 * costs little (pressing Stop twice kills it at once anyway); a slow prefill
 * declared dead would throw away the loaded model, and the same long chat
 * would fail again on every retry.
 */
export const TRANSFORMERS_CHAT_STALL: Readonly<StallOptions> = Object.freeze({
  pingEveryMs: DEFAULT_PING_EVERY_MS,
  timeoutMs: 300_000,
});

function defaultWorker(): WorkerLike {
  // IMPORTANT: keep this literal shape so Vite bundles the worker.
  return new Worker(new URL('../workers/transformers-chat.worker.ts', import.meta.url), { type: 'module' });
}

export class TransformersEngine implements ChatEngine {
  readonly kind = 'transformers' as const;

  private readonly cell = new StatusCell();
  private readonly options: TransformersEngineOptions;
  private readonly host: WorkerHost<TransformersChatApi>;
  private loadController: AbortController | null = null;
  private activePartial: (() => string) | null = null;
  private disposed = false;

  constructor(options: TransformersEngineOptions = {}) {
    this.options = options;
    this.host = new WorkerHost<TransformersChatApi>(options.createWorker ?? defaultWorker, {
      stall: options.stall === false ? undefined : (options.stall ?? TRANSFORMERS_CHAT_STALL),
      onCrash: (error) => {
        if (this.cell.value.state !== 'absent') {
          this.cell.set({ state: 'error', modelId: statusModelId(this.cell.value), error });
        }
      },
    });
  }

  get status(): EngineStatus {
    return this.cell.value;
  }

  subscribe(listener: (status: EngineStatus) => void): () => void {
    return this.cell.subscribe(listener);
  }

  /** The dtype a load of `modelId` will use. */
  dtypeFor(modelId: string): OnnxDtype {
    return this.options.dtype ?? pickOnnxDtype(modelId, this.options.device ?? 'wasm', this.options.hasF16 ?? false);
  }

  async load(modelId: string, options: LoadOptions = {}): Promise<void> {
    this.assertUsable();
    this.loadController?.abort();
    if (this.activePartial) this.interruptHard();
    const controller = new AbortController();
    this.loadController = controller;
    const cancel = () => controller.abort();
    options.signal?.addEventListener('abort', cancel, { once: true });
    // transformers.js can't abort a pipeline load: cancelling kills the worker.
    const onCancel = () => this.host.terminate(new ModelDownloadCancelledError());
    controller.signal.addEventListener('abort', onCancel, { once: true });

    const report = (p: LoadProgress) => {
      if (controller.signal.aborted) return;
      this.cell.set({ state: p.phase, modelId, progress: p });
      options.onProgress?.(p);
    };
    try {
      if (options.signal?.aborted) throw new ModelDownloadCancelledError();
      report({ phase: 'downloading', progress: 0, text: 'Starting…' });
      await this.host.call(
        'load',
        {
          modelId,
          dtype: this.dtypeFor(modelId),
          device: this.options.device ?? 'wasm',
          source: resolveModelSource(this.options.modelSource ?? { kind: 'huggingface' }),
          warmUpTokens: this.options.warmUpTokens,
        },
        { onProgress: report },
      );
      if (controller.signal.aborted) throw new ModelDownloadCancelledError();
      this.cell.set({ state: 'ready', modelId });
    } catch (e) {
      const error = classifyEngineError(e, 'load');
      // Superseded by a newer load: that load owns the worker and the status now.
      if (this.loadController !== controller) throw error;
      if (error instanceof ModelDownloadCancelledError) {
        this.cell.set({ state: 'absent' });
      } else {
        // A failed load may leave half-built sessions behind: start clean next time.
        this.host.terminate(error);
        this.cell.set({ state: 'error', modelId, error });
      }
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      controller.signal.removeEventListener('abort', onCancel);
      if (this.loadController === controller) this.loadController = null;
    }
  }

  async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
    this.assertUsable();
    const status = this.cell.value;
    if (status.state !== 'ready') {
      throw new EngineError(`Cannot generate while the engine is ${status.state}.`, {
        userMessage: status.state === 'busy' ? 'A reply is already being written.' : 'Load a model first.',
      });
    }
    const modelId = status.modelId;
    // Stopped before it began: the worker is never asked, so no token can slip out.
    if (options.signal?.aborted) return { text: '', finishReason: 'abort', usage: { promptTokens: 0, completionTokens: 0 }, timings: { totalMs: 0 } };
    this.cell.set({ state: 'busy', modelId });
    let partial = '';
    this.activePartial = () => partial;
    const onAbort = () => this.interrupt();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const call = this.host.call(
        'generate',
        { messages: request.messages, sampling: request.sampling, stop: request.stop },
        {
          onProgress: ({ text }) => {
            partial += text;
            options.onDelta?.(text);
          },
        },
      );
      if (options.signal?.aborted) this.interrupt();
      const result = await call;
      this.cell.set({ state: 'ready', modelId });
      return result;
    } catch (e) {
      if (e instanceof GenerationInterruptedError) {
        this.cell.set({ state: 'absent' });
        throw e;
      }
      const error = classifyEngineError(e, 'generate');
      if (error instanceof WorkerCrashedError) this.cell.set({ state: 'error', modelId, error });
      else this.cell.set({ state: 'ready', modelId });
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      this.activePartial = null;
    }
  }

  interrupt(): void {
    const partial = this.activePartial;
    if (!partial) return;
    this.host.interrupt(
      () => new GenerationInterruptedError('Generation was force-stopped; the worker was restarted.', { partialText: partial() }),
    );
  }

  async unload(): Promise<void> {
    if (this.disposed) return;
    this.loadController?.abort();
    if (this.activePartial) this.interruptHard();
    if (this.host.alive) {
      try {
        await this.host.call('unload', null);
      } catch {
        this.host.terminate();
      }
    }
    this.cell.set({ state: 'absent' });
  }

  isModelStored(modelId: string): Promise<boolean> {
    return isTransformersModelCached(modelId, this.options.modelSource ?? { kind: 'huggingface' });
  }

  async countTokens(text: string): Promise<number> {
    const state = this.cell.value.state;
    if (state !== 'ready' && state !== 'busy') throw new EngineError('No model is loaded.', { userMessage: 'Load a model first.' });
    return this.host.call('countTokens', text);
  }

  dispose(): void {
    if (this.disposed) return;
    this.loadController?.abort();
    const partial = this.activePartial?.() ?? '';
    this.host.terminate(new GenerationInterruptedError('The engine was disposed.', { partialText: partial }));
    this.disposed = true;
    this.cell.set({ state: 'absent' });
  }

  private interruptHard(): void {
    this.interrupt();
    this.interrupt();
  }

  private assertUsable(): void {
    if (this.disposed) throw new EngineError('This engine was disposed.');
  }
}
