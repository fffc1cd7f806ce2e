/**
 * transformers.js chat worker (CPU/wasm fallback, or WebGPU when chosen).
 * Thin on purpose: the API lives in transformersChatHandlers.ts, the
 * transformers.js glue in transformersRuntime.ts.
 */
import type { RpcEndpoint } from '../protocol/rpc';
import { serveRpc } from './rpcServer';
import { createTransformersChatHandlers } from './transformersChatHandlers';
import { transformersRuntime } from './transformersRuntime';

serveRpc(self as unknown as RpcEndpoint, createTransformersChatHandlers(transformersRuntime));
