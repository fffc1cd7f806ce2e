import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SAMPLING } from '../domain/chat';
import type { TransformersLoadRequest } from '../protocol/chat';
import { chatWorkerOver, type ChatModelRuntime, type LoadedChatModel } from '../test/stubChatWorker';
import type { WorkerLike } from './workerHost';
import type { EngineState } from './ChatEngine';
import {
  GenerationInterruptedError,
  ModelDownloadCancelledError,
  ModelLoadError,
  WorkerCrashedError,
  WorkerStalledError,
} from './errors';
import { TRANSFORMERS_CHAT_STALL, TransformersEngine, type TransformersEngineOptions } from './TransformersEngine';

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

interface Script {
  pieces: string[];
  /** Ignore the stop signal (a worker that doesn't stop). */
  stuck?: boolean;
  /** Load waits for this before resolving. */
  loadGate?: Promise<void>;
  loadError?: Error;
  /** Generation waits for this before its first token (a long prefill). */
  prefill?: Promise<void>;
  /** Resolved when generation starts in the worker. */
  onGenerate?: () => void;
}

function model(script: Script): LoadedChatModel {
  return {
    async generate(input, io) {
      script.onGenerate?.();
      await script.prefill;
      for (let i = 0; i < script.pieces.length && i < input.maxNewTokens; i++) {
        if (io.signal.aborted && !script.stuck) return;
        await new Promise((r) => setTimeout(r, 2));
        io.onTokens(1);
        io.onText(script.pieces[i]!);
      }
      if (script.stuck && input.maxNewTokens > 1) await new Promise(() => {});
    },
    countPromptTokens: () => 7,
    countTokens: (t) => t.length,
    dispose: async () => {},
  };
}

function setup(script: Script, options: Pick<TransformersEngineOptions, 'stall'> = {}) {
  const requests: TransformersLoadRequest[] = [];
  const terminated: number[] = [];
  let spawned = 0;
  const runtime: ChatModelRuntime = {
    async load(request, onProgress) {
      requests.push(request);
      onProgress({ status: 'initiate', file: 'onnx/model_quantized.onnx' });
      onProgress({ status: 'progress', file: 'onnx/model_quantized.onnx', loaded: 50, total: 100 });
      await script.loadGate;
      if (script.loadError) throw script.loadError;
      onProgress({ status: 'done', file: 'onnx/model_quantized.onnx' });
      return model(script);
    },
  };
  const createWorker = (): WorkerLike => {
    const id = spawned++;
    const { worker, channel } = chatWorkerOver(runtime, () => terminated.push(id));
    channels.push(channel);
    return worker;
  };
  const engine = new TransformersEngine({
    createWorker,
    modelSource: { kind: 'self-hosted', baseUrl: 'http://127.0.0.1:4173/fixtures/models' },
    warmUpTokens: 1,
    ...options,
  });
  const states: EngineState[] = [];
  engine.subscribe((s) => {
    if (states.at(-1) !== s.state) states.push(s.state);
  });
  return { engine, requests, terminated, states, spawned: () => spawned };
}

const request = (stop: string[] = []) => ({
  messages: [{ role: 'user' as const, content: 'Hi' }],
  sampling: DEFAULT_SAMPLING,
  stop,
});

