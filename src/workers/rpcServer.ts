/**
 * The worker side of the RPC (protocol/rpc.ts): serves a handler map on the
 * worker's `self` (or a MessagePort), answers pings, and takes the heartbeat
 * port a worker speaking another protocol (WebLLM's) is handed.
 */
import { serializeError } from '../protocol/errors';
import {
  RpcMethodNotFoundError,
  type RpcContext,
  type RpcEndpoint,
  type RpcHandlers,
  type RpcHeartbeatPort,
  type RpcRequest,
  type RpcResponse,
} from '../protocol/rpc';

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
function servePings(endpoint: RpcEndpoint): () => void {
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
