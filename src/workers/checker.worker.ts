/**
 * Consistency checker worker: an NLI cross-encoder and a sentence-embedding
 * model (transformers.js). Thin on purpose: the API lives in checker/
 * (handlers.ts and the jobs beside it), the transformers.js glue in
 * checker/transformersRuntime.ts.
 */
import type { RpcEndpoint } from '../protocol/rpc';
import { transferablesOf } from './checker/embeddings';
import { createCheckerHandlers } from './checker/handlers';
import { checkerRuntime } from './checker/transformersRuntime';
import { serveRpc } from './rpcServer';

interface WorkerScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

const scope = self as unknown as WorkerScope;

// IMPORTANT (transferables): serveRpc posts without a transfer list, so this
// endpoint adds one: embedding vectors move to the main thread instead of
// being copied. Each vector owns its buffer and is never touched again here.
const endpoint: RpcEndpoint = {
  postMessage: (message) => scope.postMessage(message, transferablesOf(message)),
  addEventListener: (type, listener) => scope.addEventListener(type, listener),
  removeEventListener: (type, listener) => scope.removeEventListener(type, listener),
};

serveRpc(endpoint, createCheckerHandlers(checkerRuntime));
