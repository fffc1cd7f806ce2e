/**
 * WebLlmEngine over WebLLM's real worker protocol: the main side is WebLLM's
 * WebWorkerMLCEngine (via CreateWebWorkerMLCEngine), the worker side is
 * WebLLM's real WebWorkerMLCEngineHandler, and only the GPU engine inside the
 * handler is a TEST DOUBLE (StubMlcEngine: scripted chunks, no WebGPU). What
 * this checks is our use of the protocol — load progress, streamed deltas,
 * finish reason, usage, interrupt, stop strings — not WebLLM's inference,
 * which needs a GPU and model weights this machine does not have.
 */
import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';
import { afterEach, describe, expect, it } from 'vitest';
import type { GenerateRequest } from './ChatEngine';
import { DEFAULT_SAMPLING } from '../domain/chat';
import { acceptHeartbeatPort } from '../test/channelWorker';
import { WebLlmEngine } from './WebLlmEngine';

interface Chunk {
  choices: { index: number; delta: { content?: string; role?: string }; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number; extra?: Record<string, number> };
}

/** TEST DOUBLE for WebLLM's MLCEngine: answers with scripted pieces, honours interruptGenerate. */
class StubMlcEngine {
  reloads: string[] = [];
  requests: Record<string, unknown>[] = [];
  interrupted = false;
  lastMessage = '';
  pieceDelayMs = 5;
  /** Before the first piece (a long prefill); resolved by the test. */
  prefill: Promise<void> | null = null;
  onCompletion: (() => void) | null = null;
  constructor(
    private readonly pieces: string[],
    private readonly progress: (report: { progress: number; timeElapsed: number; text: string }) => void,
  ) {}
  async reload(modelId: string | string[]) {
    this.reloads.push([modelId].flat().join(','));
    this.progress({ progress: 0.5, timeElapsed: 1, text: 'Fetching param cache[1/2]: 10MB fetched. 50% completed, 1 secs elapsed.' });
    this.progress({ progress: 1, timeElapsed: 2, text: 'Finish loading on WebGPU' });
  }
  setInitProgressCallback() {}
  setAppConfig() {}
  async resetChat() {}
  async unload() {}
  interruptGenerate() {
    this.interrupted = true;
  }
  async getMessage() {
    return this.lastMessage;
  }
  async chatCompletion(request: Record<string, unknown>) {
    this.requests.push(request);
    this.interrupted = false;
    const pieces = request.max_tokens === 2 ? ['Hi'] : this.pieces;
    const stops = (request.stop as string[] | undefined) ?? [];
    this.onCompletion?.();
    const stream = async function* (this: StubMlcEngine): AsyncGenerator<Chunk> {
      let text = '';
      let finish = 'stop';
      await this.prefill;
      for (const p of pieces) {
        await new Promise((r) => setTimeout(r, this.pieceDelayMs));
        if (this.interrupted) {
          finish = 'abort';
          break;
        }
        text += p;
        // Like WebLLM: a completed stop string ends the reply and is trimmed
        // from the message, but pieces of it may already have been streamed.
        const at = Math.min(...stops.map((st) => text.indexOf(st)).filter((i) => i >= 0));
        if (Number.isFinite(at)) {
          text = text.slice(0, at);
          this.lastMessage = text;
          break;
        }
        this.lastMessage = text;
        yield { choices: [{ index: 0, delta: { content: p }, finish_reason: null }] };
      }
      yield { choices: [{ index: 0, delta: {}, finish_reason: finish }] };
      yield {
        choices: [],
        usage: { prompt_tokens: 42, completion_tokens: text.length, total_tokens: 42 + text.length, extra: { decode_tokens_per_s: 20 } },
      };
    };
    return stream.call(this);
  }
}

/** A Worker whose other end is WebLLM's real handler, in this thread. */
class HandlerWorker extends EventTarget {
  onmessage: ((e: MessageEvent) => void) | null = null;
  terminated = false;
  readonly handler = new WebWorkerMLCEngineHandler();
  readonly stub: StubMlcEngine;
  constructor(pieces: string[]) {
    super();
    const toMain = (msg: unknown) =>
      setTimeout(() => {
        if (this.terminated) return;
        const ev = new MessageEvent('message', { data: msg });
        this.onmessage?.(ev);
        this.dispatchEvent(ev);
      });
    (this.handler as unknown as { postMessage: (m: unknown) => void }).postMessage = toMain;
    this.stub = new StubMlcEngine(pieces, (content) => toMain({ kind: 'initProgressCallback', uuid: '', content }));
    (this.handler as unknown as { engine: unknown }).engine = this.stub;
  }
  postMessage(message: unknown, transfer: Transferable[] = []) {
    if (this.terminated) return;
    const ev = new MessageEvent('message', { data: message, ports: transfer as MessagePort[] });
    if (acceptHeartbeatPort(ev)) return;
    setTimeout(() => this.handler.onmessage(ev));
  }
  terminate() {
    this.terminated = true;
  }
}

const MODEL = 'SmolLM2-360M-Instruct-q4f32_1-MLC';

