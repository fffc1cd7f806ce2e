/**
 * The curated model catalog for role-play, for both engines. Pure data and
 * pure functions: WebLLM's `prebuiltAppConfig.model_list` and the GPU's
 * capabilities are passed in, so ids shown to the user always exist in the
 * list the engine will load from.
 */

// ---------------------------------------------------------------------------
// WebLLM (WebGPU)

/** The subset of WebLLM's ModelRecord we read (structural: domain/ can't import web-llm). */
export interface ModelRecordLike {
  model_id: string;
  model?: string;
  model_lib?: string;
  vram_required_MB?: number;
  low_resource_required?: boolean;
  buffer_size_required_bytes?: number;
  required_features?: string[];
  overrides?: { context_window_size?: number };
}

export type WebLlmQuant = 'q4f16_1' | 'q4f32_1';

export interface GpuCapabilities {
  /** `adapter.features.has('shader-f16')`. */
  hasF16: boolean;
  maxBufferSize?: number;
  maxStorageBufferBindingSize?: number;
  /**
   * A conservative memory budget for model + KV cache, in MB. WebGPU does not
   * expose VRAM; see `estimateVramBudgetMB`. Omit to skip the VRAM check.
   */
  vramBudgetMB?: number;
}

export interface CatalogEntry {
  /** Stable id of the entry (not a WebLLM model_id). */
  id: string;
  family: string;
  label: string;
  /** Display size, e.g. "1.5B". */
  params: string;
  /** Parameter count in billions (drives the download estimate). */
  paramsB: number;
  /** Why it is in a role-play catalog, in plain words. */
  notes: string;
  /** Context window WebLLM's prebuilt build uses (the record's override wins). */
  contextWindow: number;
  /** WebLLM model_ids per quantisation. */
  builds: Record<WebLlmQuant, string>;
}

export interface ResolvedCatalogEntry extends CatalogEntry {
  /** The concrete WebLLM model_id to load. */
  modelId: string;
  quant: WebLlmQuant;
  vramRequiredMB: number | null;
  lowResourceRequired: boolean;
  /** Estimate, see `estimateWebLlmDownloadMB`. */
  downloadSizeMB: number;
  runnable: boolean;
  /** Why not runnable (null when runnable). */
  reason: string | null;
}

const build = (stem: string): Record<WebLlmQuant, string> => ({
  q4f16_1: `${stem}-q4f16_1-MLC`,
  q4f32_1: `${stem}-q4f32_1-MLC`,
});

/** Ordered small → large: the first runnable entry is a sensible default. */
export const WEBLLM_CATALOG: readonly CatalogEntry[] = [
  {
    id: 'smollm2-360m',
    family: 'SmolLM2',
    label: 'SmolLM2 360M Instruct',
    params: '360M',
    paramsB: 0.36,
    notes: 'Tiny and instant on any GPU. Keeps short exchanges going but forgets character details quickly; good for trying the app.',
    contextWindow: 4096,
    builds: build('SmolLM2-360M-Instruct'),
  },
  {
    id: 'qwen2.5-0.5b',
    family: 'Qwen2.5',
    label: 'Qwen2.5 0.5B Instruct',
    params: '0.5B',
    paramsB: 0.49,
    notes: 'The smallest model that follows a persona in the system prompt reasonably well. Multilingual.',
    contextWindow: 4096,
    builds: build('Qwen2.5-0.5B-Instruct'),
  },
  {
    id: 'llama-3.2-1b',
    family: 'Llama 3.2',
    label: 'Llama 3.2 1B Instruct',
    params: '1B',
    paramsB: 1.24,
    notes: 'Natural, casual conversational tone for its size; fine for light banter and simple scenes.',
    contextWindow: 4096,
    builds: build('Llama-3.2-1B-Instruct'),
  },
  {
    id: 'qwen2.5-1.5b',
    family: 'Qwen2.5',
    label: 'Qwen2.5 1.5B Instruct',
    params: '1.5B',
    paramsB: 1.54,
    notes: 'Strong instruction following for its size: holds a character sheet and scenario noticeably better than the sub-1B models.',
    contextWindow: 4096,
    builds: build('Qwen2.5-1.5B-Instruct'),
  },
  {
    id: 'gemma-2-2b',
    family: 'Gemma 2',
    label: 'Gemma 2 2B it',
    params: '2B',
    paramsB: 2.61,
    notes: 'Expressive, creative prose with a warm voice; good at description and emotion in scenes.',
    contextWindow: 4096,
    builds: build('gemma-2-2b-it'),
  },
  {
    id: 'llama-3.2-3b',
    family: 'Llama 3.2',
    label: 'Llama 3.2 3B Instruct',
    params: '3B',
    paramsB: 3.21,
    notes: 'The best balance for mid-range GPUs: vivid dialogue and keeps persona details over longer chats.',
    contextWindow: 4096,
    builds: build('Llama-3.2-3B-Instruct'),
  },
  {
    id: 'phi-3.5-mini',
    family: 'Phi 3.5',
    label: 'Phi-3.5 mini instruct',
    params: '3.8B',
    paramsB: 3.82,
    notes: 'Careful and consistent with rules and facts in the card; prose is drier than Llama or Gemma.',
    contextWindow: 4096,
    builds: build('Phi-3.5-mini-instruct'),
  },
  {
    id: 'hermes-3-llama-3.1-8b',
    family: 'Hermes 3',
    label: 'Hermes 3 (Llama 3.1 8B)',
    params: '8B',
    paramsB: 8.03,
    notes: 'Fine-tuned for role-play and a steerable system prompt: the most in-character of the list. Needs a strong GPU (~5 GB).',
    contextWindow: 4096,
    builds: build('Hermes-3-Llama-3.1-8B'),
  },
];

