import { describe, expect, it } from 'vitest';
import { CheckerNotLoadedError, ModelLoadError } from '../../protocol/errors';
import {
  STUB_LOAD_REQUEST as request,
  createStubRuntime,
  loadedStubHandlers as loaded,
  recordingContext as ctx,
} from '../../test/stubCheckerRuntime';
import { createCheckerHandlers } from './handlers';

describe('load', () => {
  it('aggregates bytes across both models, then loading, then warming; warm-up runs NLI and embeddings', async () => {
    const { events, result, runtime } = await loaded();
    const phases = events.map((e) => e.phase);
    expect(phases[0]).toBe('downloading');
    expect(phases.indexOf('loading')).toBeGreaterThan(0);
    expect(phases.lastIndexOf('downloading')).toBeLessThan(phases.indexOf('loading'));
    expect(phases.at(-1)).toBe('warming');
    const loading = events.find((e) => e.phase === 'loading')!;
    expect(loading.totalBytes).toBe(2 * (100 + 400 + 1500));
    expect(loading.loadedBytes).toBe(loading.totalBytes);
    const downloading = events.filter((e) => e.phase === 'downloading').map((e) => e.progress);
    expect([...downloading].sort((a, b) => a - b)).toEqual(downloading);
    expect(new Set(downloading.map((p) => Math.floor(p * 100))).size).toBe(downloading.length);
    expect(events.at(-1)!.progress).toBe(1);
    expect(runtime.nliPairs).toBeGreaterThan(0);
    expect(runtime.log.embedBatches.length).toBeGreaterThan(0);
    expect(result).toMatchObject({ nliModelId: 'stub-nli', embeddingModelId: 'stub-embed', dtype: 'q8', embeddingDim: 64, threads: 1 });
    expect(runtime.log.loads.map((l) => [l.modelId, l.dtype, l.device])).toEqual([
      ['stub-nli', 'q8', 'wasm'],
      ['stub-embed', 'q8', 'wasm'],
    ]);
  });

  it('warmUp: false still measures the embedding dimension', async () => {
    const runtime = createStubRuntime({ dim: 16 });
    const handlers = createCheckerHandlers(runtime);
    const result = await handlers.load({ ...request, warmUp: false }, ctx());
    expect(result.embeddingDim).toBe(16);
    expect(runtime.nliPairs).toBe(0);
  });

  it('a failed model load disposes the other model and loads nothing', async () => {
    const runtime = createStubRuntime({ embeddingLoadError: new Error('Failed to fetch') });
    const handlers = createCheckerHandlers(runtime);
    await expect(handlers.load(request, ctx())).rejects.toThrow('Failed to fetch');
    expect(runtime.log.disposed).toEqual(['stub-nli']);
    await expect(handlers.nli({ pairs: [] }, ctx())).rejects.toBeInstanceOf(CheckerNotLoadedError);
    expect(await handlers.status(null)).toBeNull();
  });

  it('a non-NLI model fails the load with ModelLoadError', async () => {
    const handlers = createCheckerHandlers(createStubRuntime({ id2label: { 0: 'LABEL_0', 1: 'LABEL_1' } }));
    await expect(handlers.load(request, ctx())).rejects.toBeInstanceOf(ModelLoadError);
  });

  it('webgpu defaults to fp32; unload disposes both models', async () => {
    const runtime = createStubRuntime();
    const handlers = createCheckerHandlers(runtime);
    const result = await handlers.load({ ...request, device: 'webgpu', warmUp: false }, ctx());
    expect(result.dtype).toBe('fp32');
    await handlers.unload(null);
    expect(runtime.log.disposed.sort()).toEqual(['stub-embed', 'stub-nli']);
    await expect(handlers.embed({ texts: ['x'] }, ctx())).rejects.toBeInstanceOf(CheckerNotLoadedError);
  });
});
