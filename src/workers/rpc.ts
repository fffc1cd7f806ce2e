/**
 * A typed request/response protocol over postMessage, for every worker in the
 * app (chat engine, consistency checker).
 *
 * One handler map per worker defines the API: each key is a method, its first
 * parameter the payload, its `ctx: RpcContext<P>` the progress type, and its
 * return value the result. A handler may also be an async generator: every
 * yielded value is sent as progress and the generator's `return` value is the
 * result, which suits streaming.
 *
 *   const handlers = {
 *     add: async ({ a, b }: { a: number; b: number }) => a + b,
 *     load: async (id: string, ctx: RpcContext<{ pct: number }>) => { ctx.progress({ pct: 1 }); },
 *   } satisfies RpcHandlers;
 *   serveRpc(self, handlers);                                  // worker
 *   const rpc = createRpcClient<typeof handlers>(worker);      // main thread
 *   await rpc.call('load', 'x', { onProgress: (p) => …, signal });
 *
 * Wire format (main → worker): `call {id, method, payload}`, `cancel {id}`,
 * `ping {id}`. Worker → main: `result {id, result}`, `error {id, error: {name,
 * message}}`, `progress {id, progress}`, `pong {id}`. Cancel aborts the
 * handler's `ctx.signal`; the handler decides what to return (partial result
 * or an AbortError). Escalating to terminate is the owner's job (see WorkerHost).
 *
 * Stall watchdog (opt-in, `stall` option): while calls are pending the client
 * pings; serveRpc answers at once, outside any handler. Any message from the
 * worker is a sign of life; after `timeoutMs` of total silence every pending
 * call rejects with WorkerStalledError (see stallWatchdog.ts). A worker busy
 * in async work answers; one blocked in a synchronous run (a wasm inference)
 * cannot until the run ends — hence the generous timeouts the engines choose.
 *
 * IMPORTANT: payloads, results and progress go through structured clone: plain
 * data only (no functions, no class instances that must keep their prototype).
 */
import {
  WorkerCrashedError,
  WorkerStalledError,
  reviveError,
  serializeError,
  type SerializedError,
} from '../engines/errors';
import { StallWatchdog, type StallOptions } from './stallWatchdog';

export type { StallOptions } from './stallWatchdog';

// ---------------------------------------------------------------------------
// Types

export interface RpcContext<P = never> {
  /** Sends one progress event to the caller's `onProgress`. */
  progress(progress: P): void;
  /** Aborted when the caller cancels this call. */
  readonly signal: AbortSignal;
}

/**
 * The constraint every handler map satisfies. `never` parameters accept any
 * handler signature without `any`.
 */
export type RpcHandler = (payload: never, ctx: never) => unknown;
export type RpcHandlers = Record<string, RpcHandler>;

export type RpcMethod<H extends RpcHandlers> = keyof H & string;

export type PayloadOf<H extends RpcHandlers, M extends RpcMethod<H>> = Parameters<H[M]>[0];

export type ResultOf<H extends RpcHandlers, M extends RpcMethod<H>> =
  ReturnType<H[M]> extends AsyncGenerator<unknown, infer R, unknown> ? R : Awaited<ReturnType<H[M]>>;

export type ProgressOf<H extends RpcHandlers, M extends RpcMethod<H>> =
  | (Parameters<H[M]>[1] extends RpcContext<infer P> ? P : never)
  | (ReturnType<H[M]> extends AsyncGenerator<infer Y, unknown, unknown> ? Y : never);

/** Liveness probe; its id is its own counter, unrelated to call ids. */
export interface RpcPing {
  kind: 'ping';
  id: number;
}

export interface RpcPong {
  kind: 'pong';
  id: number;
}

export type RpcRequest =
  | { kind: 'call'; id: number; method: string; payload: unknown }
  | { kind: 'cancel'; id: number }
  | RpcPing;

export type RpcResponse =
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: SerializedError }
  | { kind: 'progress'; id: number; progress: unknown }
  | RpcPong;

/**
 * Main → worker, for a worker that speaks another protocol (WebLLM's): the
 * MessagePort in `event.ports[0]` carries our ping/pong, so that protocol never
 * sees them. Sent by watchForeignWorker, taken by acceptHeartbeatPort.
 */
export interface RpcHeartbeatPort {
  kind: 'heartbeat-port';
}

/**
 * What both sides need from the other end: a Worker, a DedicatedWorkerGlobalScope
 * (`self`), or a MessagePort.
 */
export interface RpcEndpoint {
  postMessage(message: unknown): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
  /** MessagePort needs start() when listening with addEventListener. */
  start?: () => void;
}