/**
 * Bits per weight of MLC's group quantisation (group size 32): 4-bit weights
 * plus one scale per group — f16 scale → 4 + 16/32 = 4.5, f32 scale → 4 + 32/32 = 5.
 */
export const WEBLLM_BITS_PER_WEIGHT: Record<WebLlmQuant, number> = { q4f16_1: 4.5, q4f32_1: 5 };

/**
 * Download size estimate in MB (10⁶ bytes): params × bits/weight ÷ 8, plus
 * ~5 MB for tokenizer, config and the model library wasm, rounded to 10 MB.
 * An estimate, not a file listing: the real shards differ by a few percent.
 */
export function estimateWebLlmDownloadMB(paramsB: number, quant: WebLlmQuant): number {
  const mb = (paramsB * 1e9 * WEBLLM_BITS_PER_WEIGHT[quant]) / 8 / 1e6 + 5;
  return Math.round(mb / 10) * 10;
}

/**
 * A conservative budget for WebGPU memory, from what the browser tells us:
 * `navigator.deviceMemory` (GB of RAM, capped at 8 by browsers). Integrated
 * GPUs share that RAM and the browser caps per-tab use, so we take half.
 * Returns undefined when unknown (no check). A software adapter gets 1 GB.
 */
export function estimateVramBudgetMB(input: { deviceMemoryGB?: number; isFallbackAdapter?: boolean }): number | undefined {
  if (input.isFallbackAdapter) return 1024;
  if (!input.deviceMemoryGB || input.deviceMemoryGB <= 0) return undefined;
  return Math.round(input.deviceMemoryGB * 1024 * 0.5);
}

const MiB = 1024 * 1024;
/** WebLLM refuses to start below these (checked in web-llm 0.2.86's runtime). */
const MIN_MAX_BUFFER_SIZE = 256 * MiB;
const MIN_STORAGE_BINDING = 128 * MiB;
/** Models not flagged low_resource_required expect 1 GiB storage bindings. */
const FULL_STORAGE_BINDING = 1024 * MiB;

