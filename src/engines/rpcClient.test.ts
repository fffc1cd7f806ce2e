import { afterEach, describe, expect, it } from 'vitest';
import { GenerationInterruptedError, ModelLoadError, RemoteError, WorkerCrashedError } from '../protocol/errors';
import type { RpcContext, RpcHandlers } from '../protocol/rpc';
import { channelWorker, serveRpc } from '../test/channelWorker';
import { createRpcClient } from './rpcClient';
import { WorkerHost, type WorkerLike } from './workerHost';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

const handlers = {
  add: async ({ a, b }: { a: number; b: number }) => a + b,
  count: async (n: number, ctx: RpcContext<{ done: number }>) => {
    for (let i = 1; i <= n; i++) ctx.progress({ done: i });
    return 'counted';
  },
  async *stream(words: string[]): AsyncGenerator<string, { total: number }, void> {
    for (const w of words) yield w;
    return { total: words.length };
  },
  failLoad: async (_: null) => {
    throw new ModelLoadError('no network', { reason: 'network' });
  },
  failType: async (_: null) => {
    throw new TypeError('Failed to fetch');
  },
  failString: async (_: null) => {
    // WebLLM-style rejection: a string.
    throw 'DeviceLostError: gone';
  },
  waitForCancel: async (_: null, ctx: RpcContext<string>) => {
    ctx.progress('started');
    await waitForAbort(ctx.signal);
    return 'stopped early';
  },
  hang: async (_: null, ctx: RpcContext<string>) => {
    ctx.progress('started');
    await new Promise(() => {});
  },
} satisfies RpcHandlers;
type H = typeof handlers;

const channels: MessageChannel[] = [];
function connect() {
  const channel = new MessageChannel();
  channels.push(channel);
  const stop = serveRpc(channel.port2, handlers);
  const client = createRpcClient<H>(channel.port1);
  return { channel, client, stop };
}

afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