describe('TransformersEngine (worker over MessageChannel, stubbed pipeline)', () => {
  it('loads through the lifecycle states and sends the model source to the worker', async () => {
    const { engine, requests, states } = setup({ pieces: ['Hi', '!'] });
    const progress: string[] = [];
    await engine.load('tiny-decoder', { onProgress: (p) => progress.push(p.phase) });
    expect(states).toEqual(['downloading', 'loading', 'warming', 'ready']);
    expect(progress).toContain('warming');
    expect(requests[0]).toMatchObject({
      modelId: 'tiny-decoder',
      dtype: 'q8',
      device: 'wasm',
      source: { kind: 'self-hosted', baseUrl: 'http://127.0.0.1:4173/fixtures/models' },
    });
    expect(engine.status).toEqual({ state: 'ready', modelId: 'tiny-decoder' });
  });

  it('streams deltas, trims stop strings, reports usage; busy while generating', async () => {
    const { engine, states } = setup({ pieces: ['Ahoy', ' there', '\nUser:', ' nope'] });
    await engine.load('tiny-decoder');
    const deltas: string[] = [];
    const result = await engine.generate(request(['\nUser:']), { onDelta: (d) => deltas.push(d) });
    expect(deltas.join('')).toBe('Ahoy there');
    expect(result).toMatchObject({ text: 'Ahoy there', finishReason: 'stop', usage: { promptTokens: 7, completionTokens: 3 } });
    expect(states.slice(-2)).toEqual(['busy', 'ready']);
    await expect(engine.countTokens('abc')).resolves.toBe(3);
  });

  it('first interrupt is cooperative: finishReason abort, model stays loaded', async () => {
    const { engine, terminated } = setup({ pieces: ['a', 'b', 'c', 'd', 'e', 'f'] });
    await engine.load('tiny-decoder');
    const controller = new AbortController();
    const result = await engine.generate(request(), {
      signal: controller.signal,
      onDelta: () => controller.abort(),
    });
    expect(result.finishReason).toBe('abort');
    expect(result.text.length).toBeLessThan(6);
    expect(engine.status.state).toBe('ready');
    expect(terminated).toEqual([]);
  });

  it('second interrupt kills a stuck worker: GenerationInterruptedError with partial text, status absent', async () => {
    const { engine, terminated } = setup({ pieces: ['x', 'y'], stuck: true });
    await engine.load('tiny-decoder');
    let seen = 0;
    const done = engine.generate(request(), {
      onDelta: () => {
        if (++seen === 2) {
          engine.interrupt();
          setTimeout(() => engine.interrupt(), 5);
        }
      },
    });
    const err = await done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerationInterruptedError);
    expect((err as GenerationInterruptedError).partialText).toBe('xy');
    expect(engine.status.state).toBe('absent');
    expect(terminated).toEqual([0]);
  });

  it('cancelling a load terminates the worker; the next load respawns', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const s = setup({ pieces: ['ok'], loadGate: gate });
    const controller = new AbortController();
    const loading = s.engine.load('tiny-decoder', {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'downloading' && p.progress > 0) controller.abort();
      },
    });
    await expect(loading).rejects.toBeInstanceOf(ModelDownloadCancelledError);
    expect(s.engine.status.state).toBe('absent');
    expect(s.terminated).toEqual([0]);
    open();
    await s.engine.load('tiny-decoder');
    expect(s.spawned()).toBe(2);
    expect(s.engine.status.state).toBe('ready');
  });

  it('load failures become named errors in the error state', async () => {
    const { engine } = setup({ pieces: [], loadError: new TypeError('Failed to fetch') });
    const err = await engine.load('tiny-decoder').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).reason).toBe('network');
    expect(engine.status).toMatchObject({ state: 'error', modelId: 'tiny-decoder', error: { name: 'ModelLoadError' } });
  });

  it('a worker crash while idle puts the engine in the error state', async () => {
    const { engine } = setup({ pieces: ['a'] });
    await engine.load('tiny-decoder');
    channels.at(-1)!.port1.dispatchEvent(new Event('error'));
    expect(engine.status.state).toBe('error');
    if (engine.status.state === 'error') expect(engine.status.error).toBeInstanceOf(WorkerCrashedError);
  });

  it('refuses to generate without a model', async () => {
    const { engine } = setup({ pieces: [] });
    await expect(engine.generate(request())).rejects.toMatchObject({ name: 'EngineError' });
  });
});

