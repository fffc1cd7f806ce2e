import { describe, expect, it } from 'vitest';
import type { CheckerLoadRequest } from '../../protocol/checker';
import type { LoadProgress } from '../../protocol/loading';
import {
  STUB_LOAD_REQUEST as request,
  createStubRuntime,
  recordingContext as ctx,
  type StubRuntimeOptions,
} from '../../test/stubCheckerRuntime';
import { MEASURE_PAIRS, MEASURE_PROBE_PAIR, MEASURE_REPS } from './devices';
import { createCheckerHandlers } from './handlers';

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
