import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkerModelId } from '../domain/consistency';
import { createStubRuntime, fakeCheckerWorkers, type StubRuntimeOptions } from '../test/stubCheckerRuntime';
import {
  CHECKER_LOAD_STALL_MS,
  CHECKER_STALL,
  CheckerClient,
  CheckerNotReadyError,
  memoryDeviceDecisionStore,
  type CheckerClientOptions,
  type CheckerConfig,
  type DeviceDecision,
  type DeviceDecisionStore,
} from './CheckerClient';
import type { EngineState } from './ChatEngine';
import { ModelDownloadCancelledError, ModelLoadError, WorkerCrashedError, WorkerStalledError } from './errors';

const config: CheckerConfig = {
  nliModelId: 'stub-nli',
  embeddingModelId: 'stub-embed',
  source: { kind: 'self-hosted', baseUrl: 'http://127.0.0.1/models/' },
  warmUp: false,
};

const water = { id: 's-water', version: 1, text: 'Maren is afraid of deep water.' };
const eyes = { id: 's-eyes', version: 1, text: 'Maren has amber eyes.' };

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup(options: StubRuntimeOptions = {}, clientOptions: CheckerClientOptions = {}) {
  const runtime = createStubRuntime(options);
  const workers = fakeCheckerWorkers(runtime);
  const client = new CheckerClient({ createWorker: workers.createWorker, ...clientOptions });
  const states: EngineState[] = [];
  client.subscribe((s) => {
    if (states.at(-1) !== s.state) states.push(s.state);
  });
  cleanups.push(() => {
    client.dispose();
    workers.close();
  });
  return { runtime, workers, client, states };
}

describe('CheckerClient lifecycle', () => {
  it('goes absent → downloading → loading → warming → ready and reports progress', async () => {
    const { client, states } = setup();
    const progress: string[] = [];
    const info = await client.load({ ...config, warmUp: true }, { onProgress: (p) => progress.push(p.phase) });
    expect(states).toEqual(['downloading', 'loading', 'warming', 'ready']);
    expect(progress).toContain('downloading');
    expect(info.labelColumns).toEqual({ contradiction: 2, entailment: 0, neutral: 1 });
    expect(client.modelId).toBe(checkerModelId('stub-nli', 'stub-embed'));
    expect(client.isReady).toBe(true);
    // Same config again: no second load.
    await client.load({ ...config, warmUp: true });
    expect(states.at(-1)).toBe('ready');
  });

  it('model calls before a load throw CheckerNotReadyError', async () => {
    const { client } = setup();
    expect(client.isReady).toBe(false);
    await expect(client.scorePairs([{ statement: water, sentence: 'x' }])).rejects.toBeInstanceOf(CheckerNotReadyError);
  });

  it('a failed load is classified and leaves status error', async () => {
    const { client, states } = setup({ nliLoadError: new TypeError('Failed to fetch') });
    const err = await client.load(config).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).reason).toBe('network');
    expect(states.at(-1)).toBe('error');
  });

  it('aborting a load terminates the worker and goes back to absent', async () => {
    const { client, states } = setup();
    const controller = new AbortController();
    const p = client.load(config, { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(p).rejects.toBeInstanceOf(ModelDownloadCancelledError);
    expect(states.at(-1)).toBe('absent');
  });

  it('is busy while calls are in flight', async () => {
    const { client, states } = setup();
    await client.load(config);
    await client.scorePairs([{ statement: water, sentence: 'The sea is calm.' }]);
    expect(states.slice(-2)).toEqual(['busy', 'ready']);
  });
});

