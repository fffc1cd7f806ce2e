import { describe, expect, it } from 'vitest';
import type { CheckerLoadRequest } from '../protocol/checker';
import { CheckerNotLoadedError, ModelLoadError } from '../protocol/errors';
import type { LoadProgress } from '../protocol/loading';
import type { RpcContext } from '../protocol/rpc';
import {
  CheckerProgressAggregator,
  EMBED_BATCH_SIZE,
  MEASURE_PAIRS,
  MEASURE_PROBE_PAIR,
  MEASURE_REPS,
  NLI_BATCH_SIZE,
  createCheckerHandlers,
  labelColumns,
  lengthSortedBatches,
  meanPoolNormalize,
  nliProbsFromLogits,
  transferablesOf,
} from './checkerHandlers';
import { createStubRuntime, ruleLabel, type StubRuntimeOptions } from '../test/stubCheckerRuntime';

const request: CheckerLoadRequest = {
  nliModelId: 'stub-nli',
  embeddingModelId: 'stub-embed',
  source: { kind: 'self-hosted', baseUrl: 'http://127.0.0.1/models/' },
  device: 'wasm',
};

function ctx<P>(signal: AbortSignal = new AbortController().signal): RpcContext<P> & { events: P[] } {
  const events: P[] = [];
  return { events, progress: (p: P) => events.push(p), signal };
}

async function loaded(options: StubRuntimeOptions = {}) {
  const runtime = createStubRuntime(options);
  const handlers = createCheckerHandlers(runtime);
  const c = ctx<LoadProgress>();
  const result = await handlers.load(request, c);
  return { runtime, handlers, result, events: c.events };
}

describe('label mapping', () => {
  it('reads columns from id2label, case-insensitively, whatever the order', () => {
    expect(labelColumns({ 0: 'contradiction', 1: 'entailment', 2: 'neutral' })).toEqual({
      contradiction: 0,
      entailment: 1,
      neutral: 2,
    });
    expect(labelColumns({ 0: 'ENTAILMENT', 1: 'NEUTRAL', 2: 'CONTRADICTION' })).toEqual({
      contradiction: 2,
      entailment: 0,
      neutral: 1,
    });
    expect(labelColumns({ 0: 'entailment', 1: 'contradiction' })).toEqual({ contradiction: 1, entailment: 0, neutral: -1 });
  });

  it('rejects a model without NLI labels', () => {
    expect(() => labelColumns({ 0: 'LABEL_0', 1: 'LABEL_1' })).toThrow(ModelLoadError);
  });

  it('softmaxes a row into labelled probabilities', () => {
    const p = nliProbsFromLogits([3, -3, -3], { contradiction: 2, entailment: 0, neutral: 1 });
    expect(p.entailment).toBeCloseTo(Math.exp(6) / (Math.exp(6) + 2), 10);
    expect(p.contradiction).toBeCloseTo(1 / (Math.exp(6) + 2), 10);
    expect(p.contradiction + p.entailment + p.neutral).toBeCloseTo(1, 12);
    const two = nliProbsFromLogits([0, 0], { contradiction: 1, entailment: 0, neutral: -1 });
    expect(two).toEqual({ contradiction: 0.5, entailment: 0.5, neutral: 0 });
  });

  it('nli() maps a model whose labels are in an unusual order', async () => {
    // The stub's id2label is {0: ENTAILMENT, 1: NEUTRAL, 2: CONTRADICTION}.
    const { handlers, result } = await loaded();
    expect(result.labelColumns).toEqual({ contradiction: 2, entailment: 0, neutral: 1 });
    const [c, e, n] = await handlers.nli(
      {
        pairs: [
          { premise: 'Maren is afraid of deep water.', hypothesis: 'Maren is not afraid of deep water.' },
          { premise: 'Maren is afraid of deep water.', hypothesis: 'Maren stays away from the deep water.' },
          { premise: 'Maren is afraid of deep water.', hypothesis: 'The weather is nice today.' },
        ],
      },
      ctx(),
    );
    expect(c!.contradiction).toBeGreaterThan(0.99);
    expect(e!.entailment).toBeGreaterThan(0.99);
    expect(n!.neutral).toBeGreaterThan(0.99);
  });
});

