import { describe, expect, it } from 'vitest';
import { ModelDownloadCancelledError, WorkerCrashedError } from './errors';
import { WebLlmEngine } from './WebLlmEngine';

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

function setup() {
  const workers: SilentWorker[] = [];
  const engine = new WebLlmEngine({
    createWorker: () => {
      const w = new SilentWorker();
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
