import { prebuiltAppConfig, type ModelRecord } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { WEBLLM_CATALOG, resolveCatalog } from '../domain/models/catalog';
import { buildWebLlmAppConfig, mapWebLlmFinishReason, needsShaderF16, parseWebLlmProgress, toWebLlmMessages } from './webllmAdapt';

const record: ModelRecord = {
  model: 'https://huggingface.co/mlc-ai/SmolLM2-360M-Instruct-q4f32_1-MLC',
  model_id: 'SmolLM2-360M-Instruct-q4f32_1-MLC',
  model_lib: 'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/SmolLM2-360M-Instruct-q4f32_1-ctx4k_cs1k-webgpu.wasm',
  vram_required_MB: 579.61,
};

describe('the catalog against the real web-llm 0.2.86 model list', () => {
  it('every entry resolves to existing ids in both quantisations', () => {
    const ids = new Set(prebuiltAppConfig.model_list.map((r) => r.model_id));
    for (const e of WEBLLM_CATALOG) {
      expect(ids.has(e.builds.q4f16_1), e.builds.q4f16_1).toBe(true);
      expect(ids.has(e.builds.q4f32_1), e.builds.q4f32_1).toBe(true);
    }
    const swiftshader = resolveCatalog(prebuiltAppConfig.model_list, {
      hasF16: false,
      maxBufferSize: 1 << 30,
      maxStorageBufferBindingSize: 128 << 20,
    });
    expect(swiftshader).toHaveLength(WEBLLM_CATALOG.length);
    expect(swiftshader.every((e) => e.quant === 'q4f32_1')).toBe(true);
    expect(swiftshader.find((e) => e.id === 'smollm2-360m')).toMatchObject({
      modelId: 'SmolLM2-360M-Instruct-q4f32_1-MLC',
      runnable: true,
    });
  });
});

describe('buildWebLlmAppConfig', () => {
  it('keeps prebuilt records for Hugging Face and sets the cache backend', () => {
    const cfg = buildWebLlmAppConfig([record], { cacheBackend: 'indexeddb' });
    expect(cfg).toEqual({ model_list: [record], cacheBackend: 'indexeddb' });
  });

  it('self-hosted: absolute model URL keeping /resolve/main/, optional lib rebase', () => {
    const cfg = buildWebLlmAppConfig([record], {
      source: { kind: 'self-hosted', baseUrl: 'models/webllm', modelLibBaseUrl: '/libs/' },
      baseHref: 'https://app.example/studio/index.html',
    });
    expect(cfg.cacheBackend).toBe('cache');
    expect(cfg.model_list[0]).toMatchObject({
      model: 'https://app.example/studio/models/webllm/SmolLM2-360M-Instruct-q4f32_1-MLC/resolve/main/',
      model_lib: 'https://app.example/libs/SmolLM2-360M-Instruct-q4f32_1-ctx4k_cs1k-webgpu.wasm',
    });
  });
});

describe('parseWebLlmProgress', () => {
  it('fetching → downloading with bytes', () => {
    const p = parseWebLlmProgress({
      progress: 0.25,
      text: 'Fetching param cache[3/20]: 100MB fetched. 25% completed, 4 secs elapsed. It can take a while…',
    });
    expect(p).toMatchObject({ phase: 'downloading', progress: 0.25, loadedBytes: 100 * 1024 * 1024, totalBytes: 400 * 1024 * 1024 });
  });

  it('cache reads and shader compilation → loading', () => {
    expect(parseWebLlmProgress({ progress: 0.5, text: 'Loading model from cache[1/2]: 200MB loaded. 50% completed' }).phase).toBe('loading');
    expect(parseWebLlmProgress({ progress: 0.1, text: 'Loading GPU shader modules[10/90]: 11% completed' }).phase).toBe('loading');
    expect(parseWebLlmProgress({ progress: 0, text: 'Start to fetch params' }).phase).toBe('downloading');
  });
});

describe('toWebLlmMessages', () => {
  it('merges leading system messages and turns later ones into user notes', () => {
    const out = toWebLlmMessages([
      { role: 'system', content: 'You are Ada.' },
      { role: 'system', content: 'Scenario: a ship.' },
      { role: 'assistant', content: 'Ahoy!' },
      { role: 'user', content: 'Hi' },
      { role: 'system', content: 'Stay in character.' },
    ]);
    expect(out).toEqual([
      { role: 'system', content: 'You are Ada.\n\nScenario: a ship.' },
      { role: 'assistant', content: 'Ahoy!' },
      { role: 'user', content: 'Hi\n\n[System note: Stay in character.]' },
    ]);
  });

  it('ends with a user message', () => {
    expect(toWebLlmMessages([{ role: 'assistant', content: 'Once upon' }]).at(-1)).toEqual({ role: 'user', content: 'Continue.' });
    expect(toWebLlmMessages([])).toEqual([{ role: 'user', content: 'Continue.' }]);
  });
});

describe('mapWebLlmFinishReason', () => {
  it('maps OpenAI-style reasons', () => {
    expect(mapWebLlmFinishReason('abort')).toBe('abort');
    expect(mapWebLlmFinishReason('length')).toBe('length');
    expect(mapWebLlmFinishReason('tool_calls')).toBe('stop');
    expect(mapWebLlmFinishReason(null)).toBe('stop');
  });
});

describe('needsShaderF16', () => {
  it('is true for f16 builds and for records that require the feature, false for f32 builds', () => {
    expect(needsShaderF16('SmolLM2-360M-Instruct-q4f16_1-MLC', [])).toBe(true);
    expect(needsShaderF16('Llama-3-8B-q0f16-MLC', [])).toBe(true);
    expect(needsShaderF16('SmolLM2-360M-Instruct-q4f32_1-MLC', [])).toBe(false);
    expect(needsShaderF16('custom-model', [{ model_id: 'custom-model', required_features: ['shader-f16'] }])).toBe(true);
    expect(needsShaderF16('custom-model', [{ model_id: 'custom-model' }])).toBe(false);
  });
});
