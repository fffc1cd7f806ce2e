/**
 * The main-thread side of the RPC (protocol/rpc.ts): a typed client over a
 * Worker (or a MessagePort) with an opt-in stall watchdog, and the same
 * watchdog for a worker whose messages we don't own (WebLLM's). Owning the
 * worker itself (spawn, respawn, cancel twice) is workerHost.ts.
 */
import { WorkerCrashedError, WorkerStalledError, reviveError, type SerializedError } from '../protocol/errors';
import type {
  PayloadOf,
  ProgressOf,
  ResultOf,
  RpcEndpoint,
  RpcHandlers,
  RpcHeartbeatPort,
  RpcMethod,
  RpcPing,
  RpcRequest,
  RpcResponse,
} from '../protocol/rpc';
import { StallWatchdog, type StallOptions } from './stallWatchdog';

export interface CallOptions<P> {
  onProgress?: (progress: P) => void;
  /** Aborting sends `cancel`; the promise still settles with the worker's reply. */
  signal?: AbortSignal;
  /**
   * Silence this call may need, when longer than the client's stall timeout:
   * a model load spends minutes in one synchronous wasm call on a busy
   * machine, with no pong possible. Applies while the call is pending.
   */
  stallMs?: number;
}

export interface RpcClient<H extends RpcHandlers> {
  call<M extends RpcMethod<H>>(
    method: M,
    payload: PayloadOf<H, M>,
    options?: CallOptions<ProgressOf<H, M>>,
  ): Promise<ResultOf<H, M>>;
  /** Sends `cancel` for every in-flight call. */
  cancelAll(): void;
  /** Number of calls awaiting a reply. */
  readonly pendingCount: number;
  /** Stops listening and rejects every pending call with `reason`. Does not terminate the worker. */
  dispose(reason?: Error): void;
}

export interface RpcClientOptions {
  /** Rebuilds errors from the wire; defaults to `reviveError` (our named classes). */
  reviveError?: (error: SerializedError) => Error;
  /**
   * Called once per crash: the endpoint reported an error / messageerror, or
   * the stall watchdog gave up (a WorkerStalledError). Pending calls are
   * already rejected.
   */
  onCrash?: (error: WorkerCrashedError) => void;
  /** Stall watchdog; off when absent. Timers run only while calls are pending. */
  stall?: StallOptions;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (progress: unknown) => void;
  stallMs?: number;
  cleanup: () => void;
}

/**
 * The main-thread side. Worker `error` and `messageerror` events reject every
 * pending call with a WorkerCrashedError (the worker's state is unknown after
 * either); with `stall`, so does a worker that stays silent too long
 * (WorkerStalledError). The client stays usable either way: terminating the
 * worker is the owner's call (WorkerHost does).
 */