describe("CheckerClient device 'auto'", () => {
  const fastGpu: StubRuntimeOptions = { webgpu: { adapter: 'stub/gpu' }, msPerPair: { wasm: 10, webgpu: 1 } };

  /** A store that records what the client asks of it. */
  function spyStore(inner: DeviceDecisionStore = memoryDeviceDecisionStore()) {
    const calls = { list: 0, saved: [] as DeviceDecision[] };
    const store: DeviceDecisionStore = {
      list: () => (calls.list++, inner.list()),
      save: (d) => (calls.saved.push(d), inner.save(d)),
    };
    return { store, calls };
  }

  it('is the default: measures once, saves the decision, exposes it, and reuses it on the next load', async () => {
    const { store, calls } = spyStore();
    const { client, runtime } = setup(fastGpu, { deviceDecisions: store });
    expect(client.deviceDecision).toBeNull();
    const info = await client.load(config);
    expect(info.device).toBe('webgpu');
    expect(client.deviceDecision).toMatchObject({ device: 'webgpu', basis: 'measured', cached: false, pairsPerSecond: { wasm: 100, webgpu: 1000 } });
    expect(calls.saved).toHaveLength(1);
    expect(await store.list()).toEqual([expect.objectContaining({ key: info.deviceDecision.key, device: 'webgpu' })]);
    const wasmPairs = runtime.nliPairsOn.wasm;

    await client.unload();
    expect(client.deviceDecision).toBeNull();
    const again = await client.load(config);
    expect(again.deviceDecision).toMatchObject({ device: 'webgpu', basis: 'measured', cached: true });
    expect(runtime.nliPairsOn.wasm).toBe(wasmPairs); // not measured again
    expect(calls.saved).toHaveLength(1); // a reused decision is not saved again
  });

  it('a new client (a page reload) with the same store does not measure again', async () => {
    const store = memoryDeviceDecisionStore();
    await setup(fastGpu, { deviceDecisions: store }).client.load(config);
    const second = setup(fastGpu, { deviceDecisions: store });
    const info = await second.client.load(config);
    expect(info.deviceDecision).toMatchObject({ device: 'webgpu', cached: true });
    expect(second.runtime.nliPairsOn.wasm).toBe(0);
  });

  it('the pair cache is keyed by the dtype the measured device loaded', async () => {
    const { client, runtime } = setup(fastGpu);
    await client.load(config); // webgpu → fp32
    await client.scorePairs([{ statement: water, sentence: 'The deep water.' }]);
    const sent = runtime.nliPairs;
    await client.load({ ...config, device: 'wasm' }); // q8: answers may differ
    await client.scorePairs([{ statement: water, sentence: 'The deep water.' }]);
    expect(runtime.nliPairs).toBeGreaterThan(sent);
  });

  it('a forced device neither reads nor writes the decisions', async () => {
    const { store, calls } = spyStore();
    const { client, runtime } = setup(fastGpu, { deviceDecisions: store });
    const info = await client.load({ ...config, device: 'wasm' });
    expect(info.deviceDecision).toMatchObject({ device: 'wasm', basis: 'forced' });
    expect(calls).toEqual({ list: 0, saved: [] });
    expect(runtime.nliPairsOn.webgpu).toBe(0);
  });

  it('a store that cannot be read or written only costs a measurement', async () => {
    const broken: DeviceDecisionStore = {
      list: () => Promise.reject(new Error('DatabaseClosedError')),
      save: () => Promise.reject(new Error('QuotaExceededError')),
    };
    const { client } = setup(fastGpu, { deviceDecisions: broken });
    expect((await client.load(config)).deviceDecision).toMatchObject({ device: 'webgpu', cached: false });
  });
});

describe('CheckerClient caches', () => {
  it('scores pairs with labels mapped, then answers the same pairs from the cache', async () => {
    const { client, runtime } = setup();
    await client.load(config);
    const pairs = [
      { statement: water, sentence: 'I have never feared the deep water.' },
      { statement: eyes, sentence: 'I have never feared the deep water.' },
      { statement: eyes, sentence: 'My amber eyes glow.' },
    ];
    const first = await client.scorePairs(pairs);
    expect(first.map((p) => p.cached)).toEqual([false, false, false]);
    expect(first[0]!.contradiction).toBeGreaterThan(0.99);
    expect(first[1]!.neutral).toBeGreaterThan(0.99);
    expect(first[2]!.entailment).toBeGreaterThan(0.99);
    const sent = runtime.nliPairs;
    const second = await client.scorePairs(pairs);
    expect(runtime.nliPairs).toBe(sent);
    expect(second.map((p) => p.cached)).toEqual([true, true, true]);
    expect(second.map((p) => p.contradiction)).toEqual(first.map((p) => p.contradiction));
    expect(client.stats).toMatchObject({ nliPairsSent: 3, nliPairsCached: 3, nliCalls: 1 });
  });

  it('a new statement version misses the cache', async () => {
    const { client, runtime } = setup();
    await client.load(config);
    await client.scoreSentence('No deep water for me.', [water]);
    const sent = runtime.nliPairs;
    await client.scoreSentence('No deep water for me.', [{ ...water, version: 2 }]);
    expect(runtime.nliPairs).toBe(sent + 1);
  });

  it('shares identical requests in flight and duplicates within one call', async () => {
    const { client, runtime } = setup();
    await client.load(config);
    const pair = { statement: water, sentence: 'Deep water is fine.' };
    const [a, b] = await Promise.all([client.scorePairs([pair, pair]), client.scorePairs([pair])]);
    expect(runtime.nliPairs).toBe(1);
    expect(a[0]!.entailment).toBe(b[0]!.entailment);
  });

  it('relevance: embedding cosine through the calibration; an empty turn makes every statement passive', async () => {
    const { client, runtime } = setup();
    await client.load(config);
    const r = await client.relevance('Are you afraid of the water?', [water, eyes]);
    expect(r.get('s-water')).toBeGreaterThan(0.9);
    expect(r.get('s-eyes')).toBeLessThan(0.05);
    const embedded = runtime.log.embedBatches.flat().length;
    await client.relevance('Are you afraid of the water?', [water, eyes]);
    expect(runtime.log.embedBatches.flat().length).toBe(embedded);
    expect([...(await client.relevance('  ', [water, eyes])).values()]).toEqual([0, 0]);
    // prepare() embeds statements ahead of time; relevance then embeds only the turn.
    const caring = { id: 's-caring', version: 1, text: 'Maren is caring.' };
    await client.prepare([caring]);
    const before = runtime.log.embedBatches.flat().length;
    await client.relevance('Do you care?', [water, eyes, caring]);
    expect(runtime.log.embedBatches.flat().length).toBe(before + 1);
  });
});