function runnableCheck(record: ModelRecordLike, quant: WebLlmQuant, gpu: GpuCapabilities | null): string | null {
  if (!gpu) return 'No WebGPU adapter: this browser or device cannot run WebGPU models.';
  if (quant === 'q4f16_1' && !gpu.hasF16) {
    return 'Needs the shader-f16 GPU feature, which this adapter lacks, and no q4f32 build exists.';
  }
  if (gpu.maxBufferSize !== undefined && gpu.maxBufferSize < MIN_MAX_BUFFER_SIZE) {
    return `The GPU allows buffers of only ${Math.floor(gpu.maxBufferSize / MiB)} MB (WebLLM needs 256 MB).`;
  }
  if (
    record.buffer_size_required_bytes !== undefined &&
    gpu.maxBufferSize !== undefined &&
    record.buffer_size_required_bytes > gpu.maxBufferSize
  ) {
    return `Needs ${Math.ceil(record.buffer_size_required_bytes / MiB)} MB buffers; the GPU allows ${Math.floor(gpu.maxBufferSize / MiB)} MB.`;
  }
  if (gpu.maxStorageBufferBindingSize !== undefined) {
    if (gpu.maxStorageBufferBindingSize < MIN_STORAGE_BINDING) {
      return `The GPU's storage buffer limit (${Math.floor(gpu.maxStorageBufferBindingSize / MiB)} MB) is below WebLLM's 128 MB minimum.`;
    }
    if (gpu.maxStorageBufferBindingSize < FULL_STORAGE_BINDING && !record.low_resource_required) {
      return `The GPU's storage buffer limit (${Math.floor(gpu.maxStorageBufferBindingSize / MiB)} MB) is too small for this model (needs 1 GB).`;
    }
  }
  if (gpu.vramBudgetMB !== undefined && record.vram_required_MB !== undefined && record.vram_required_MB > gpu.vramBudgetMB) {
    return `Needs about ${Math.round(record.vram_required_MB)} MB of GPU memory; this device likely has less than that available (~${gpu.vramBudgetMB} MB).`;
  }
  return null;
}

/**
 * Resolves the catalog against WebLLM's model list and the GPU.
 * - q4f16_1 when the adapter has shader-f16 (and the build exists), else q4f32_1.
 * - Entries with neither build in `modelList` are dropped, so every returned
 *   `modelId` is loadable by id.
 * - `runnable` is conservative: adapter limits, shader-f16, and VRAM vs budget.
 */
