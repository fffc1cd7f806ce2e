/**
 * Card import worker: parses big card files so the main thread never runs
 * the PNG scan, base64 and JSON.parse of a multi-megabyte card. Thin on
 * purpose: the API lives in cardImportHandlers.ts, the parsing in
 * domain/cards.
 */
import { cardImportHandlers, cardImportTransferables } from './cardImportHandlers';
import type { RpcEndpoint } from '../protocol/rpc';
import { serveRpc } from './rpcServer';

interface WorkerScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

const scope = self as unknown as WorkerScope;

// IMPORTANT (transferables): serveRpc posts without a transfer list; this
// endpoint adds the avatar image's buffer so it moves instead of being copied.
const endpoint: RpcEndpoint = {
  postMessage: (message) => scope.postMessage(message, cardImportTransferables(message)),
  addEventListener: (type, listener) => scope.addEventListener(type, listener),
  removeEventListener: (type, listener) => scope.removeEventListener(type, listener),
};

serveRpc(endpoint, cardImportHandlers);
