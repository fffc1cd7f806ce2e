/**
 * The typed request/response protocol every worker of the app speaks (chat
 * engine, consistency checker): its wire format and the types that tie a
 * handler map to its callers. Both sides import this file; the halves that
 * move the messages live on their own side: `serveRpc` in
 * workers/rpcServer.ts, `createRpcClient` in engines/rpcClient.ts.
 *
 * One handler map per worker defines the API: each key is a method, its first
 * parameter the payload, its `ctx: RpcContext<P>` the progress type, and its
 * return value the result. A handler may also be an async generator: every
 * yielded value is sent as progress and the generator's `return` value is the
 * result, which suits streaming. The map's type is declared here (protocol/
 * checker.ts, protocol/chat.ts), so the main side never imports the worker's
 * code to learn it:
 *
 *   export type AddApi = { add(p: { a: number; b: number }, ctx: RpcContext<number>): Promise<number> };
 *   serveRpc(self, handlers satisfies AddApi);              // worker
 *   const rpc = createRpcClient<AddApi>(worker);            // main thread
 *   await rpc.call('add', { a: 1, b: 2 }, { onProgress: (p) => …, signal });
 *
 * Wire format (main → worker): `call {id, method, payload}`, `cancel {id}`,
 * `ping {id}`. Worker → main: `result {id, result}`, `error {id, error: {name,
 * message}}`, `progress {id, progress}`, `pong {id}`. Cancel aborts the
 * handler's `ctx.signal`; the handler decides what to return (partial result
 * or an AbortError). Escalating to terminate is the owner's job (see
 * engines/workerHost.ts). Errors cross as SerializedError (protocol/errors.ts).
 *
 * Stall watchdog (opt-in on the main side): while calls are pending the client
 * pings; serveRpc answers at once, outside any handler. Any message from the
 * worker is a sign of life; after `timeoutMs` of total silence every pending
 * call rejects with WorkerStalledError (see engines/stallWatchdog.ts). A
 * worker busy in async work answers; one blocked in a synchronous run (a wasm
 * inference) cannot until the run ends — hence the generous timeouts the
 * engines choose.
 *
 * IMPORTANT: payloads, results and progress go through structured clone: plain
 * data only (no functions, no class instances that must keep their prototype).
 */
import type { SerializedError } from './errors';

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