export function resolveCatalog(
  modelList: readonly ModelRecordLike[],
  gpu: GpuCapabilities | null,
  catalog: readonly CatalogEntry[] = WEBLLM_CATALOG,
): ResolvedCatalogEntry[] {
  const byId = new Map(modelList.map((r) => [r.model_id, r] as const));
  const out: ResolvedCatalogEntry[] = [];
  for (const entry of catalog) {
    const f16 = byId.get(entry.builds.q4f16_1);
    const f32 = byId.get(entry.builds.q4f32_1);
    let quant: WebLlmQuant;
    if (gpu?.hasF16 && f16) quant = 'q4f16_1';
    else if (f32) quant = 'q4f32_1';
    else if (f16) quant = 'q4f16_1';
    else continue;
    const record = (quant === 'q4f16_1' ? f16 : f32)!;
    const reason = runnableCheck(record, quant, gpu);
    out.push({
      ...entry,
      contextWindow: record.overrides?.context_window_size ?? entry.contextWindow,
      modelId: record.model_id,
      quant,
      vramRequiredMB: record.vram_required_MB ?? null,
      lowResourceRequired: record.low_resource_required ?? false,
      downloadSizeMB: estimateWebLlmDownloadMB(entry.paramsB, quant),
      runnable: reason === null,
      reason,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------
// transformers.js (CPU/wasm fallback, or WebGPU through onnxruntime)

/** transformers.js dtype → file: q4f16 `onnx/model_q4f16.onnx`, q4 `onnx/model_q4.onnx`,
 * q8 `onnx/model_quantized.onnx`, fp16 `onnx/model_fp16.onnx`, fp32 `onnx/model.onnx`. */
export type OnnxDtype = 'q4f16' | 'q4' | 'q8' | 'fp16' | 'fp32';
export type OnnxDevice = 'wasm' | 'webgpu';

export interface CpuCatalogEntry {
  /** Hugging Face repo id (also the transformers.js model id). */
  id: string;
  family: string;
  label: string;
  params: string;
  paramsB: number;
  notes: string;
  /** Native context window of the model. */
  contextWindow: number;
  /** Which onnx files the repo has, with sizes in MB (from the Hub's file lists). */
  files: Partial<Record<OnnxDtype, number>>;
}

export interface ResolvedCpuCatalogEntry extends CpuCatalogEntry {
  dtype: OnnxDtype;
  device: OnnxDevice;
  /** Size of the chosen onnx file (tokenizer and config add a few MB). */
  downloadSizeMB: number;
}

/**
 * Sizes are the Hub's file listings (onnx/ folder). Assumption, checked
 * against those listings: onnx-community/Qwen2.5-0.5B-Instruct has every
 * dtype incl. `model_quantized.onnx` (q8); the SmolLM2 repos' current onnx/
 * folders have only fp32, fp16, q4 and q4f16 — no q8 file — so on wasm they
 * use q4.
 */
export const CPU_CATALOG: readonly CpuCatalogEntry[] = [
  {
    id: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    family: 'SmolLM2',
    label: 'SmolLM2 135M Instruct',
    params: '135M',
    paramsB: 0.135,
    notes: 'Fastest on CPU, smallest download. Simple replies only; a fallback for weak machines.',
    contextWindow: 8192,
    files: { q4f16: 134, q4: 200, fp16: 327, fp32: 654 },
  },
  {
    id: 'HuggingFaceTB/SmolLM2-360M-Instruct',
    family: 'SmolLM2',
    label: 'SmolLM2 360M Instruct',
    params: '360M',
    paramsB: 0.36,
    notes: 'Usable short role-play replies at CPU speed; forgets details in long scenes.',
    contextWindow: 8192,
    files: { q4f16: 299, q4: 417, fp16: 819, fp32: 1640 },
  },
  {
    id: 'onnx-community/Qwen2.5-0.5B-Instruct',
    family: 'Qwen2.5',
    label: 'Qwen2.5 0.5B Instruct',
    params: '0.5B',
    paramsB: 0.49,
    notes: 'Follows a persona best of the CPU models; slower. Multilingual.',
    contextWindow: 32768,
    files: { q4f16: 483, q4: 786, q8: 512, fp16: 997, fp32: 1990 },
  },
];

/**
 * The dtype to load: WebGPU with shader-f16 → q4f16; WebGPU without → q4;
 * wasm → q8 (transformers.js's wasm default) when the repo has it, else q4.
 * Unknown models (not in the catalog, e.g. test fixtures) get the same rule
 * assuming every file exists.
 */
export function pickOnnxDtype(modelId: string, device: OnnxDevice, hasF16: boolean): OnnxDtype {
  const files = CPU_CATALOG.find((e) => e.id === modelId)?.files;
  const has = (d: OnnxDtype) => !files || files[d] !== undefined;
  const order: OnnxDtype[] =
    device === 'webgpu' ? (hasF16 ? ['q4f16', 'q4', 'fp32'] : ['q4', 'fp32']) : ['q8', 'q4', 'fp32'];
  return order.find(has) ?? 'fp32';
}

export function resolveCpuCatalog(
  device: OnnxDevice,
  hasF16: boolean,
  catalog: readonly CpuCatalogEntry[] = CPU_CATALOG,
): ResolvedCpuCatalogEntry[] {
  return catalog.map((entry) => {
    const dtype = pickOnnxDtype(entry.id, device, hasF16);
    return { ...entry, dtype, device, downloadSizeMB: entry.files[dtype] ?? 0 };
  });
}

/**
 * The CPU model closest to a WebLLM model (for falling back after a GPU
 * failure): `webllmModel` is a catalog entry id or a WebLLM model_id.
 */
export function cpuFallbackFor(webllmModel: string | null): string {
  const entry = WEBLLM_CATALOG.find((e) => e.id === webllmModel || Object.values(e.builds).includes(webllmModel ?? ''));
  if (entry?.id === 'smollm2-360m') return 'HuggingFaceTB/SmolLM2-360M-Instruct';
  return 'onnx-community/Qwen2.5-0.5B-Instruct';
}

/** The consistency checker's default models (the settings' defaults and the client's). */
export const DEFAULT_NLI_MODEL_ID = 'Xenova/nli-deberta-v3-xsmall';
export const DEFAULT_EMBEDDING_MODEL_ID = 'Xenova/all-MiniLM-L6-v2';