describe('TransformersEngine stall watchdog', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A worker that was killed or hangs: takes messages, never answers. */
  function silentWorkers() {
    const spawned: { terminated: boolean; posted: { kind: string }[] }[] = [];
    const createWorker = (): WorkerLike => {
      const record = { terminated: false, posted: [] as { kind: string }[] };
      spawned.push(record);
      return {
        postMessage: (m) => record.posted.push(m as { kind: string }),
        addEventListener: () => {},
        removeEventListener: () => {},
        terminate: () => {
          record.terminated = true;
        },
      };
    };
    return { spawned, createWorker };
  }

  it(`a chat worker silent for ${TRANSFORMERS_CHAT_STALL.timeoutMs / 1000} s is stalled: terminated, error state, next load respawns`, async () => {
    vi.useFakeTimers();
    const { spawned, createWorker } = silentWorkers();
    const engine = new TransformersEngine({ createWorker });
    const loading = engine.load('tiny-decoder').catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(TRANSFORMERS_CHAT_STALL.timeoutMs - 1);
    expect(engine.status.state).toBe('downloading');
    expect(spawned[0]!.posted.filter((m) => m.kind === 'ping').length).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(await loading).toBeInstanceOf(WorkerStalledError);
    expect(engine.status).toMatchObject({ state: 'error', modelId: 'tiny-decoder', error: { name: 'WorkerStalledError' } });
    expect(spawned[0]!.terminated).toBe(true);
    expect(vi.getTimerCount()).toBe(0);

    const again = engine.load('tiny-decoder').catch((e: unknown) => e);
    expect(spawned).toHaveLength(2);
    engine.dispose();
    await again;
  });

  it('a reply that keeps streaming is not cut off, however long it runs past timeoutMs', async () => {
    // Deltas come every ~2 ms; 20 ms of silence would be a stall; the reply takes ≥ 80 ms.
    const { engine } = setup({ pieces: Array.from({ length: 40 }, () => 'a') }, { stall: { pingEveryMs: 5, timeoutMs: 20 } });
    await engine.load('tiny-decoder');
    const result = await engine.generate({ ...request(), sampling: { ...DEFAULT_SAMPLING, maxTokens: 40 } });
    expect(result.text).toBe('a'.repeat(40));
    expect(engine.status.state).toBe('ready');
  });
});

describe('TransformersEngine stop at any moment (timing forced)', () => {
  it('a signal aborted before generate: nothing is generated, finish reason abort, the model stays loaded', async () => {
    const { engine, terminated } = setup({ pieces: ['a', 'b', 'c'] });
    await engine.load('tiny-decoder');
    const controller = new AbortController();
    controller.abort();
    const deltas: string[] = [];
    const result = await engine.generate(request(), { signal: controller.signal, onDelta: (d) => deltas.push(d) });
    expect(result).toMatchObject({ text: '', finishReason: 'abort' });
    expect(deltas).toEqual([]);
    expect(engine.status.state).toBe('ready');
    expect(terminated).toEqual([]);
  });

  it('a stop during the prefill (no token yet) ends the reply before its first token', async () => {
    let release!: () => void;
    let started!: () => void;
    const generating = new Promise<void>((r) => (started = r));
    const script: Script = { pieces: ['a', 'b', 'c'] };
    const { engine, terminated } = setup(script);
    await engine.load('tiny-decoder', {});
    // After the warm-up: the next generation waits in its prefill until released.
    script.prefill = new Promise((r) => (release = r));
    script.onGenerate = () => started();
    const controller = new AbortController();
    const deltas: string[] = [];
    const done = engine.generate(request(), { signal: controller.signal, onDelta: (d) => deltas.push(d) });
    await generating;
    controller.abort();
    // The prefill ends only after the stop reached the worker.
    await vi.waitFor(() => expect(engine.status.state).toBe('busy'));
    setTimeout(release, 20);
    const result = await done;
    expect(result).toMatchObject({ text: '', finishReason: 'abort' });
    expect(deltas).toEqual([]);
    expect(engine.status.state).toBe('ready');
    expect(terminated).toEqual([]);
  });
});
