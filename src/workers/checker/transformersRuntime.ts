/**
 * The real CheckerRuntime (runtime.ts): transformers.js tokenizers and ONNX
 * sessions inside the checker worker. Only checker.worker.ts imports this file
 * (it pulls in transformers.js and onnxruntime-web).
 *
 * NLI uses AutoTokenizer + AutoModelForSequenceClassification with `text_pair`
 * (the text-classification pipeline does not take sentence pairs, NOTES.md);
 * embeddings use AutoModel's `last_hidden_state`, pooled in embeddings.ts.
 */
import {
  AutoModel,
  AutoModelForSequenceClassification,
  AutoTokenizer,
  env,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type ProgressInfo,
  type Tensor,
} from '@huggingface/transformers';
import type { RuntimeProgress } from '../loadProgress';
import { configureTransformersEnv, toRuntimeProgress } from '../transformersRuntime';
import type { CheckerRuntime, EmbeddingSession, NliSession, RawTensor, RuntimeModelRequest } from './runtime';

async function loadPair<M extends PreTrainedModel>(
  request: RuntimeModelRequest,
  onProgress: (info: RuntimeProgress) => void,
  loadModel: (id: string, options: Parameters<typeof AutoModel.from_pretrained>[1]) => Promise<M>,
): Promise<{ tokenizer: PreTrainedTokenizer; model: M }> {
  const progress_callback = (info: ProgressInfo) => {
    const p = toRuntimeProgress(info);
    if (p) onProgress(p);
  };
  const [tokenizer, model] = await Promise.all([
    AutoTokenizer.from_pretrained(request.modelId, { progress_callback }),
    loadModel(request.modelId, { dtype: request.dtype, device: request.device, progress_callback }),
  ]);
  return { tokenizer, model };
}

/** The few WebGPU shapes read here (TypeScript's DOM lib has no WebGPU types, see engines/detect.ts). */
interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
}
interface GpuLike {
  requestAdapter(): Promise<{ info?: AdapterInfoLike; requestAdapterInfo?: () => Promise<AdapterInfoLike> } | null>;
}

/** "vendor/architecture" (e.g. "google/swiftshader"), else the description, else "unknown adapter". */
async function describeAdapter(): Promise<string | null> {
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter();
  if (!adapter) return null;
  // `info` is the current API; requestAdapterInfo() the older one (Chromium < 127).
  const info = adapter.info ?? (await adapter.requestAdapterInfo?.().catch(() => undefined)) ?? {};
  return [info.vendor, info.architecture].filter(Boolean).join('/') || info.description || 'unknown adapter';
}

function raw(t: Tensor): RawTensor {
  return { data: t.data as ArrayLike<number>, dims: t.dims };
}

export const checkerRuntime: CheckerRuntime = {
  configure(request) {
    // Also sets wasmPaths to our bundled onnxruntime files and numThreads to
    // navigator.hardwareConcurrency when cross-origin isolated, else 1 (it must
    // be set explicitly, NOTES.md).
    configureTransformersEnv(request.source);
    const wasm = env.backends.onnx.wasm;
    if (wasm && request.maxThreads !== undefined) {
      wasm.numThreads = Math.max(1, Math.min(wasm.numThreads ?? 1, Math.floor(request.maxThreads)));
    }
  },

  async loadNli(request, onProgress): Promise<NliSession> {
    const { tokenizer, model } = await loadPair(request, onProgress, (id, o) =>
      AutoModelForSequenceClassification.from_pretrained(id, o),
    );
    const config = model.config as unknown as { id2label?: Record<string, string> };
    return {
      id2label: config.id2label ?? {},
      async logits(premises, hypotheses) {
        const enc = tokenizer(premises, { text_pair: hypotheses, padding: true, truncation: true });
        const out = (await model(enc)) as { logits: Tensor };
        return raw(out.logits);
      },
      dispose: async () => {
        await model.dispose();
      },
    };
  },

  async loadEmbedding(request, onProgress): Promise<EmbeddingSession> {
    const { tokenizer, model } = await loadPair(request, onProgress, (id, o) => AutoModel.from_pretrained(id, o));
    return {
      async hiddenStates(texts) {
        const enc = tokenizer(texts, { padding: true, truncation: true });
        const out = (await model(enc)) as { last_hidden_state?: Tensor };
        if (!out.last_hidden_state) throw new Error('The embedding model has no last_hidden_state output.');
        return { ...raw(out.last_hidden_state), mask: enc.attention_mask.data as ArrayLike<number | bigint> };
      },
      dispose: async () => {
        await model.dispose();
      },
    };
  },

  threads() {
    return env.backends.onnx.wasm?.numThreads ?? 1;
  },

  webgpuAdapter: describeAdapter,
};
