/**
 * Test doubles for the consistency checker: a stub CheckerRuntime that answers
 * NLI with a word rule (like the tiny-nli fixture: a plumbing double, not a
 * judge of meaning) and bag-of-words embeddings, and a fake worker that serves
 * the real handlers over a MessageChannel. TEST KIT: unit tests only; nothing
 * in the app imports it.
 *
 * Device 'auto': the stub has no WebGPU adapter unless `webgpu` is given, and
 * a fake clock that only NLI calls advance (`msPerPair` per device), so a test
 * decides which device is faster and measurements are exact, with no waiting.
 */
import type { OnnxDevice } from '../domain/models/catalog';
import type { WorkerLike } from '../engines/workerHost';
import type { CheckerApi, CheckerLoadRequest, CheckerLoadResult } from '../protocol/checker';
import type { LoadProgress } from '../protocol/loading';
import type { RpcContext } from '../protocol/rpc';
import type { RuntimeProgress } from '../workers/loadProgress';
import { createCheckerHandlers } from '../workers/checker/handlers';
import type { CheckerRuntime, EmbeddingSession, NliSession, RuntimeModelRequest } from '../workers/checker/runtime';
import { channelWorker } from './channelWorker';

const NEGATIONS = new Set(['not', 'no', 'never', "don't", "doesn't", 'cannot', 'nothing', 'without', 'hate', 'hates']);
const STOP = new Set([
  'the', 'a', 'an', 'is', 'are', 'was', 'of', 'to', 'in', 'and', 'i', 'me', 'my', 'she', 'he', 'her', 'his', 'it',
  'at', 'all', 'has', 'have', 'very', 'so', 'from', 'for', 'with', 'on', 'be', 'am', 'maren', 'seraphina', 'aria',
  ...NEGATIONS,
]);

