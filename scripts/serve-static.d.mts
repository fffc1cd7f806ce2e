// Types for serve-static.mjs (the e2e static host; reused by script tests).
import type { Server } from 'node:http';

export declare const CONTENT_TYPES: Record<string, string>;
export declare function createStaticServer(options: {
  mounts: { prefix: string; dir: string }[];
  coopCoep?: boolean;
  cors?: boolean;
}): Server;
