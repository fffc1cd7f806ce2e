import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING } from '../domain/chat';
import type { TransformersLoadRequest } from '../protocol/chat';
import type { LoadProgress } from '../protocol/loading';
import type { RpcContext } from '../protocol/rpc';
import {
  createTransformersChatHandlers,
  type ChatModelRuntime,
  type LoadedChatModel,
  type RuntimeGenerateInput,
} from './transformersChatHandlers';
import type { RuntimeProgress } from './loadProgress';

/** A stub "pipeline": emits scripted pieces, one token each, honouring the stop signal like InterruptableStoppingCriteria. */
function stubModel(pieces: string[], hooks: { onPiece?: (i: number) => void } = {}) {
  const calls: RuntimeGenerateInput[] = [];
  let disposed = false;
  const model: LoadedChatModel = {
    async generate(input, io) {
      calls.push(input);
      for (let i = 0; i < pieces.length && i < input.maxNewTokens; i++) {
        if (io.signal.aborted) return;
        await Promise.resolve();
        io.onTokens(1);
        io.onText(pieces[i]!);
        hooks.onPiece?.(i);
      }
    },
    countPromptTokens: (messages) => messages.reduce((n, m) => n + m.content.split(/\s+/).length + 2, 0),
    countTokens: (text) => text.split(/\s+/).filter(Boolean).length,
    dispose: async () => {
      disposed = true;
    },
  };
  return { model, calls, isDisposed: () => disposed };
}

function stubRuntime(model: LoadedChatModel, events: RuntimeProgress[] = []) {
  const requests: TransformersLoadRequest[] = [];
  const runtime: ChatModelRuntime = {
    async load(request, onProgress) {
      requests.push(request);
      for (const e of events) onProgress(e);
      return model;
    },
  };
  return { runtime, requests };
}

function ctx<P>(signal: AbortSignal = new AbortController().signal) {
  const progress: P[] = [];
  const c: RpcContext<P> = { progress: (p) => progress.push(p), signal };
  return { c, progress };
}

const loadRequest: TransformersLoadRequest = {
  modelId: 'tiny-decoder',
  dtype: 'q8',
  device: 'wasm',
  source: { kind: 'self-hosted', baseUrl: 'http://localhost/models/' },
};

const request = (stop: string[] = [], maxTokens = 100) => ({
  messages: [
    { role: 'system' as const, content: 'You are Ada.' },
    { role: 'user' as const, content: 'Hi there' },
  ],
  sampling: { ...DEFAULT_SAMPLING, maxTokens },
  stop,
});

async function loaded(pieces: string[], hooks?: { onPiece?: (i: number) => void }) {
  const stub = stubModel(pieces, hooks);
  const { runtime } = stubRuntime(stub.model);
  const handlers = createTransformersChatHandlers(runtime);
  await handlers.load({ ...loadRequest, warmUpTokens: 0 }, ctx<LoadProgress>().c);
  return { handlers, ...stub };
}

describe('transformers chat handlers', () => {
  it('load aggregates bytes across files, then loading, warming, ready', async () => {
    const stub = stubModel(['a']);
    const { runtime, requests } = stubRuntime(stub.model, [
      { status: 'initiate', file: 'config.json' },
      { status: 'progress', file: 'config.json', loaded: 1000, total: 1000 },
      { status: 'done', file: 'config.json' },
      { status: 'initiate', file: 'onnx/model_quantized.onnx' },
      { status: 'progress', file: 'onnx/model_quantized.onnx', loaded: 4000, total: 9000 },
      { status: 'progress', file: 'onnx/model_quantized.onnx', loaded: 9000, total: 9000 },
      { status: 'done', file: 'onnx/model_quantized.onnx' },
      { status: 'ready' },
    ]);
    const handlers = createTransformersChatHandlers(runtime);
    const { c, progress } = ctx<LoadProgress>();
    const result = await handlers.load(loadRequest, c);
    expect(result).toMatchObject({ modelId: 'tiny-decoder', dtype: 'q8', device: 'wasm' });
    expect(requests[0]!.source).toEqual(loadRequest.source);
    const downloading = progress.filter((p) => p.phase === 'downloading');
    expect(downloading.find((p) => p.loadedBytes === 5000)).toMatchObject({ totalBytes: 10000, progress: 0.5 });
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['downloading', 'loading', 'warming']));
    expect(progress.at(-1)).toMatchObject({ phase: 'warming', progress: 1 });
    // The warm-up ran a few greedy tokens.
    expect(stub.calls[0]).toMatchObject({ maxNewTokens: 4, temperature: 0 });
  });

  it('generate streams every delta and reports usage', async () => {
    const { handlers } = await loaded(['Hello', ' there', ', traveller.']);
    const { c, progress } = ctx<{ text: string }>();
    const result = await handlers.generate(request(), c);
    expect(progress.map((p) => p.text).join('')).toBe('Hello there, traveller.');
    expect(result.text).toBe('Hello there, traveller.');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({ promptTokens: 3 + 2 + 2 + 2, completionTokens: 3 });
    expect(result.timings?.totalMs).toBeGreaterThanOrEqual(0);
  });

  it('cuts at a stop string split across deltas and never emits it', async () => {
    const { handlers } = await loaded(['She smiles.', '\nUs', 'er: hi', ' more']);
    const { c, progress } = ctx<{ text: string }>();
    const result = await handlers.generate(request(['\nUser:']), c);
    const streamed = progress.map((p) => p.text).join('');
    expect(streamed).toBe('She smiles.');
    expect(result.text).toBe('She smiles.');
    expect(result.finishReason).toBe('stop');
    // Generation was interrupted right after the stop string: the 4th piece never ran.
    expect(result.usage.completionTokens).toBe(3);
  });

  it('releases a held partial match when it turns out not to be a stop string', async () => {
    const { handlers } = await loaded(['a\nU', 'nder the moon']);
    const { c, progress } = ctx<{ text: string }>();
    const result = await handlers.generate(request(['\nUser:']), c);
    expect(progress.map((p) => p.text).join('')).toBe('a\nUnder the moon');
    expect(result.text).toBe('a\nUnder the moon');
  });

  it('interrupt (cancel) stops generation with finishReason abort and keeps the text', async () => {
    const controller = new AbortController();
    const { handlers } = await loaded(['one', ' two', ' three', ' four'], {
      onPiece: (i) => {
        if (i === 1) controller.abort();
      },
    });
    const { c } = ctx<{ text: string }>(controller.signal);
    const result = await handlers.generate(request(), c);
    expect(result.finishReason).toBe('abort');
    expect(result.text).toBe('one two');
    expect(result.usage.completionTokens).toBe(2);
  });

  it('reports length when maxTokens is reached', async () => {
    const { handlers, calls } = await loaded(['a', 'b', 'c', 'd']);
    const result = await handlers.generate(request([], 2), ctx<{ text: string }>().c);
    expect(result).toMatchObject({ text: 'ab', finishReason: 'length' });
    expect(calls.at(-1)).toMatchObject({ maxNewTokens: 2, temperature: DEFAULT_SAMPLING.temperature });
  });

  it('countTokens uses the loaded tokenizer; unload disposes', async () => {
    const { handlers, isDisposed } = await loaded(['x']);
    await expect(handlers.countTokens('three little words')).resolves.toBe(3);
    await handlers.unload(null);
    expect(isDisposed()).toBe(true);
    await expect(handlers.countTokens('x')).rejects.toMatchObject({ name: 'ModelNotLoadedError' });
    await expect(handlers.generate(request(), ctx<{ text: string }>().c)).rejects.toThrow(/No model/);
  });
});
