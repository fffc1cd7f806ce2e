import { describe, expect, it } from 'vitest';
import {
  TRANSFORMERS_CACHE_NAME,
  deleteTransformersModel,
  isTransformersModelCached,
  listTransformersModelFiles,
  transformersModelUrlPrefix,
  type CacheStorageLike,
} from './modelCache';

function fakeCaches(entries: Record<string, number>): CacheStorageLike & { urls(): string[] } {
  const map = new Map(Object.entries(entries));
  return {
    urls: () => [...map.keys()],
    has: async (name) => name === TRANSFORMERS_CACHE_NAME,
    open: async () => ({
      keys: async () => [...map.keys()].map((url) => ({ url })),
      match: async (url) => (map.has(url) ? { headers: { get: () => String(map.get(url)) } } : undefined),
      delete: async (url) => map.delete(url),
    }),
  };
}

const HF = 'https://huggingface.co/';

describe('transformers.js cache', () => {
  it('builds URL prefixes for both sources', () => {
    expect(transformersModelUrlPrefix('HuggingFaceTB/SmolLM2-135M-Instruct', { kind: 'huggingface' })).toBe(
      `${HF}HuggingFaceTB/SmolLM2-135M-Instruct/resolve/`,
    );
    expect(
      transformersModelUrlPrefix('tiny-decoder', { kind: 'self-hosted', baseUrl: 'models' }, 'http://127.0.0.1:4173/app/'),
    ).toBe('http://127.0.0.1:4173/app/models/tiny-decoder/');
  });

  it('lists, detects and deletes one model by prefix only', async () => {
    const caches = fakeCaches({
      [`${HF}HuggingFaceTB/SmolLM2-135M-Instruct/resolve/main/config.json`]: 800,
      [`${HF}HuggingFaceTB/SmolLM2-135M-Instruct/resolve/main/onnx/model_q4.onnx`]: 200e6,
      [`${HF}HuggingFaceTB/SmolLM2-135M-Instruct-v2/resolve/main/onnx/model_q4.onnx`]: 1,
      [`${HF}onnx-community/Qwen2.5-0.5B-Instruct/resolve/main/config.json`]: 700,
    });
    const source = { kind: 'huggingface' } as const;
    const files = await listTransformersModelFiles('HuggingFaceTB/SmolLM2-135M-Instruct', source, caches);
    expect(files.map((f) => f.bytes)).toEqual([800, 200e6]);
    expect(await isTransformersModelCached('HuggingFaceTB/SmolLM2-135M-Instruct', source, caches)).toBe(true);
    expect(await isTransformersModelCached('onnx-community/Qwen2.5-0.5B-Instruct', source, caches)).toBe(false);
    expect(await deleteTransformersModel('HuggingFaceTB/SmolLM2-135M-Instruct', source, caches)).toBe(2);
    expect(caches.urls()).toHaveLength(2);
  });
});
