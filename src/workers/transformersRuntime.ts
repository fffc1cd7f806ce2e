/**
 * The real ChatModelRuntime: transformers.js `pipeline('text-generation')`
 * inside the worker. Only the worker entry imports this file (it pulls in
 * transformers.js and onnxruntime-web).
 */
import {
  InterruptableStoppingCriteria,
  TextStreamer,
  env,
  pipeline,
  type ProgressInfo,
  type TextGenerationPipeline,
} from '@huggingface/transformers';
// IMPORTANT: transformers.js 4.3.1 imports `onnxruntime-web/webgpu`, whose
// bundle loads the *asyncify* build (checked in dist/ort.webgpu.bundle.min.mjs
// and in transformers' own CDN default). Without these, it fetches both files
// from jsDelivr, which breaks offline and static hosting. The files must match
// the onnxruntime-web version transformers pins (1.31.0-dev.20260914-8d85527a0).
import ortWasmMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import type { TransformersLoadRequest } from '../protocol/chat';
import type { ModelSource } from '../protocol/loading';
import type { RuntimeProgress } from './loadProgress';
import type { ChatModelRuntime, LoadedChatModel } from './transformersChatHandlers';

const HF_HOST = 'https://huggingface.co/';
const HF_PATH_TEMPLATE = '{model}/resolve/{revision}/';

function absolute(url: string): string {
  return new URL(url, import.meta.url).href;
}

/**
 * Points transformers.js at the model source and our own onnxruntime files.
 * Safe to call before every load (env is global to the worker).
 */
export function configureTransformersEnv(source: ModelSource): void {
  env.allowRemoteModels = true;
  // Never probe `/models/…` on the app's origin: a static host answers 404s
  // (or index.html) and every file costs an extra request.
  env.allowLocalModels = false;
  // IMPORTANT (NOTES): localModelPath must stay a path like '/models/', never an
  // absolute http URL (cold-cache loads then fail with "reading 'tokenizer_class'").
  // Self-hosting therefore goes through remoteHost, not localModelPath.
  env.localModelPath = '/models/';
  if (source.kind === 'huggingface') {
    env.remoteHost = HF_HOST;
    env.remotePathTemplate = HF_PATH_TEMPLATE;
  } else {
    // Layout `<baseUrl>/<modelId>/<file>`; cache keys become these absolute URLs.
    const base = source.baseUrl.endsWith('/') ? source.baseUrl : `${source.baseUrl}/`;
    env.remoteHost = absolute(base);
    env.remotePathTemplate = '{model}/';
  }
  const wasm = env.backends.onnx.wasm;
  if (wasm) {
    // IMPORTANT: mutate the shared `wasm` object; replacing env.backends.onnx.wasm
    // would not reach onnxruntime (transformers keeps a shallow copy of ort.env).
    wasm.wasmPaths = { mjs: absolute(ortWasmMjsUrl), wasm: absolute(ortWasmUrl) };
    // onnxruntime-web runs one thread unless told otherwise; threads need COOP/COEP.
    const threads = self.crossOriginIsolated ? Math.max(1, navigator.hardwareConcurrency || 1) : 1;
    wasm.numThreads = threads;
  }
}

/** transformers.js progress events as the workers' runtimes report them (null: not one we read). */
export function toRuntimeProgress(info: ProgressInfo): RuntimeProgress | null {
  switch (info.status) {
    case 'initiate':
    case 'download':
    case 'done':
      return { status: info.status, file: info.file };
    case 'progress':
      return { status: 'progress', file: info.file, loaded: info.loaded, total: info.total, progress: info.progress };
    case 'progress_total':
      return { status: 'progress_total', loaded: info.loaded, total: info.total };
    case 'ready':
      return { status: 'ready' };
    default:
      return null;
  }
}

/**
 * Resolves on a fresh macrotask. MessageChannel, not setTimeout: nested timers
 * get clamped to 4 ms, which would cost 4 ms per token.
 */
function createYielder(): () => Promise<void> {
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
}

class PipelineChatModel implements LoadedChatModel {
  constructor(private readonly pipe: TextGenerationPipeline) {
    // IMPORTANT: transformers.js's generate loop only awaits promises that
    // onnxruntime (wasm, proxy off) resolves without a macrotask in between,
    // so the worker never reads the `cancel` message until generation ends
    // (seen in Chromium: an interrupt after 2 deltas still ran 200 tokens).
    // Yielding once per forward pass lets `cancel` arrive and trip the
    // InterruptableStoppingCriteria on the next token.
    const model = pipe.model as unknown as { forward: (inputs: unknown) => Promise<unknown> };
    const forward = model.forward.bind(model);
    const yieldToEventLoop = createYielder();
    model.forward = async (inputs: unknown) => {
      await yieldToEventLoop();
      return forward(inputs);
    };
  }

  async generate(
    input: Parameters<LoadedChatModel['generate']>[0],
    io: Parameters<LoadedChatModel['generate']>[1],
  ): Promise<void> {
    const stopping = new InterruptableStoppingCriteria();
    const onAbort = () => stopping.interrupt();
    if (io.signal.aborted) return;
    io.signal.addEventListener('abort', onAbort, { once: true });
    const streamer = new TextStreamer(this.pipe.tokenizer, {
      skip_prompt: true,
      skip_special_tokens: true,
      callback_function: (text: string) => io.onText(text),
      token_callback_function: (tokens: bigint[]) => io.onTokens(tokens.length),
    });
    const sample = input.temperature > 0;
    try {
      await this.pipe(input.messages, {
        max_new_tokens: input.maxNewTokens,
        do_sample: sample,
        ...(sample ? { temperature: input.temperature, top_p: input.topP } : {}),
        repetition_penalty: input.repetitionPenalty,
        streamer,
        stopping_criteria: stopping,
      });
    } finally {
      io.signal.removeEventListener('abort', onAbort);
    }
  }

  countPromptTokens(messages: Parameters<LoadedChatModel['countPromptTokens']>[0]): number {
    const prompt = this.pipe.tokenizer.apply_chat_template(messages, {
      tokenize: false,
      add_generation_prompt: true,
    });
    // The pipeline tokenizes the templated prompt without extra special tokens.
    return this.pipe.tokenizer.encode(String(prompt), { add_special_tokens: false }).length;
  }

  countTokens(text: string): number {
    return this.pipe.tokenizer.encode(text, { add_special_tokens: false }).length;
  }

  async dispose(): Promise<void> {
    await this.pipe.dispose();
  }
}

export const transformersRuntime: ChatModelRuntime = {
  async load(request: TransformersLoadRequest, onProgress) {
    configureTransformersEnv(request.source);
    const pipe = (await pipeline('text-generation', request.modelId, {
      dtype: request.dtype,
      device: request.device,
      progress_callback: (info: ProgressInfo) => {
        const p = toRuntimeProgress(info);
        if (p) onProgress(p);
      },
    })) as TextGenerationPipeline;
    return new PipelineChatModel(pipe);
  },
};
