import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatEngine, EngineKind, EngineStatus } from '../engines/ChatEngine';
import { GpuDeviceLostError, ModelLoadError, OutOfMemoryError } from '../engines/errors';
import type { WebGpuDetection } from '../engines/detect';
import { offerCpuFallback, setEngineFactory, useEngine } from './engine';

/** TEST DOUBLE: an engine whose loads succeed or fail as told, recording what it was asked. */
function fakeEngine(kind: EngineKind, fail?: unknown) {
  const loads: string[] = [];
  let status: EngineStatus = { state: 'absent' };
  const listeners = new Set<(s: EngineStatus) => void>();
  const set = (s: EngineStatus) => {
    status = s;
    for (const l of listeners) l(s);
  };
  const engine: ChatEngine & { loads: string[]; disposed: boolean } = {
    kind,
    loads,
    disposed: false,
    get status() {
      return status;
    },
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    load: async (id: string) => {
      loads.push(id);
      if (fail) {
        // As the real engines do: the status names the model that failed.
        set({ state: 'error', modelId: id, error: fail as never });
        throw fail;
      }
      set({ state: 'ready', modelId: id });
    },
    generate: async () => {
      throw new Error('unused');
    },
    interrupt: () => {},
    unload: async () => set({ state: 'absent' }),
    dispose: () => {
      engine.disposed = true;
    },
  };
  return engine;
}

const gpu: WebGpuDetection = {
  available: true,
  hasF16: false,
  adapterInfo: { vendor: 'nvidia', architecture: 'ampere', device: '', description: '', isFallbackAdapter: false },
  limits: { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30, maxComputeWorkgroupStorageSize: 32768 },
};

class MemoryStorage {
  map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

const initial = useEngine.getState();
let made: ReturnType<typeof fakeEngine>[];
let session: MemoryStorage;

beforeEach(() => {
  made = [];
  session = new MemoryStorage();
  (globalThis as { sessionStorage?: unknown }).sessionStorage = session;
});
afterEach(() => {
  useEngine.setState(initial, true);
  delete (globalThis as { sessionStorage?: unknown }).sessionStorage;
});

/** The store with a GPU engine whose load fails with `error`; CPU engines load fine. */
async function gpuThatFails(error: unknown) {
  setEngineFactory((kind) => {
    const e = fakeEngine(kind, kind === 'webllm' ? error : undefined);
    made.push(e);
    return e;
  });
  const engine = fakeEngine('webllm', error);
  made.push(engine);
  useEngine.setState({ engine, status: engine.status, detection: gpu, choice: { kind: 'webllm', reason: 'GPU', detection: gpu } });
  expect(await useEngine.getState().load('SmolLM2-360M-Instruct-q4f32_1-MLC')).toBe(false);
}

describe('falling back to the CPU engine', () => {
  it('offers it after a GPU failure and, in one click, loads the closest CPU model and remembers it for the session', async () => {
    await gpuThatFails(new OutOfMemoryError());
    const error = useEngine.getState().lastError!;
    expect(error.name).toBe('OutOfMemoryError');
    const offer = offerCpuFallback(error)!;
    expect(offer.label).toBe('Continue on CPU');
    await offer.run();
    const { engine, status, cpuForSession, choice } = useEngine.getState();
    expect(engine?.kind).toBe('transformers');
    expect(status).toEqual({ state: 'ready', modelId: 'HuggingFaceTB/SmolLM2-360M-Instruct' });
    expect(cpuForSession).toBe(true);
    expect(choice?.reason).toMatch(/CPU engine for this session/);
    expect(session.getItem('in-character.cpu-for-session')).toBe('1');
    expect(made.find((e) => e.kind === 'webllm')?.disposed).toBe(true);
  });

  it('offers it for a lost device or a build the GPU cannot run, not for a network failure', async () => {
    await gpuThatFails(new GpuDeviceLostError());
    expect(offerCpuFallback(useEngine.getState().lastError!)).not.toBeNull();
    expect(offerCpuFallback(new ModelLoadError('x', { reason: 'unsupported' }))).not.toBeNull();
    expect(offerCpuFallback(new ModelLoadError('x', { reason: 'network' }))).toBeNull();
  });

  it('is not offered when the CPU engine is the one that failed', async () => {
    setEngineFactory((kind) => fakeEngine(kind, new OutOfMemoryError()));
    useEngine.setState({ engine: fakeEngine('transformers', new OutOfMemoryError()) });
    await useEngine.getState().load('x');
    expect(offerCpuFallback(useEngine.getState().lastError!)).toBeNull();
  });

  it('an explicit engine choice ends the session fallback', async () => {
    await gpuThatFails(new OutOfMemoryError());
    await offerCpuFallback(useEngine.getState().lastError!)!.run();
    await useEngine.getState().setPreference('transformers');
    expect(useEngine.getState().cpuForSession).toBe(false);
    expect(session.getItem('in-character.cpu-for-session')).toBeNull();
  });
});
