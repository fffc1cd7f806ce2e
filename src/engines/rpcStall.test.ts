import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkerCrashedError, WorkerStalledError } from '../protocol/errors';
import type { RpcContext, RpcEndpoint, RpcHandlers, RpcRequest, RpcResponse } from '../protocol/rpc';
import { acceptHeartbeatPort, serveRpc } from '../test/channelWorker';
import { createRpcClient, watchForeignWorker } from './rpcClient';
import { StallWatchdog } from './stallWatchdog';
import { WorkerHost, type WorkerLike } from './workerHost';

const STALL = { pingEveryMs: 1_000, timeoutMs: 10_000 };

const never = () => new Promise<never>(() => {});

const handlers = {
  add: async ({ a, b }: { a: number; b: number }) => a + b,
  /** Busy for `seconds`, reporting progress every second. */
  busy: async (seconds: number, ctx: RpcContext<number>) => {
    for (let i = 1; i <= seconds; i++) {
      await new Promise((r) => setTimeout(r, 1_000));
      ctx.progress(i);
    }
    return 'done';
  },
  /** Waiting without a word, but the worker's event loop runs (answers pings). */
  quiet: async (_: null) => never(),
} satisfies RpcHandlers;
type H = typeof handlers;

interface FakePair {
  main: WorkerLike;
  worker: RpcEndpoint;
  /** What the main side posted. */
  sent: RpcRequest[];
  /** What the main side received. */
  received: RpcResponse[];
  terminated: boolean;
  /** From now on the worker neither reads nor posts anything (hung or killed). */
  freeze(): void;
}

/**
 * A worker and its main-side handle that deliver to each other on a microtask,
 * like a MessageChannel but under fake timers. `pings: false` drops pings on
 * the way in, so only progress/results can keep the worker alive.
 */
function fakePair(options: { pings?: boolean } = {}): FakePair {
  const mainSide = new EventTarget();
  const workerSide = new EventTarget();
  let frozen = false;
  const deliver = (to: EventTarget, data: unknown) =>
    queueMicrotask(() => {
      if (!frozen) to.dispatchEvent(new MessageEvent('message', { data }));
    });
  const pair: FakePair = {
    sent: [],
    received: [],
    terminated: false,
    freeze: () => {
      frozen = true;
    },
    main: {
      postMessage: (m) => {
        pair.sent.push(m as RpcRequest);
        if (options.pings === false && (m as RpcRequest).kind === 'ping') return;
        deliver(workerSide, m);
      },
      addEventListener: (t, l) => mainSide.addEventListener(t, l),
      removeEventListener: (t, l) => mainSide.removeEventListener(t, l),
      terminate: () => {
        pair.terminated = true;
        frozen = true;
      },
    },
    worker: {
      postMessage: (m) => deliver(mainSide, m),
      addEventListener: (t, l) => workerSide.addEventListener(t, l),
      removeEventListener: (t, l) => workerSide.removeEventListener(t, l),
    },
  };
  mainSide.addEventListener('message', (e) => pair.received.push((e as MessageEvent<RpcResponse>).data));
  return pair;
}

const pings = (pair: FakePair) => pair.sent.filter((m) => m.kind === 'ping').length;