describe('rpc over a MessageChannel', () => {
  it('returns results', async () => {
    const { client } = connect();
    await expect(client.call('add', { a: 2, b: 3 })).resolves.toBe(5);
    expect(client.pendingCount).toBe(0);
  });

  it('forwards progress in order before the result', async () => {
    const { client } = connect();
    const seen: number[] = [];
    const result = await client.call('count', 3, { onProgress: (p) => seen.push(p.done) });
    expect(result).toBe('counted');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('streams an async generator: yields are progress, return is the result', async () => {
    const { client } = connect();
    const chunks: string[] = [];
    const result = await client.call('stream', ['a', 'b', 'c'], { onProgress: (w) => chunks.push(w) });
    expect(chunks).toEqual(['a', 'b', 'c']);
    expect(result).toEqual({ total: 3 });
  });

  it('rethrows our named errors as the same classes', async () => {
    const { client } = connect();
    const err = await client.call('failLoad', null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).name).toBe('ModelLoadError');
    expect((err as Error).message).toBe('no network');
  });

  it('keeps foreign error names and parses "Name: message" strings', async () => {
    const { client } = connect();
    const typeErr = await client.call('failType', null).catch((e: unknown) => e);
    expect(typeErr).toBeInstanceOf(RemoteError);
    expect(typeErr).toMatchObject({ name: 'TypeError', message: 'Failed to fetch' });
    const strErr = await client.call('failString', null).catch((e: unknown) => e);
    expect(strErr).toMatchObject({ name: 'DeviceLostError', message: 'gone' });
  });

  it('rejects unknown methods with a named error', async () => {
    const { client } = connect();
    // Simulate a client built against a newer handler map.
    const loose = client as unknown as { call(m: string, p: unknown): Promise<unknown> };
    await expect(loose.call('nope', null)).rejects.toMatchObject({ name: 'RpcMethodNotFoundError' });
  });

  it('cancel aborts the handler signal; the handler decides the result', async () => {
    const { client } = connect();
    const controller = new AbortController();
    const promise = client.call('waitForCancel', null, {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(promise).resolves.toBe('stopped early');
  });

  it('an already-aborted signal cancels at once', async () => {
    const { client } = connect();
    const controller = new AbortController();
    controller.abort();
    await expect(client.call('waitForCancel', null, { signal: controller.signal })).resolves.toBe('stopped early');
  });

  it('rejects every pending call with WorkerCrashedError on an error event', async () => {
    const { channel, client } = connect();
    let started!: () => void;
    const isStarted = new Promise<void>((r) => (started = r));
    const results = [client.call('hang', null, { onProgress: () => started() }), client.call('hang', null)];
    await isStarted;
    channel.port1.dispatchEvent(new Event('error'));
    for (const r of results) await expect(r).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(client.pendingCount).toBe(0);
  });

  it('messageerror also counts as a crash', async () => {
    const { channel, client } = connect();
    const p = client.call('hang', null);
    await sleep(5);
    channel.port1.dispatchEvent(new Event('messageerror'));
    await expect(p).rejects.toBeInstanceOf(WorkerCrashedError);
  });

  it('dispose rejects pending calls with the given reason and refuses new ones', async () => {
    const { client } = connect();
    const p = client.call('hang', null);
    client.dispose(new GenerationInterruptedError('stop'));
    await expect(p).rejects.toBeInstanceOf(GenerationInterruptedError);
    await expect(client.call('add', { a: 1, b: 1 })).rejects.toBeInstanceOf(GenerationInterruptedError);
  });
});

describe('WorkerHost (cancel twice)', () => {
  function fakeWorkerFactory() {
    const spawned: { terminated: boolean }[] = [];
    const factory = (): WorkerLike => {
      const record = { terminated: false };
      spawned.push(record);
      const { worker, channel } = channelWorker(handlers, () => (record.terminated = true));
      channels.push(channel);
      return worker;
    };
    return { factory, spawned };
  }

  it('first interrupt is cooperative', async () => {
    const { factory, spawned } = fakeWorkerFactory();
    const host = new WorkerHost<H>(factory);
    let started!: () => void;
    const isStarted = new Promise<void>((r) => (started = r));
    const p = host.call('waitForCancel', null, { onProgress: () => started() });
    await isStarted;
    expect(host.interrupt(() => new GenerationInterruptedError())).toBe('cancelled');
    await expect(p).resolves.toBe('stopped early');
    expect(spawned[0]!.terminated).toBe(false);
    expect(host.interrupt(() => new GenerationInterruptedError())).toBe('idle');
  });

  it('second interrupt terminates a stuck worker and the next call respawns', async () => {
    const { factory, spawned } = fakeWorkerFactory();
    const host = new WorkerHost<H>(factory);
    let started!: () => void;
    const isStarted = new Promise<void>((r) => (started = r));
    const p = host.call('hang', null, { onProgress: () => started() });
    await isStarted;
    expect(host.interrupt(() => new GenerationInterruptedError('forced'))).toBe('cancelled');
    await sleep(10);
    expect(host.interrupt(() => new GenerationInterruptedError('forced'))).toBe('terminated');
    await expect(p).rejects.toBeInstanceOf(GenerationInterruptedError);
    expect(spawned[0]!.terminated).toBe(true);
    expect(host.alive).toBe(false);
    await expect(host.call('add', { a: 1, b: 2 })).resolves.toBe(3);
    expect(spawned).toHaveLength(2);
  });

  it('a crash drops the worker and reports it', async () => {
    const { factory } = fakeWorkerFactory();
    const crashes: Error[] = [];
    const host = new WorkerHost<H>(factory, { onCrash: (e) => crashes.push(e) });
    const p = host.call('hang', null);
    await sleep(5);
    // A Worker fires 'error' on itself; the fake forwards listeners to its port.
    channels.at(-1)!.port1.dispatchEvent(new Event('error'));
    await expect(p).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(crashes).toHaveLength(1);
    expect(host.alive).toBe(false);
  });
});