export class RpcMethodNotFoundError extends Error {
  override name = 'RpcMethodNotFoundError';
}

// ---------------------------------------------------------------------------
// Worker side

function isAsyncGenerator(value: unknown): value is AsyncGenerator<unknown, unknown, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncGenerator)[Symbol.asyncIterator] === 'function' &&
    typeof (value as AsyncGenerator).next === 'function'
  );
}

/**
 * Serves `handlers` on `endpoint` (usually `self` in a worker).
 * @returns a function that stops serving and aborts in-flight handlers.
 */
export function serveRpc<H extends RpcHandlers>(endpoint: RpcEndpoint, handlers: H): () => void {
  const inFlight = new Map<number, AbortController>();
  const post = (msg: RpcResponse) => endpoint.postMessage(msg);

  async function run(id: number, method: string, payload: unknown): Promise<void> {
    const controller = new AbortController();
    inFlight.set(id, controller);
    const ctx: RpcContext<unknown> = {
      progress: (progress) => {
        if (inFlight.has(id)) post({ kind: 'progress', id, progress });
      },
      signal: controller.signal,
    };
    try {
      const handler = Object.prototype.hasOwnProperty.call(handlers, method)
        ? (handlers[method] as unknown as (p: unknown, c: RpcContext<unknown>) => unknown)
        : undefined;
      if (!handler) throw new RpcMethodNotFoundError(`Unknown method "${method}"`);
      const out = handler(payload, ctx);
      let result: unknown;
      if (isAsyncGenerator(out)) {
        for (;;) {
          const step = await out.next();
          if (step.done) {
            result = step.value;
            break;
          }
          ctx.progress(step.value);
        }
      } else {
        result = await out;
      }
      post({ kind: 'result', id, result });
    } catch (e) {
      post({ kind: 'error', id, error: serializeError(e) });
    } finally {
      inFlight.delete(id);
    }
  }

  const onMessage = (event: Event) => {
    const msg = (event as MessageEvent<RpcRequest>).data;
    if (!msg || typeof msg !== 'object') return;
    if (msg.kind === 'call') void run(msg.id, msg.method, msg.payload);
    else if (msg.kind === 'cancel') inFlight.get(msg.id)?.abort();
    // Answered here, not by a handler: the reply only needs the event loop.
    else if (msg.kind === 'ping') post({ kind: 'pong', id: msg.id });
  };
  endpoint.addEventListener('message', onMessage);
  endpoint.start?.();
  return () => {
    endpoint.removeEventListener('message', onMessage);
    for (const c of inFlight.values()) c.abort();
    inFlight.clear();
  };
}

/**
 * Answers pings on `endpoint` and nothing else: for a worker whose main
 * channel speaks another protocol (its port from acceptHeartbeatPort).
 * @returns a function that stops answering.
 */
export function servePings(endpoint: RpcEndpoint): () => void {
  const onMessage = (event: Event) => {
    const msg = (event as MessageEvent<RpcRequest>).data;
    if (msg && typeof msg === 'object' && msg.kind === 'ping') {
      endpoint.postMessage({ kind: 'pong', id: msg.id } satisfies RpcResponse);
    }
  };
  endpoint.addEventListener('message', onMessage);
  endpoint.start?.();
  return () => endpoint.removeEventListener('message', onMessage);
}

/**
 * Worker side of watchForeignWorker: call first in the worker's `onmessage`.
 * @returns true when the message was the heartbeat port (now answering pings),
 *   which the worker's own protocol must not see.
 */
export function acceptHeartbeatPort(event: MessageEvent): boolean {
  const msg = event.data as Partial<RpcHeartbeatPort> | null;
  const port = event.ports?.[0];
  if (!msg || typeof msg !== 'object' || msg.kind !== 'heartbeat-port' || !port) return false;
  servePings(port);
  return true;
}

// ---------------------------------------------------------------------------
// Main side

export interface CallOptions<P> {
  onProgress?: (progress: P) => void;
  /** Aborting sends `cancel`; the promise still settles with the worker's reply. */
  signal?: AbortSignal;
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
    if (pending.size > 0) watchdog?.start();
    else watchdog?.pause();
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
      const { signal, onProgress } = callOptions;
      return new Promise((resolve, reject) => {
        const onAbort = () => endpoint.postMessage({ kind: 'cancel', id } satisfies RpcRequest);
        pending.set(id, {
          resolve: resolve as (v: unknown) => void,
          reject,
          onProgress: onProgress as ((p: unknown) => void) | undefined,
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
