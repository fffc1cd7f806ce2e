/**
 * TEST KIT (unit tests only; production code never imports src/test/): the
 * worker side of our RPC, running in this thread. `channelWorker` is a
 * "worker" that is one end of a MessageChannel whose other end serves real
 * RPC handlers — the worker protocol runs for real, only the thread is
 * missing. Tests of the main side (engines/) reach the worker side through
 * this kit, so the layer rule "engines/ never imports workers/" holds for
 * them too.
 */
import type { WorkerLike } from '../engines/workerHost';
import type { RpcHandlers } from '../protocol/rpc';
import { serveRpc } from '../workers/rpcServer';

export { acceptHeartbeatPort, serveRpc } from '../workers/rpcServer';

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
