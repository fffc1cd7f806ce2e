import { afterEach, describe, expect, it, vi } from 'vitest';
import { acceptHeartbeatPort } from '../test/channelWorker';
import type { StallOptions } from './stallWatchdog';
import { ModelDownloadCancelledError, WorkerCrashedError, WorkerStalledError } from './errors';
import { WEBLLM_STALL, WebLlmEngine } from './WebLlmEngine';

/** A worker that accepts WebLLM's messages and never answers (a long download). */
class SilentWorker extends EventTarget {
  onmessage: ((e: MessageEvent) => void) | null = null;
  readonly posted: { kind: string }[] = [];
  terminated = false;
  postMessage(message: { kind: string }) {
    this.posted.push(message);
  }
  terminate() {
    this.terminated = true;
  }
}

/** Silent on WebLLM's protocol, but its event loop runs: it answers our pings. */
class BusyWorker extends SilentWorker {
  override postMessage(message: { kind: string }, transfer: Transferable[] = []) {
    super.postMessage(message);
    acceptHeartbeatPort(new MessageEvent('message', { data: message, ports: transfer as MessagePort[] }));
  }
}

function setup(options: { stall?: StallOptions | false; Worker?: typeof SilentWorker } = {}) {
  const workers: SilentWorker[] = [];
  const engine = new WebLlmEngine({
    stall: options.stall,
    createWorker: () => {
      const w = new (options.Worker ?? SilentWorker)();
      workers.push(w);
      return w as unknown as Worker;
    },
  });
  return { engine, workers };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('WebLlmEngine without a GPU (worker stubbed)', () => {
  it('sends the app config and reload to the worker', async () => {
    const { engine, workers } = setup();
    const loading = engine.load('SmolLM2-360M-Instruct-q4f32_1-MLC');
    loading.catch(() => {});
    await until(() => workers[0]?.posted.some((m) => m.kind === 'reload') ?? false);
    expect(workers[0]!.posted.map((m) => m.kind)).toEqual(expect.arrayContaining(['setAppConfig', 'reload']));
    expect(engine.status.state).toBe('downloading');
    engine.dispose();
    await expect(loading).rejects.toBeInstanceOf(ModelDownloadCancelledError);
  });

  it('cancelling a load terminates the worker and returns to absent', async () => {
    const { engine, workers } = setup();
    const controller = new AbortController();
    const loading = engine.load('SmolLM2-360M-Instruct-q4f32_1-MLC', { signal: controller.signal });
    await until(() => workers.length > 0);
    controller.abort();
    await expect(loading).rejects.toBeInstanceOf(ModelDownloadCancelledError);
    expect(workers[0]!.terminated).toBe(true);
    expect(engine.status.state).toBe('absent');
  });

  it('a worker error during load rejects with WorkerCrashedError', async () => {
    const { engine, workers } = setup();
    const loading = engine.load('SmolLM2-360M-Instruct-q4f32_1-MLC');
    await until(() => workers.length > 0);
    workers[0]!.dispatchEvent(new Event('error'));
    await expect(loading).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(engine.status).toMatchObject({ state: 'error', modelId: 'SmolLM2-360M-Instruct-q4f32_1-MLC' });
    expect(workers[0]!.terminated).toBe(true);
  });

  it('a newer load supersedes the older one', async () => {
    const { engine, workers } = setup();
    const first = engine.load('SmolLM2-360M-Instruct-q4f32_1-MLC');
    await until(() => workers.length > 0);
    const second = engine.load('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    second.catch(() => {});
    await expect(first).rejects.toBeInstanceOf(ModelDownloadCancelledError);
    await until(() => workers.length > 1);
    expect(workers[0]!.terminated).toBe(true);
    expect(engine.status).toMatchObject({ state: 'downloading', modelId: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC' });
    engine.dispose();
  });

  it('refuses to generate without a model', async () => {
    const { engine } = setup();
    await expect(
      engine.generate({ messages: [{ role: 'user', content: 'hi' }], sampling: { temperature: 0, topP: 1, maxTokens: 5, presencePenalty: 0, repetitionPenalty: 1, contextSize: 512 }, stop: [] }),
    ).rejects.toMatchObject({ name: 'EngineError' });
  });
});

describe('WebLlmEngine stall watchdog', () => {
  const FAST: StallOptions = { pingEveryMs: 5, timeoutMs: 40 };
  const MODEL = 'SmolLM2-360M-Instruct-q4f32_1-MLC';

  afterEach(() => {
    vi.useRealTimers();
  });

  it('a worker that stops answering during a load: WorkerStalledError, terminated, error state', async () => {
    const { engine, workers } = setup({ stall: FAST });
    const err = await engine.load(MODEL).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerStalledError);
    expect(engine.status).toMatchObject({ state: 'error', modelId: MODEL, error: { name: 'WorkerStalledError' } });
    expect(workers[0]!.terminated).toBe(true);
    // The heartbeat port went to the worker, outside WebLLM's messages.
    expect(workers[0]!.posted[0]).toEqual({ kind: 'heartbeat-port' });
  });

  it('a worker busy in async work (it answers pings) is not declared stalled', async () => {
    const { engine, workers } = setup({ stall: FAST, Worker: BusyWorker });
    const loading = engine.load(MODEL);
    loading.catch(() => {});
    await until(() => workers[0]?.posted.some((m) => m.kind === 'reload') ?? false);
    await new Promise((r) => setTimeout(r, 5 * FAST.timeoutMs));
    expect(engine.status.state).toBe('downloading');
    expect(workers[0]!.terminated).toBe(false);
    engine.dispose();
    await expect(loading).rejects.toBeInstanceOf(ModelDownloadCancelledError);
  });

  it(`defaults to ${WEBLLM_STALL.timeoutMs / 1000} s of silence`, async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { engine, workers } = setup();
    const loading = engine.load(MODEL).catch((e: unknown) => e);
    // Wait for WebLLM's dynamic import without moving the fake clock
    // (vi.waitFor would advance it); setImmediate stays real.
    for (let i = 0; i < 10_000 && !workers[0]?.posted.some((m) => m.kind === 'reload'); i++) {
      await new Promise((r) => setImmediate(r));
    }
    expect(workers).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(WEBLLM_STALL.timeoutMs - 1);
    expect(engine.status.state).toBe('downloading');
    await vi.advanceTimersByTimeAsync(1);
    expect(await loading).toBeInstanceOf(WorkerStalledError);
    expect(workers[0]!.terminated).toBe(true);
  });

  it('stall: false turns the watchdog off', async () => {
    const { engine, workers } = setup({ stall: false });
    const loading = engine.load(MODEL);
    loading.catch(() => {});
    await until(() => workers[0]?.posted.some((m) => m.kind === 'reload') ?? false);
    expect(workers[0]!.posted.some((m) => m.kind === 'heartbeat-port')).toBe(false);
    engine.dispose();
    await expect(loading).rejects.toBeInstanceOf(ModelDownloadCancelledError);
  });
});