describe('batching', () => {
  it('sorts by length, batches, and covers every index once', () => {
    const lengths = [5, 1, 4, 1, 3, 2];
    const batches = lengthSortedBatches(lengths.length, (i) => lengths[i]!, 4);
    expect(batches).toEqual([
      [1, 3, 5, 4],
      [2, 0],
    ]);
  });

  it('nli() keeps input order across length-sorted batches', async () => {
    const { handlers, runtime } = await loaded();
    const before = runtime.log.nliBatches.length;
    const pairs = Array.from({ length: 37 }, (_, i) => {
      const pad = ' really'.repeat((i * 7) % 11);
      // Every third pair is a contradiction; its position must survive sorting.
      return i % 3 === 0
        ? { premise: `She loves the sea${pad}.`, hypothesis: `She does not love the sea ${i}.` }
        : { premise: `She loves the sea${pad}.`, hypothesis: `The weather is nice ${i}.` };
    });
    const out = await handlers.nli({ pairs }, ctx());
    expect(out).toHaveLength(37);
    out.forEach((p, i) => {
      const want = ruleLabel(pairs[i]!.premise, pairs[i]!.hypothesis);
      expect(want).toBe(i % 3 === 0 ? 'contradiction' : 'neutral');
      expect(p[want]).toBeGreaterThan(0.99);
    });
    const batches = runtime.log.nliBatches.slice(before);
    expect(batches.map((b) => b.premises.length)).toEqual([NLI_BATCH_SIZE, NLI_BATCH_SIZE, 37 - 2 * NLI_BATCH_SIZE]);
    // Lengths never decrease across the batch sequence: padding is minimal.
    const lens = batches.flatMap((b) => b.premises.map((p, i) => p.length + b.hypotheses[i]!.length));
    expect([...lens].sort((a, b) => a - b)).toEqual(lens);
  });

  it('embed() mean-pools over unmasked tokens, normalises, keeps order across batches', async () => {
    const { handlers, runtime } = await loaded();
    const before = runtime.log.embedBatches.length;
    const texts = Array.from({ length: EMBED_BATCH_SIZE + 5 }, (_, i) =>
      i % 2 ? `amber eyes glow ${'softly '.repeat(i % 4)}` : 'deep water',
    );
    const out = await handlers.embed({ texts }, ctx());
    expect(runtime.log.embedBatches.length - before).toBe(2);
    expect(out).toHaveLength(texts.length);
    for (const v of out) expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    // Same text → same vector, whatever batch or padding it landed in.
    const water = out.filter((_, i) => i % 2 === 0);
    for (const v of water) expect([...v]).toEqual([...water[0]!]);
  });

  it('meanPoolNormalize ignores padded tokens', () => {
    // batch 2 × tokens 2 × dim 2; row 1's second token is padding with huge values.
    const data = new Float32Array([1, 0, 0, 1, 3, 4, 999, 999]);
    const mask = new BigInt64Array([1n, 1n, 1n, 0n]);
    const [a, b] = meanPoolNormalize({ data, dims: [2, 2, 2] }, mask);
    expect(a![0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(a![1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect([...b!].map((x) => Number(x.toFixed(6)))).toEqual([0.6, 0.8]);
  });

  it('cancelling stops between batches with an AbortError', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The first batch is held until after the abort (warm-up is off, so it is the nli call's).
    const runtime = createStubRuntime({ nliGate: () => gate });
    const handlers = createCheckerHandlers(runtime);
    await handlers.load({ ...request, warmUp: false }, ctx());
    const controller = new AbortController();
    const pairs = Array.from({ length: 3 * NLI_BATCH_SIZE }, () => ({ premise: 'a sea', hypothesis: 'the sea' }));
    const p = handlers.nli({ pairs }, ctx(controller.signal));
    await new Promise((r) => setTimeout(r, 0));
    controller.abort();
    release();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(runtime.log.nliBatches.length).toBe(1);
  });
});

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

  it('aggregator waits for both models’ weights before "loading" and never goes back', () => {
    const out: LoadProgress[] = [];
    const agg = new CheckerProgressAggregator(['a', 'b'], (p) => out.push(p));
    agg.handle('a', { status: 'progress', file: 'onnx/model.onnx', loaded: 10, total: 100 });
    expect(out.at(-1)).toMatchObject({ phase: 'downloading', progress: 0.1 });
    // b's size becomes known: 10/200 would be a step back; the bar holds at 0.1.
    agg.handle('b', { status: 'progress', file: 'onnx/model.onnx', loaded: 0, total: 100 });
    expect(out).toHaveLength(1);
    agg.handle('a', { status: 'done', file: 'onnx/model.onnx' });
    expect(out.at(-1)).toMatchObject({ phase: 'downloading', loadedBytes: 100, totalBytes: 200, progress: 0.5 });
    agg.handle('b', { status: 'done', file: 'onnx/model.onnx' });
    expect(out.at(-1)).toMatchObject({ phase: 'loading', loadedBytes: 200, totalBytes: 200 });
    const n = out.length;
    agg.handle('b', { status: 'progress', file: 'late.json', loaded: 1, total: 10 });
    expect(out.length).toBe(n);
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

describe("device 'auto'", () => {
  const auto: CheckerLoadRequest = { ...request, device: 'auto' };
  const gpu = (extra: Partial<NonNullable<StubRuntimeOptions['webgpu']>> = {}) => ({ adapter: 'stub/gpu', ...extra });

  async function loadAuto(options: StubRuntimeOptions, req: CheckerLoadRequest = auto) {
    const runtime = createStubRuntime(options);
    const handlers = createCheckerHandlers(runtime);
    const c = ctx<LoadProgress>();
    const result = await handlers.load(req, c);
    return { runtime, handlers, result, events: c.events };
  }
  const devicesLoaded = (runtime: ReturnType<typeof createStubRuntime>) =>
    runtime.log.loads.map((l) => `${l.modelId}@${l.device}:${l.dtype}`);

  it('the WebGPU probe pair is shorter than every measured pair (what makes the early stop sound)', () => {
    const len = (p: { premise: string; hypothesis: string }) => p.premise.length + p.hypothesis.length;
    for (const p of MEASURE_PAIRS) expect(len(MEASURE_PROBE_PAIR)).toBeLessThan(len(p));
  });

  it('no WebGPU adapter → wasm, reason "no WebGPU adapter", WebGPU never loaded or run', async () => {
    const { runtime, result } = await loadAuto({});
    expect(result.device).toBe('wasm');
    expect(result.deviceDecision).toMatchObject({ device: 'wasm', basis: 'no-adapter', reason: 'no WebGPU adapter', key: null, pairsPerSecond: {} });
    expect(devicesLoaded(runtime)).toEqual(['stub-nli@wasm:q8', 'stub-embed@wasm:q8']);
    expect(runtime.nliPairsOn.webgpu).toBe(0);
  });

  it('WebGPU faster → webgpu chosen, the wasm sessions disposed, the embedding model follows', async () => {
    const { runtime, handlers, result, events } = await loadAuto({ webgpu: gpu(), msPerPair: { wasm: 10, webgpu: 1 } });
    expect(result.device).toBe('webgpu');
    expect(result.dtype).toBe('fp32');
    // Fake clock: 8 pairs × 10 ms on wasm, × 1 ms on WebGPU.
    expect(result.deviceDecision).toMatchObject({
      device: 'webgpu',
      basis: 'measured',
      adapter: 'stub/gpu',
      threads: 1,
      cached: false,
      pairsPerSecond: { wasm: 100, webgpu: 1000 },
    });
    expect(result.deviceDecision.key).toContain('stub/gpu');
    expect(result.deviceDecision.reason).toBe('measured: wasm 100 pairs/s, WebGPU 1000 pairs/s');
    expect(devicesLoaded(runtime)).toEqual(['stub-nli@wasm:q8', 'stub-embed@wasm:q8', 'stub-nli@webgpu:fp32', 'stub-embed@webgpu:fp32']);
    expect(runtime.log.disposedSessions.sort()).toEqual(['stub-embed@wasm', 'stub-nli@wasm']);
    // Measured: one untimed + MEASURE_REPS timed batches on wasm.
    expect(runtime.nliPairsOn.wasm).toBe((1 + MEASURE_REPS) * MEASURE_PAIRS.length);
    // One bar: the WebGPU candidate downloads with the others; warming ends at 1.
    expect(events.find((e) => e.phase === 'loading')!.totalBytes).toBe(3 * (100 + 400 + 1500));
    expect(events.some((e) => e.phase === 'warming' && /Measuring/.test(e.text ?? ''))).toBe(true);
    const warming = events.filter((e) => e.phase === 'warming').map((e) => e.progress);
    expect([...warming].sort((a, b) => a - b)).toEqual(warming);
    expect(warming.at(-1)).toBe(1);
    // Model calls now run on WebGPU.
    const before = runtime.log.nliBatches.length;
    await handlers.nli({ pairs: [{ premise: 'a sea', hypothesis: 'the sea' }] }, ctx());
    expect(runtime.log.nliBatches.slice(before).map((b) => b.device)).toEqual(['webgpu']);
    await handlers.unload(null);
    expect(runtime.log.disposedSessions.sort()).toEqual(['stub-embed@wasm', 'stub-embed@webgpu', 'stub-nli@wasm', 'stub-nli@webgpu']);
  });

  it('WebGPU ~100× slower → wasm, after only two single-pair WebGPU calls', async () => {
    const { runtime, result } = await loadAuto({ webgpu: gpu(), msPerPair: { wasm: 10, webgpu: 1000 } });
    expect(result.device).toBe('wasm');
    expect(result.dtype).toBe('q8');
    expect(result.deviceDecision).toMatchObject({ basis: 'measured', pairsPerSecond: { wasm: 100, webgpu: 1 } });
    expect(result.deviceDecision.reason).toMatch(/stopped after one pair/);
    // The early stop: a cold pair and a timed pair, never a batch.
    expect(runtime.nliPairsOn.webgpu).toBe(2);
    expect(runtime.log.disposedSessions).toEqual(['stub-nli@webgpu']);
    expect(devicesLoaded(runtime)).not.toContain('stub-embed@webgpu:fp32');
  });

  it('WebGPU a little faster but under the margin → wasm (a near tie goes to the CPU)', async () => {
    const { runtime, result } = await loadAuto({ webgpu: gpu(), msPerPair: { wasm: 10, webgpu: 9 } });
    expect(result.device).toBe('wasm');
    expect(result.deviceDecision.pairsPerSecond.webgpu).toBeCloseTo(1000 / 9, 6);
    // Not stopped early: cold + timed pair, one untimed batch, MEASURE_REPS timed batches.
    expect(runtime.nliPairsOn.webgpu).toBe(2 + (1 + MEASURE_REPS) * MEASURE_PAIRS.length);
  });

  it('a slow WebGPU batch is cut by the time budget after one timed run', async () => {
    // One pair (300 ms × 1.2) is under the wasm reference (8 × 100 ms), so batches run: 2.4 s each.
    const { runtime, result } = await loadAuto({ webgpu: gpu(), msPerPair: { wasm: 100, webgpu: 300 } });
    expect(result.device).toBe('wasm');
    expect(runtime.nliPairsOn.webgpu).toBe(2 + 2 * MEASURE_PAIRS.length);
  });

  it('a forced device measures nothing and never asks for an adapter', async () => {
    for (const device of ['wasm', 'webgpu'] as const) {
      const runtime = createStubRuntime({ webgpu: gpu(), msPerPair: { wasm: 10, webgpu: 1 } });
      let asked = 0;
      const probe = runtime.webgpuAdapter;
      runtime.webgpuAdapter = () => (asked++, probe());
      const result = await createCheckerHandlers(runtime).load({ ...request, device }, ctx());
      expect(asked).toBe(0);
      expect(result.deviceDecision).toMatchObject({ device, basis: 'forced', key: null, pairsPerSecond: {} });
      expect(runtime.log.loads.map((l) => l.device)).toEqual([device, device]);
      expect(runtime.nliPairsOn[device === 'wasm' ? 'webgpu' : 'wasm']).toBe(0);
    }
  });

  it('a known decision for the same key is reused without measuring; another key is measured', async () => {
    const first = await loadAuto({ webgpu: gpu(), msPerPair: { wasm: 10, webgpu: 1 } });
    const known = first.result.deviceDecision;

    const again = await loadAuto({ webgpu: gpu(), msPerPair: { wasm: 10, webgpu: 1 } }, { ...auto, knownDecisions: [known] });
    expect(again.result.device).toBe('webgpu');
    expect(again.result.deviceDecision).toMatchObject({ ...known, cached: true });
    expect(devicesLoaded(again.runtime)).toEqual(['stub-nli@webgpu:fp32', 'stub-embed@webgpu:fp32']);
    expect(again.runtime.nliPairsOn.wasm).toBe(0);

    // Another adapter (or model, dtype, threads) is another key: measured again.
    const other = await loadAuto({ webgpu: gpu({ adapter: 'other/gpu' }), msPerPair: { wasm: 10, webgpu: 1000 } }, { ...auto, knownDecisions: [known] });
    expect(other.result.deviceDecision).toMatchObject({ device: 'wasm', basis: 'measured', cached: false });
    expect(other.runtime.nliPairsOn.webgpu).toBeGreaterThan(0);
  });

  it('a remembered WebGPU choice that no longer loads falls back to wasm instead of failing', async () => {
    const { result } = await loadAuto({ webgpu: gpu(), msPerPair: { wasm: 10, webgpu: 1 } });
    const known = result.deviceDecision;
    expect(known.device).toBe('webgpu');
    const broken = await loadAuto({ webgpu: gpu({ loadError: new Error('device lost') }) }, { ...auto, knownDecisions: [known] });
    expect(broken.result.deviceDecision).toMatchObject({ device: 'wasm', basis: 'webgpu-failed', reason: 'WebGPU could not run the checker (device lost)' });
    expect(devicesLoaded(broken.runtime)).toEqual(['stub-nli@webgpu:fp32', 'stub-embed@webgpu:fp32', 'stub-nli@wasm:q8', 'stub-embed@wasm:q8']);
    // Forced, the same failure is the load's error.
    await expect(
      createCheckerHandlers(createStubRuntime({ webgpu: gpu({ loadError: new Error('device lost') }) })).load({ ...request, device: 'webgpu' }, ctx()),
    ).rejects.toThrow('device lost');
  });

  it('WebGPU failing to load or to run → wasm with the reason; the bar still reaches "loading"', async () => {
    const load = await loadAuto({ webgpu: gpu({ loadError: new Error('no fp32 kernel') }) });
    expect(load.result.deviceDecision).toMatchObject({ device: 'wasm', basis: 'webgpu-failed', key: null });
    expect(load.result.deviceDecision.reason).toBe('WebGPU could not run the checker (no fp32 kernel)');
    expect(load.events.some((e) => e.phase === 'loading')).toBe(true);
    expect(load.runtime.nliPairsOn.webgpu).toBe(0);

    const run = await loadAuto({ webgpu: gpu({ runError: new Error('device lost') }) });
    expect(run.result.deviceDecision).toMatchObject({ device: 'wasm', basis: 'webgpu-failed', pairsPerSecond: { wasm: 100 } });
    expect(run.runtime.log.disposedSessions).toEqual(['stub-nli@webgpu']);
  });

  it('a failed wasm load while measuring disposes the WebGPU candidate too', async () => {
    const runtime = createStubRuntime({ webgpu: gpu(), embeddingLoadError: new Error('Failed to fetch') });
    await expect(createCheckerHandlers(runtime).load(auto, ctx())).rejects.toThrow('Failed to fetch');
    expect(runtime.log.disposedSessions.sort()).toEqual(['stub-nli@wasm', 'stub-nli@webgpu']);
  });
});

describe('transferablesOf', () => {
  it('lists each vector buffer of an embed result once, nothing for other messages', () => {
    const a = new Float32Array(4);
    const b = new Float32Array(4);
    const shared = new Float32Array(8);
    const msg = { kind: 'result', id: 1, result: [a, b, shared.subarray(0, 4), shared.subarray(4)] };
    expect(transferablesOf(msg)).toEqual([a.buffer, b.buffer, shared.buffer]);
    expect(transferablesOf({ kind: 'result', id: 2, result: [{ contradiction: 1 }] })).toEqual([]);
    expect(transferablesOf({ kind: 'progress', id: 3, progress: a })).toEqual([]);
  });
});
