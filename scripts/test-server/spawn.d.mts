// Types for spawn.mjs (the OpenAI-compatible test server's driver).
import type { ChildProcess } from 'node:child_process';

export interface TestServerControl {
  replies?: string[];
  chunkDelayMs?: number;
  /** Wait before the first chunk of a scripted reply, like a server reading the prompt. */
  prefillMs?: number;
  mode?: 'normal' | 'html' | 'malformed' | 'no-done' | 'huge' | 'status';
  status?: number;
  errorMessage?: string;
  killAfterChunks?: number;
  holdAfterChunks?: number;
  hugeChars?: number;
  allowOrigin?: string;
  apiKey?: string;
  models?: string[];
  context?: number;
  omitRole?: boolean;
  keepAliveEvery?: number;
}

export interface TestServer {
  port: number;
  origin: string;
  baseUrl: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  control(patch: TestServerControl): Promise<void>;
  reset(): Promise<void>;
  /** Lets replies held at `holdAfterChunks` go on. */
  release(): Promise<void>;
  /** How many replies are held. */
  held(): Promise<number>;
  /** SIGKILL: a server that dies mid-reply. */
  kill(): Promise<void>;
  /** Every chat request body the server received, in order. */
  requests(): Promise<Record<string, unknown>[]>;
  /** With `--llama`: each reply's generated text, and whether it finished. */
  generated(): Promise<{ text: string; done: boolean }[]>;
  stop(): Promise<void>;
}

export declare function startTestServer(args?: string[]): Promise<TestServer>;
