/**
 * For tests: a "worker" that is one end of a MessageChannel whose other end
 * serves real RPC handlers in this thread — the worker protocol runs for real,
 * only the thread is missing.
 */
import { serveRpc, type RpcHandlers } from './rpc';
import type { WorkerLike } from './workerHost';

/**
 * @param onTerminate called when the owner terminates the worker (both ports are closed then).
 * @returns the worker and its channel (port1 is the worker's side seen from the owner).
 */
export function channelWorker(handlers: RpcHandlers, onTerminate?: () => void): { worker: WorkerLike; channel: MessageChannel } {
  const channel = new MessageChannel();
  serveRpc(channel.port2, handlers);
  const port = channel.port1;
  const worker: WorkerLike = {
    postMessage: (m) => port.postMessage(m),
    addEventListener: (t, l) => port.addEventListener(t, l),
    removeEventListener: (t, l) => port.removeEventListener(t, l),
    start: () => port.start(),
    terminate: () => {
      onTerminate?.();
      port.close();
      channel.port2.close();
    },
  };
  return { worker, channel };
}