/** Promise state without awaiting it forever. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

describe('rpc stall watchdog (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a worker that never answers: pending calls reject with WorkerStalledError after timeoutMs, onCrash once', async () => {
    const pair = fakePair(); // nothing serves the worker side
    const onCrash = vi.fn();
    const client = createRpcClient<H>(pair.main, { stall: STALL, onCrash });
    const first = track(client.call('add', { a: 1, b: 2 }));
    const second = track(client.call('quiet', null));

    await vi.advanceTimersByTimeAsync(STALL.timeoutMs - 1);
    expect(first.settled).toBe(false);
    expect(second.settled).toBe(false);
    expect(pings(pair)).toBe(9); // at 1 s … 9 s
    expect(onCrash).not.toHaveBeenCalled();

    await vi.advanceTimersByTimeAsync(1);
    for (const call of [first, second]) {
      expect(call.error).toBeInstanceOf(WorkerStalledError);
      expect(call.error).toBeInstanceOf(WorkerCrashedError);
    }
    const error = first.error as WorkerStalledError;
    expect(error).toMatchObject({ name: 'WorkerStalledError', silentMs: STALL.timeoutMs });
    expect(error.userMessage).toMatch(/stopped responding for 10 s.*Reload the model.*chat is saved/);
    expect(onCrash).toHaveBeenCalledTimes(1);
    expect(onCrash).toHaveBeenCalledWith(error);
    expect(client.pendingCount).toBe(0);

    // Nothing pending any more: no timers, no more pings, no second report.
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5 * STALL.timeoutMs);
    expect(pings(pair)).toBe(9);
    expect(onCrash).toHaveBeenCalledTimes(1);
  });

  it('a busy worker that keeps sending progress (no pongs) is not stalled, far past timeoutMs', async () => {
    const pair = fakePair({ pings: false });
    serveRpc(pair.worker, handlers);
    const onCrash = vi.fn();
    const client = createRpcClient<H>(pair.main, { stall: STALL, onCrash });
    const progress: number[] = [];
    const call = track(client.call('busy', 60, { onProgress: (p) => progress.push(p) }));

    await vi.advanceTimersByTimeAsync(59_000);
    expect(call.settled).toBe(false);
    expect(progress).toHaveLength(59);
    expect(pair.received.some((m) => m.kind === 'pong')).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(call).toMatchObject({ settled: true, value: 'done' });
    expect(onCrash).not.toHaveBeenCalled();
  });

  it('a worker that only answers pings is not stalled; once it freezes it is', async () => {
    const pair = fakePair();
    serveRpc(pair.worker, handlers);
    const onCrash = vi.fn();
    const client = createRpcClient<H>(pair.main, { stall: STALL, onCrash });
    const call = track(client.call('quiet', null));

    await vi.advanceTimersByTimeAsync(10 * STALL.timeoutMs);
    expect(call.settled).toBe(false);
    expect(pair.received.filter((m) => m.kind === 'pong').length).toBe(pings(pair));
    expect(onCrash).not.toHaveBeenCalled();

    pair.freeze(); // e.g. stuck in a synchronous loop from here on
    await vi.advanceTimersByTimeAsync(STALL.timeoutMs + STALL.pingEveryMs);
    expect(call.error).toBeInstanceOf(WorkerStalledError);
    expect(onCrash).toHaveBeenCalledTimes(1);
  });

  it("a call's stallMs allows it longer silence; after it settles the client's timeout is back", async () => {
    const pair = fakePair();
    serveRpc(pair.worker, handlers);
    const onCrash = vi.fn();
    const client = createRpcClient<H>(pair.main, { stall: STALL, onCrash });
    pair.freeze(); // a model load: one synchronous call, no pong possible
    const load = track(client.call('quiet', null, { stallMs: 5 * STALL.timeoutMs }));

    await vi.advanceTimersByTimeAsync(4 * STALL.timeoutMs);
    expect(load.settled).toBe(false);
    expect(onCrash).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(STALL.timeoutMs + STALL.pingEveryMs);
    expect(load.error).toBeInstanceOf(WorkerStalledError);
    expect(onCrash).toHaveBeenCalledTimes(1);

    // A plain call afterwards is held to the client's own timeout again.
    const plain = track(client.call('quiet', null));
    await vi.advanceTimersByTimeAsync(STALL.timeoutMs + STALL.pingEveryMs);
    expect(plain.error).toBeInstanceOf(WorkerStalledError);
  });

  it('sends no pings and keeps no timer while nothing is pending', async () => {
    const pair = fakePair();
    serveRpc(pair.worker, handlers);
    const client = createRpcClient<H>(pair.main, { stall: STALL });
    await vi.advanceTimersByTimeAsync(3 * STALL.timeoutMs);
    expect(pair.sent).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);

    await expect(client.call('add', { a: 2, b: 3 })).resolves.toBe(5);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3 * STALL.timeoutMs);
    expect(pair.sent.map((m) => m.kind)).toEqual(['call']);
  });

  it('dispose clears the timer', async () => {
    const pair = fakePair();
    const client = createRpcClient<H>(pair.main, { stall: STALL });
    const call = client.call('quiet', null);
    call.catch(() => {});
    expect(vi.getTimerCount()).toBe(1);
    client.dispose();
    await expect(call).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('without the stall option nothing is watched', async () => {
    const pair = fakePair();
    const client = createRpcClient<H>(pair.main);
    const call = track(client.call('add', { a: 1, b: 1 }));
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(100 * STALL.timeoutMs);
    expect(call.settled).toBe(false);
    expect(pings(pair)).toBe(0);
  });

  it('serveRpc answers ping with pong at once, even while a handler is busy', async () => {
    const pair = fakePair();
    serveRpc(pair.worker, handlers);
    const client = createRpcClient<H>(pair.main); // only to have a call in flight
    void client.call('quiet', null);
    pair.main.postMessage({ kind: 'ping', id: 41 } satisfies RpcRequest);
    pair.main.postMessage({ kind: 'ping', id: 42 } satisfies RpcRequest);
    await vi.advanceTimersByTimeAsync(0);
    expect(pair.received).toEqual([
      { kind: 'pong', id: 41 },
      { kind: 'pong', id: 42 },
    ]);
  });

  it('WorkerHost: a stalled worker is terminated, reported, and the next call spawns a fresh one', async () => {
    const spawned: FakePair[] = [];
    const factory = (): WorkerLike => {
      const pair = fakePair();
      // The first worker never answers; later ones work.
      if (spawned.length > 0) serveRpc(pair.worker, handlers);
      spawned.push(pair);
      return pair.main;
    };
    const crashes: Error[] = [];
    const host = new WorkerHost<H>(factory, { stall: STALL, onCrash: (e) => crashes.push(e) });

    const stuck = track(host.call('add', { a: 1, b: 2 }));
    await vi.advanceTimersByTimeAsync(STALL.timeoutMs);
    expect(stuck.error).toBeInstanceOf(WorkerStalledError);
    expect(crashes).toHaveLength(1);
    expect(crashes[0]).toBe(stuck.error);
    expect(spawned[0]!.terminated).toBe(true);
    expect(host.alive).toBe(false);

    await expect(host.call('add', { a: 1, b: 2 })).resolves.toBe(3);
    expect(spawned).toHaveLength(2);
    expect(spawned[1]!.terminated).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('StallWatchdog', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts silence from the last tick that heard nothing, and restarts from zero', () => {
    const ping = vi.fn();
    const stalled = vi.fn();
    const dog = new StallWatchdog({ pingEveryMs: 1_000, timeoutMs: 3_500 }, { ping, stalled });
    dog.start();
    vi.advanceTimersByTime(2_500);
    dog.alive();
    // The tick at 3 s hears it and restarts the count: 3 s + 3.5 s = 6.5 s.
    vi.advanceTimersByTime(3_999);
    expect(stalled).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(stalled).toHaveBeenCalledWith(3_500);
    expect(vi.getTimerCount()).toBe(0);

    dog.start(); // a new call after the stall: a fresh count
    vi.advanceTimersByTime(3_499);
    expect(stalled).toHaveBeenCalledTimes(1);
    dog.stop();
    vi.advanceTimersByTime(10_000);
    expect(stalled).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses intervals that would spin', () => {
    const hooks = { ping: () => {}, stalled: () => {} };
    expect(() => new StallWatchdog({ pingEveryMs: 0, timeoutMs: 1_000 }, hooks)).toThrow(RangeError);
    expect(() => new StallWatchdog({ pingEveryMs: 1_000, timeoutMs: Number.NaN }, hooks)).toThrow(RangeError);
  });
});

describe('stall watchdog for a foreign-protocol worker (real MessagePorts)', () => {
  const FAST = { pingEveryMs: 5, timeoutMs: 40 };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** A Worker stand-in whose own channel stays silent; `pong` decides whether it serves the heartbeat port. */
  function foreignWorker(pong: boolean) {
    const events = new EventTarget();
    const worker = {
      terminated: false,
      postMessage(message: unknown, transfer: Transferable[] = []) {
        const event = new MessageEvent('message', { data: message, ports: transfer as MessagePort[] });
        if (pong) acceptHeartbeatPort(event);
        else for (const p of transfer as MessagePort[]) p.close();
      },
      addEventListener: (t: 'message', l: (e: Event) => void) => events.addEventListener(t, l),
      removeEventListener: (t: 'message', l: (e: Event) => void) => events.removeEventListener(t, l),
      /** A message on the worker's own protocol (e.g. WebLLM's `return`). */
      speak: () => events.dispatchEvent(new MessageEvent('message', { data: { kind: 'return' } })),
    };
    return worker;
  }

  it('a worker answering on the heartbeat port stays alive; a silent one is reported once', async () => {
    const alive = foreignWorker(true);
    const aliveStalls = vi.fn();
    const aliveWatch = watchForeignWorker(alive, FAST, aliveStalls);
    const silent = foreignWorker(false);
    const silentStalls = vi.fn();
    const silentWatch = watchForeignWorker(silent, FAST, silentStalls);

    void aliveWatch.track(never());
    void silentWatch.track(never());
    await sleep(150);
    expect(aliveStalls).not.toHaveBeenCalled();
    expect(silentStalls).toHaveBeenCalledTimes(1);
    expect(silentStalls.mock.calls[0]![0]).toBeInstanceOf(WorkerStalledError);
    aliveWatch.stop();
    silentWatch.stop();
  });

  it("the worker's own messages count as signs of life; with nothing tracked it is not watched", async () => {
    const worker = foreignWorker(false);
    const stalls = vi.fn();
    const watch = watchForeignWorker(worker, FAST, stalls);
    const talking = setInterval(() => worker.speak(), 5);
    let finish!: () => void;
    void watch.track(new Promise<void>((r) => (finish = r)));
    await sleep(150);
    clearInterval(talking);
    expect(stalls).not.toHaveBeenCalled();
    finish();
    await sleep(150); // nothing tracked: the silent worker is not watched
    expect(stalls).not.toHaveBeenCalled();
    watch.stop();
  });
});