describe('CheckerClient crash', () => {
  it('rejects in-flight calls with WorkerCrashedError; the next call respawns and reloads', async () => {
    let release!: () => void;
    let hold = false;
    const gate = new Promise<void>((r) => (release = r));
    const { client, workers, states } = setup({ nliGate: () => (hold ? gate : Promise.resolve()) });
    await client.load(config);
    hold = true;
    const inFlight = client.scorePairs([{ statement: water, sentence: 'The deep water.' }]);
    await new Promise((r) => setTimeout(r, 5));
    workers.crash();
    await expect(inFlight).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(states.at(-1)).toBe('error');
    expect(client.isReady).toBe(true); // a reload is one call away
    hold = false;
    release();
    const [p] = await client.scorePairs([{ statement: water, sentence: 'Not the deep water.' }]);
    expect(p!.contradiction).toBeGreaterThan(0.99);
    expect(workers.spawned).toBe(2);
    expect(states.at(-1)).toBe('ready');
  });
});

describe('CheckerClient stall watchdog', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it(`a loading checker silent for ${CHECKER_LOAD_STALL_MS / 1000} s (not just ${CHECKER_STALL.timeoutMs / 1000} s: creating sessions can't answer pings) is stalled: rejected, terminated, error state`, async () => {
    vi.useFakeTimers();
    const terminated: boolean[] = [];
    const client = new CheckerClient({
      // Killed or hung: takes messages, never answers.
      createWorker: () => {
        const i = terminated.push(false) - 1;
        return {
          postMessage: () => {},
          addEventListener: () => {},
          removeEventListener: () => {},
          terminate: () => {
            terminated[i] = true;
          },
        };
      },
    });
    cleanups.push(() => client.dispose());
    const loading = client.load(config).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(CHECKER_LOAD_STALL_MS - 1);
    expect(client.status.state).toBe('downloading');
    await vi.advanceTimersByTimeAsync(1);
    const err = await loading;
    expect(err).toBeInstanceOf(WorkerStalledError);
    expect((err as WorkerStalledError).userMessage).toMatch(new RegExp(`stopped responding for ${CHECKER_LOAD_STALL_MS / 1000} s`));
    expect(client.status).toMatchObject({ state: 'error', error: { name: 'WorkerStalledError' } });
    expect(terminated).toEqual([true]);
  });

  it('a stall of in-flight calls is a crash: the next call respawns and reloads', async () => {
    const workers = fakeCheckerWorkers(createStubRuntime());
    const frozen: boolean[] = [];
    const client = new CheckerClient({
      stall: { pingEveryMs: 5, timeoutMs: 30 },
      // Worker i goes silent once frozen[i] is set: nothing it posts reaches us.
      createWorker: () => {
        const w = workers.createWorker();
        const i = frozen.push(false) - 1;
        return { ...w, addEventListener: (t, l) => w.addEventListener(t, (e) => frozen[i] || l(e)) };
      },
    });
    cleanups.push(() => {
      client.dispose();
      workers.close();
    });
    await client.load(config);
    frozen[0] = true;
    const inFlight = client.scorePairs([{ statement: water, sentence: 'The deep water.' }]);
    await expect(inFlight).rejects.toBeInstanceOf(WorkerStalledError);
    expect(client.status.state).toBe('error');
    expect(client.isReady).toBe(true); // a reload is one call away
    const [p] = await client.scorePairs([{ statement: water, sentence: 'Not the deep water.' }]);
    expect(p!.contradiction).toBeGreaterThan(0.99);
    expect(workers.spawned).toBe(2);
    expect(client.status.state).toBe('ready');
  });
});