export function createRpcClient<H extends RpcHandlers>(
  endpoint: RpcEndpoint,
  options: RpcClientOptions = {},
): RpcClient<H> {
  const revive = options.reviveError ?? reviveError;
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let nextPingId = 1;
  let disposed: Error | null = null;

  const watchdog = options.stall
    ? new StallWatchdog(options.stall, {
        ping: () => endpoint.postMessage({ kind: 'ping', id: nextPingId++ } satisfies RpcRequest),
        stalled: (silentMs) => {
          const err = new WorkerStalledError(undefined, { silentMs });
          settleAll(err);
          options.onCrash?.(err);
        },
      })
    : null;
  /** Timers only while something is pending. */
  const watchPending = () => {
    if (!watchdog || !options.stall) return;
    if (pending.size === 0) {
      watchdog.pause();
      return;
    }
    let allowed = options.stall.timeoutMs;
    for (const p of pending.values()) if (p.stallMs !== undefined && p.stallMs > allowed) allowed = p.stallMs;
    watchdog.setTimeoutMs(allowed);
    watchdog.start();
  };

  const settleAll = (error: Error) => {
    const all = [...pending.values()];
    pending.clear();
    watchPending();
    for (const p of all) {
      p.cleanup();
      p.reject(error);
    }
  };

  const onMessage = (event: Event) => {
    // Whatever it is, the worker's event loop is running.
    watchdog?.alive();
    const msg = (event as MessageEvent<RpcResponse>).data;
    if (!msg || typeof msg !== 'object' || typeof msg.id !== 'number' || msg.kind === 'pong') return;
    const p = pending.get(msg.id);
    if (!p) return;
    switch (msg.kind) {
      case 'progress':
        p.onProgress?.(msg.progress);
        return;
      case 'result':
        pending.delete(msg.id);
        watchPending();
        p.cleanup();
        p.resolve(msg.result);
        return;
      case 'error':
        pending.delete(msg.id);
        watchPending();
        p.cleanup();
        p.reject(revive(msg.error));
        return;
    }
  };
  const onError = (event: Event) => {
    const detail = (event as ErrorEvent).message;
    const err = new WorkerCrashedError(
      event.type === 'messageerror'
        ? 'A message from the worker could not be read (messageerror).'
        : `The worker raised an uncaught error${detail ? `: ${detail}` : ''}.`,
    );
    settleAll(err);
    options.onCrash?.(err);
  };

  endpoint.addEventListener('message', onMessage);
  endpoint.addEventListener('error', onError);
  endpoint.addEventListener('messageerror', onError);
  endpoint.start?.();

  return {
    call(method, payload, callOptions = {}) {
      if (disposed) return Promise.reject(disposed);
      const id = nextId++;
      const { signal, onProgress, stallMs } = callOptions;
      return new Promise((resolve, reject) => {
        const onAbort = () => endpoint.postMessage({ kind: 'cancel', id } satisfies RpcRequest);
        pending.set(id, {
          resolve: resolve as (v: unknown) => void,
          reject,
          onProgress: onProgress as ((p: unknown) => void) | undefined,
          stallMs,
          cleanup: () => signal?.removeEventListener('abort', onAbort),
        });
        watchPending();
        endpoint.postMessage({ kind: 'call', id, method, payload } satisfies RpcRequest);
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    cancelAll() {
      for (const id of pending.keys()) endpoint.postMessage({ kind: 'cancel', id } satisfies RpcRequest);
    },
    get pendingCount() {
      return pending.size;
    },
    dispose(reason = new WorkerCrashedError('The worker connection was closed.')) {
      if (disposed) return;
      disposed = reason;
      endpoint.removeEventListener('message', onMessage);
      endpoint.removeEventListener('error', onError);
      endpoint.removeEventListener('messageerror', onError);
      watchdog?.stop();
      settleAll(reason);
    },
  };
}

// ---------------------------------------------------------------------------
// Stall watchdog for a worker that speaks another protocol (WebLLM's)

/** A Worker, as far as watchForeignWorker needs it. */
export interface HeartbeatTarget {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: Event) => void): void;
  removeEventListener(type: 'message', listener: (event: Event) => void): void;
}

export interface ForeignWorkerWatch {
  /** Counts `work` as pending (pings run) until it settles; returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T>;
  /** For good: clears the timer, stops listening, closes the port. */
  stop(): void;
}

/**
 * The `stall` watchdog of createRpcClient for a worker whose messages we don't
 * own: pings and pongs go over a MessagePort handed to the worker (which calls
 * acceptHeartbeatPort), and every message the worker posts on its own channel
 * counts as a sign of life too. `onStalled` runs once the worker has been
 * silent for `timeoutMs` with tracked work pending; the owner then rejects
 * that work and terminates the worker (the watch is spent: stop it).
 */
export function watchForeignWorker(
  worker: HeartbeatTarget,
  stall: StallOptions,
  onStalled: (error: WorkerStalledError) => void,
): ForeignWorkerWatch {
  const channel = new MessageChannel();
  const port = channel.port1;
  let pendingCount = 0;
  let nextPingId = 1;
  const watchdog = new StallWatchdog(stall, {
    ping: () => port.postMessage({ kind: 'ping', id: nextPingId++ } satisfies RpcPing),
    stalled: (silentMs) => onStalled(new WorkerStalledError(undefined, { silentMs })),
  });
  const alive = () => watchdog.alive();
  worker.addEventListener('message', alive);
  port.addEventListener('message', alive);
  port.start();
  worker.postMessage({ kind: 'heartbeat-port' } satisfies RpcHeartbeatPort, [channel.port2]);
  return {
    track(work) {
      if (pendingCount++ === 0) watchdog.start();
      const done = () => {
        if (--pendingCount === 0) watchdog.pause();
      };
      work.then(done, done);
      return work;
    },
    stop() {
      watchdog.stop();
      worker.removeEventListener('message', alive);
      port.removeEventListener('message', alive);
      port.close();
    },
  };
}