function request(stop: string[] = []): GenerateRequest {
  return {
    messages: [
      { role: 'system', content: 'You are Maren.' },
      { role: 'user', content: 'Hello?' },
    ],
    sampling: { ...DEFAULT_SAMPLING, temperature: 0.7, maxTokens: 64 },
    stop,
  };
}

const engines: WebLlmEngine[] = [];
afterEach(() => {
  for (const e of engines.splice(0)) e.dispose();
});

function setup(pieces: string[]) {
  const workers: HandlerWorker[] = [];
  const engine = new WebLlmEngine({
    stall: false,
    createWorker: () => {
      const w = new HandlerWorker(pieces);
      workers.push(w);
      return w as unknown as Worker;
    },
  });
  engines.push(engine);
  return { engine, workers };
}

describe('WebLlmEngine over WebLLM’s worker protocol (GPU engine stubbed)', () => {
  it('loads with progress, warms up, and streams a reply with finish reason and usage', async () => {
    const { engine, workers } = setup(['*She looks up.* ', '"Evening', ', stranger."']);
    const progress: string[] = [];
    await engine.load(MODEL, { onProgress: (p) => progress.push(`${p.phase}:${p.progress}`) });
    expect(workers).toHaveLength(1);
    expect(workers[0]!.stub.reloads).toEqual([MODEL]);
    expect(progress).toContain('downloading:0.5');
    expect(progress.at(-1)).toBe('warming:1');
    expect(engine.status).toEqual({ state: 'ready', modelId: MODEL });

    const deltas: string[] = [];
    const result = await engine.generate(request(), { onDelta: (d) => deltas.push(d) });
    expect(deltas.join('')).toBe('*She looks up.* "Evening, stranger."');
    expect(deltas.length).toBeGreaterThanOrEqual(3);
    const reply = '*She looks up.* "Evening, stranger."';
    // The stub counts one token per character.
    expect(result).toMatchObject({ text: reply, finishReason: 'stop', usage: { promptTokens: 42, completionTokens: reply.length } });
    expect(result.timings?.decodeTokensPerSecond).toBe(20);
    // The request WebLLM's engine saw: our sampling, streaming with usage, one leading system message.
    const sent = workers[0]!.stub.requests.at(-1)!;
    expect(sent).toMatchObject({ stream: true, stream_options: { include_usage: true }, temperature: 0.7, max_tokens: 64 });
    expect((sent.messages as { role: string }[]).map((m) => m.role)).toEqual(['system', 'user']);
    expect(engine.status.state).toBe('ready');
  });

  it('interrupt stops the stream: finish reason abort, the partial text kept, model still loaded', async () => {
    const pieces = Array.from({ length: 200 }, (_, i) => `w${i} `);
    const { engine, workers } = setup(pieces);
    await engine.load(MODEL);
    const deltas: string[] = [];
    const controller = new AbortController();
    const result = await engine.generate(request(), {
      signal: controller.signal,
      onDelta: (d) => {
        deltas.push(d);
        if (deltas.length === 3) controller.abort();
      },
    });
    expect(workers[0]!.stub.interrupted).toBe(true);
    expect(result.finishReason).toBe('abort');
    expect(deltas.length).toBeLessThan(50);
    expect(result.text).toBe(deltas.join(''));
    expect(engine.status.state).toBe('ready');
    // And it generates again afterwards.
    const again = await engine.generate(request(), {});
    expect(again.finishReason).toBe('stop');
  });

  it('stop strings end the reply before the user’s next line', async () => {
    const { engine } = setup(['The tide is out.', '\nUs', 'er: and then?']);
    await engine.load(MODEL);
    const deltas: string[] = [];
    const result = await engine.generate(request(['\nUser:']), { onDelta: (d) => deltas.push(d) });
    expect(result.text).toBe('The tide is out.');
    expect(deltas.join('')).toBe('The tide is out.');
    expect(result.finishReason).toBe('stop');
  });
});

describe('WebLlmEngine stop at any moment (timing forced)', () => {
  it('a signal aborted before generate: no text, finish reason abort, the model stays loaded', async () => {
    const { engine } = setup(['never ', 'said']);
    await engine.load(MODEL);
    const controller = new AbortController();
    controller.abort();
    const deltas: string[] = [];
    const result = await engine.generate(request(), { signal: controller.signal, onDelta: (d) => deltas.push(d) });
    expect(result.finishReason).toBe('abort');
    expect(result.text).toBe('');
    expect(deltas).toEqual([]);
    expect(engine.status.state).toBe('ready');
  });

  it('a stop that reaches WebLLM before its stream starts (it clears the flag then) still ends the reply', async () => {
    const { engine, workers } = setup(['never ', 'said ', 'this']);
    await engine.load(MODEL);
    const stub = workers[0]!.stub;
    let release!: () => void;
    stub.prefill = new Promise((r) => (release = r));
    const controller = new AbortController();
    const deltas: string[] = [];
    // Stop the moment WebLLM receives the request, before its prefill ends.
    stub.onCompletion = () => {
      controller.abort();
      setTimeout(release, 30);
    };
    const result = await engine.generate(request(), { signal: controller.signal, onDelta: (d) => deltas.push(d) });
    expect(result.finishReason).toBe('abort');
    expect(deltas).toEqual([]);
    expect(engine.status.state).toBe('ready');
  });
});