/** Lower-case words (apostrophes kept), a plural "s" dropped. */
export function words(text: string): string[] {
  return (text.toLowerCase().match(/[a-z']+/g) ?? []).map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}

function contentWords(text: string): Set<string> {
  return new Set(words(text).filter((w) => !STOP.has(w)));
}

function negated(text: string): boolean {
  return words(text).some((w) => NEGATIONS.has(w) || w.endsWith("n't"));
}

export type RuleLabel = 'contradiction' | 'entailment' | 'neutral';

/** Shared content word + exactly one negated → contradiction; shared + same polarity → entailment; else neutral. */
export function ruleLabel(premise: string, hypothesis: string): RuleLabel {
  const p = contentWords(premise);
  const shared = [...contentWords(hypothesis)].some((w) => p.has(w));
  if (!shared) return 'neutral';
  return negated(premise) !== negated(hypothesis) ? 'contradiction' : 'entailment';
}

/** Default label order of the stub: deliberately NOT the usual one, so tests prove id2label is read. */
export const STUB_ID2LABEL: Readonly<Record<string, string>> = Object.freeze({
  0: 'ENTAILMENT',
  1: 'NEUTRAL',
  2: 'CONTRADICTION',
});

export interface StubRuntimeOptions {
  id2label?: Record<string, string>;
  /** Embedding dimension (hashed bag of words). */
  dim?: number;
  /** Awaited before each NLI batch (tests hold the worker busy with it). */
  nliGate?: () => Promise<void>;
  /** Thrown by loadNli / loadEmbedding. */
  nliLoadError?: Error;
  embeddingLoadError?: Error;
  /** File events each model load reports: [file, bytes]. */
  files?: readonly (readonly [string, number])[];
  /** A WebGPU adapter (absent by default, like Node and Chromium without the flag). */
  webgpu?: {
    /** Its description, e.g. 'stub/gpu'. */
    adapter: string;
    /** Thrown by loadNli / loadEmbedding on webgpu. */
    loadError?: Error;
    /** Thrown by NLI calls on webgpu. */
    runError?: Error;
  };
  /** Fake-clock cost of one NLI pair per device (ms); default 10 on both. */
  msPerPair?: Partial<Record<OnnxDevice, number>>;
}

export interface StubRuntime extends CheckerRuntime {
  readonly log: {
    nliBatches: { premises: string[]; hypotheses: string[]; device: OnnxDevice }[];
    embedBatches: string[][];
    loads: RuntimeModelRequest[];
    disposed: string[];
    /** `${modelId}@${device}` of every disposed session. */
    disposedSessions: string[];
  };
  /** NLI pairs run so far on each device (warm-up and measurement included). */
  readonly nliPairsOn: Readonly<Record<OnnxDevice, number>>;
  /** The fake clock (ms): advanced by NLI calls only. */
  now(): number;
  /** NLI pairs run so far (warm-up included). */
  readonly nliPairs: number;
}

function hashWord(w: string, dim: number): number {
  let h = 2166136261;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619);
  return (h >>> 0) % dim;
}

export function createStubRuntime(options: StubRuntimeOptions = {}): StubRuntime {
  const id2label = options.id2label ?? { ...STUB_ID2LABEL };
  const dim = options.dim ?? 64;
  const files = options.files ?? [
    ['config.json', 100],
    ['tokenizer.json', 400],
    ['onnx/model_quantized.onnx', 1500],
  ];
  const log: StubRuntime['log'] = { nliBatches: [], embedBatches: [], loads: [], disposed: [], disposedSessions: [] };
  let nliPairs = 0;
  const nliPairsOn: Record<OnnxDevice, number> = { wasm: 0, webgpu: 0 };
  let clock = 0;
  const gpuError = (request: RuntimeModelRequest) => (request.device === 'webgpu' ? options.webgpu?.loadError : undefined);
  const column = (label: RuleLabel) => Number(Object.entries(id2label).find(([, l]) => l.toLowerCase() === label)?.[0] ?? -1);

  const reportFiles = async (onProgress: (info: RuntimeProgress) => void) => {
    for (const [file, bytes] of files) {
      onProgress({ status: 'initiate', file });
      onProgress({ status: 'progress', file, loaded: bytes / 2, total: bytes });
      await Promise.resolve();
      onProgress({ status: 'progress', file, loaded: bytes, total: bytes });
      onProgress({ status: 'done', file });
    }
  };

  return {
    log,
    get nliPairs() {
      return nliPairs;
    },
    nliPairsOn,
    now: () => clock,
    configure() {},
    threads: () => 1,
    webgpuAdapter: async () => options.webgpu?.adapter ?? null,
    async loadNli(request, onProgress): Promise<NliSession> {
      log.loads.push(request);
      await reportFiles(onProgress);
      if (options.nliLoadError) throw options.nliLoadError;
      const loadError = gpuError(request);
      if (loadError) throw loadError;
      return {
        id2label,
        async logits(premises, hypotheses) {
          await options.nliGate?.();
          if (request.device === 'webgpu' && options.webgpu?.runError) throw options.webgpu.runError;
          log.nliBatches.push({ premises, hypotheses, device: request.device });
          nliPairs += premises.length;
          nliPairsOn[request.device] += premises.length;
          clock += (options.msPerPair?.[request.device] ?? 10) * premises.length;
          const cols = Object.keys(id2label).length;
          const data = new Float32Array(premises.length * cols);
          premises.forEach((p, i) => {
            const c = column(ruleLabel(p, hypotheses[i]!));
            // Winner +3, others −3 → p(winner) = e^6 / (e^6 + 2) ≈ 0.995, like tiny-nli.
            for (let k = 0; k < cols; k++) data[i * cols + k] = k === c ? 3 : -3;
          });
          return { data, dims: [premises.length, cols] };
        },
        dispose: async () => {
          log.disposed.push(request.modelId);
          log.disposedSessions.push(`${request.modelId}@${request.device}`);
        },
      };
    },
    async loadEmbedding(request, onProgress): Promise<EmbeddingSession> {
      log.loads.push(request);
      await reportFiles(onProgress);
      if (options.embeddingLoadError) throw options.embeddingLoadError;
      const loadError = gpuError(request);
      if (loadError) throw loadError;
      return {
        async hiddenStates(texts) {
          log.embedBatches.push(texts);
          const tokenLists = texts.map((t) => [...contentWords(t)]);
          const tokens = Math.max(1, ...tokenLists.map((l) => l.length));
          const data = new Float32Array(texts.length * tokens * dim);
          const mask = new BigInt64Array(texts.length * tokens);
          tokenLists.forEach((list, b) => {
            for (let t = 0; t < tokens; t++) {
              const base = (b * tokens + t) * dim;
              if (t < list.length) {
                mask[b * tokens + t] = 1n;
                data[base + hashWord(list[t]!, dim)] = 1;
              } else {
                // Padding carries garbage: pooling must ignore it.
                for (let d = 0; d < dim; d++) data[base + d] = 100;
              }
            }
          });
          return { data, dims: [texts.length, tokens, dim], mask };
        },
        dispose: async () => {
          log.disposed.push(request.modelId);
          log.disposedSessions.push(`${request.modelId}@${request.device}`);
        },
      };
    },
  };
}

export interface FakeCheckerWorkers {
  createWorker: () => WorkerLike;
  /** Workers spawned so far. */
  readonly spawned: number;
  /** Raises an uncaught error in the latest worker (what a wasm OOM looks like to the main thread). */
  crash(): void;
  /** Closes every channel (afterEach). */
  close(): void;
}

/** Spawns fake workers serving the real checker handlers over `runtime`. */
export function fakeCheckerWorkers(runtime: CheckerRuntime): FakeCheckerWorkers {
  const channels: MessageChannel[] = [];
  return {
    createWorker(): WorkerLike {
      const { worker, channel } = channelWorker(createCheckerHandlers(runtime));
      channels.push(channel);
      return worker;
    },
    get spawned() {
      return channels.length;
    },
    crash() {
      channels.at(-1)?.port1.dispatchEvent(new Event('error'));
    },
    close() {
      for (const c of channels) {
        c.port1.close();
        c.port2.close();
      }
    },
  };
}

/** A load of the stub's models on wasm (no measuring), for handler tests. */
export const STUB_LOAD_REQUEST: Readonly<CheckerLoadRequest> = Object.freeze({
  nliModelId: 'stub-nli',
  embeddingModelId: 'stub-embed',
  source: { kind: 'self-hosted', baseUrl: 'http://127.0.0.1/models/' } as const,
  device: 'wasm',
});

/** An RpcContext for calling handlers directly: records the progress it is sent. */
export function recordingContext<P>(signal: AbortSignal = new AbortController().signal): RpcContext<P> & { events: P[] } {
  const events: P[] = [];
  return { events, progress: (p: P) => events.push(p), signal };
}

/** The real checker handlers over a fresh stub runtime, loaded with STUB_LOAD_REQUEST. */
export async function loadedStubHandlers(options: StubRuntimeOptions = {}): Promise<{
  runtime: StubRuntime;
  handlers: CheckerApi;
  result: CheckerLoadResult;
  events: LoadProgress[];
}> {
  const runtime = createStubRuntime(options);
  const handlers = createCheckerHandlers(runtime);
  const c = recordingContext<LoadProgress>();
  const result = await handlers.load(STUB_LOAD_REQUEST, c);
  return { runtime, handlers, result, events: c.events };
}
