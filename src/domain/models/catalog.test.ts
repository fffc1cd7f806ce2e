import { describe, expect, it } from 'vitest';
import {
  WEBLLM_CATALOG,
  cpuFallbackFor,
  estimateVramBudgetMB,
  estimateWebLlmDownloadMB,
  pickOnnxDtype,
  resolveCatalog,
  resolveCpuCatalog,
  type ModelRecordLike,
} from './catalog';

const MiB = 1024 * 1024;

/** Shaped like web-llm 0.2.86's prebuiltAppConfig.model_list (values copied from it). */
const modelList: ModelRecordLike[] = [
  { model_id: 'SmolLM2-360M-Instruct-q4f16_1-MLC', vram_required_MB: 376.06, low_resource_required: true, required_features: ['shader-f16'] },
  { model_id: 'SmolLM2-360M-Instruct-q4f32_1-MLC', vram_required_MB: 579.61, low_resource_required: true },
  { model_id: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC', vram_required_MB: 944.62, low_resource_required: true, overrides: { context_window_size: 4096 } },
  { model_id: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC', vram_required_MB: 1060.2, low_resource_required: true },
  { model_id: 'Llama-3.2-3B-Instruct-q4f16_1-MLC', vram_required_MB: 2263.69, low_resource_required: true },
  { model_id: 'Llama-3.2-3B-Instruct-q4f32_1-MLC', vram_required_MB: 2951.51, low_resource_required: true },
  { model_id: 'gemma-2-2b-it-q4f16_1-MLC', vram_required_MB: 1895.3, low_resource_required: false, required_features: ['shader-f16'] },
  // gemma has no f32 here on purpose; Hermes only f32; Phi missing entirely.
  { model_id: 'Hermes-3-Llama-3.1-8B-q4f32_1-MLC', vram_required_MB: 5779.27, low_resource_required: false },
  { model_id: 'Some-Other-Model-q4f16_1-MLC', vram_required_MB: 1 },
];

describe('resolveCatalog', () => {
  it('drops entries whose builds are missing and keeps catalog order', () => {
    const ids = resolveCatalog(modelList, { hasF16: true }).map((e) => e.id);
    expect(ids).toEqual(['smollm2-360m', 'qwen2.5-0.5b', 'gemma-2-2b', 'llama-3.2-3b', 'hermes-3-llama-3.1-8b']);
    for (const e of resolveCatalog(modelList, { hasF16: true })) {
      expect(modelList.some((r) => r.model_id === e.modelId)).toBe(true);
    }
  });

  it('picks q4f16 with shader-f16 and q4f32 without', () => {
    const withF16 = resolveCatalog(modelList, { hasF16: true });
    expect(withF16.find((e) => e.id === 'qwen2.5-0.5b')).toMatchObject({
      modelId: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
      quant: 'q4f16_1',
      vramRequiredMB: 944.62,
      lowResourceRequired: true,
      contextWindow: 4096,
      runnable: true,
      reason: null,
    });
    const noF16 = resolveCatalog(modelList, { hasF16: false });
    expect(noF16.find((e) => e.id === 'qwen2.5-0.5b')).toMatchObject({ modelId: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC', quant: 'q4f32_1' });
    // Only an f32 build exists: used even with f16.
    expect(withF16.find((e) => e.id === 'hermes-3-llama-3.1-8b')?.quant).toBe('q4f32_1');
  });

  it('marks f16-only builds unrunnable without shader-f16', () => {
    const gemma = resolveCatalog(modelList, { hasF16: false }).find((e) => e.id === 'gemma-2-2b');
    expect(gemma).toMatchObject({ quant: 'q4f16_1', runnable: false });
    expect(gemma?.reason).toMatch(/shader-f16/);
  });

  it('without a GPU nothing is runnable but ids stay valid', () => {
    const entries = resolveCatalog(modelList, null);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => !e.runnable && /WebGPU/.test(e.reason ?? ''))).toBe(true);
    expect(entries.find((e) => e.id === 'qwen2.5-0.5b')?.quant).toBe('q4f32_1');
  });

  it('applies adapter limits (SwiftShader-like: 1 GiB buffers, 128 MiB bindings)', () => {
    const entries = resolveCatalog(modelList, { hasF16: false, maxBufferSize: 1024 * MiB, maxStorageBufferBindingSize: 128 * MiB });
    expect(entries.find((e) => e.id === 'smollm2-360m')?.runnable).toBe(true);
    const hermes = entries.find((e) => e.id === 'hermes-3-llama-3.1-8b');
    expect(hermes?.runnable).toBe(false);
    expect(hermes?.reason).toMatch(/storage buffer limit \(128 MB\)/);
    const tiny = resolveCatalog(modelList, { hasF16: true, maxBufferSize: 128 * MiB });
    expect(tiny.every((e) => !e.runnable)).toBe(true);
  });

  it('checks VRAM against the budget', () => {
    const entries = resolveCatalog(modelList, { hasF16: true, vramBudgetMB: 2048 });
    expect(entries.find((e) => e.id === 'qwen2.5-0.5b')?.runnable).toBe(true);
    const llama = entries.find((e) => e.id === 'llama-3.2-3b');
    expect(llama?.runnable).toBe(false);
    expect(llama?.reason).toMatch(/2264 MB/);
  });

  it('estimates download size from params and quantisation', () => {
    // 1.24B × 4.5 bits / 8 ≈ 698 MB (+5) → 700
    expect(estimateWebLlmDownloadMB(1.24, 'q4f16_1')).toBe(700);
    expect(estimateWebLlmDownloadMB(1.24, 'q4f32_1')).toBe(780);
    const e = resolveCatalog(modelList, { hasF16: true }).find((x) => x.id === 'smollm2-360m');
    expect(e?.downloadSizeMB).toBe(estimateWebLlmDownloadMB(0.36, 'q4f16_1'));
  });

  it('every catalog entry names both quant builds', () => {
    for (const e of WEBLLM_CATALOG) {
      expect(e.builds.q4f16_1).toMatch(/-q4f16_1-MLC$/);
      expect(e.builds.q4f32_1).toMatch(/-q4f32_1-MLC$/);
      expect(e.notes.length).toBeGreaterThan(20);
    }
  });
});

describe('VRAM budget', () => {
  it('is half of deviceMemory, 1 GB for software adapters, unknown otherwise', () => {
    expect(estimateVramBudgetMB({ deviceMemoryGB: 8 })).toBe(4096);
    expect(estimateVramBudgetMB({ isFallbackAdapter: true, deviceMemoryGB: 8 })).toBe(1024);
    expect(estimateVramBudgetMB({})).toBeUndefined();
  });
});

describe('CPU catalog', () => {
  it('uses q8 on wasm when the repo has it, q4 otherwise', () => {
    const wasm = resolveCpuCatalog('wasm', false);
    expect(wasm.find((e) => e.id === 'onnx-community/Qwen2.5-0.5B-Instruct')).toMatchObject({ dtype: 'q8', downloadSizeMB: 512 });
    expect(wasm.find((e) => e.id === 'HuggingFaceTB/SmolLM2-360M-Instruct')).toMatchObject({ dtype: 'q4', downloadSizeMB: 417 });
  });

  it('uses q4f16 on WebGPU with f16, q4 without', () => {
    expect(resolveCpuCatalog('webgpu', true).map((e) => e.dtype)).toEqual(['q4f16', 'q4f16', 'q4f16']);
    expect(resolveCpuCatalog('webgpu', true).find((e) => e.id.endsWith('135M-Instruct'))?.downloadSizeMB).toBe(134);
    expect(resolveCpuCatalog('webgpu', false).map((e) => e.dtype)).toEqual(['q4', 'q4', 'q4']);
  });

  it('unknown ids (fixtures) follow the default rule', () => {
    expect(pickOnnxDtype('tiny-decoder', 'wasm', false)).toBe('q8');
    expect(pickOnnxDtype('tiny-decoder', 'webgpu', true)).toBe('q4f16');
  });

  it('maps WebLLM entries to a CPU fallback', () => {
    expect(cpuFallbackFor('smollm2-360m')).toBe('HuggingFaceTB/SmolLM2-360M-Instruct');
    expect(cpuFallbackFor(null)).toBe('onnx-community/Qwen2.5-0.5B-Instruct');
    expect(cpuFallbackFor('SmolLM2-360M-Instruct-q4f32_1-MLC')).toBe('HuggingFaceTB/SmolLM2-360M-Instruct');
    expect(cpuFallbackFor('Llama-3.2-1B-Instruct-q4f16_1-MLC')).toBe('onnx-community/Qwen2.5-0.5B-Instruct');
  });
});
