/**
 * The server engine against a fetch double that streams what each test
 * scripts (the real server process is exercised in e2e/server-engine.spec.ts).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING } from '../domain/chat';
import { listServerModels, MAX_REPLY_CHARS, OpenAiEngine } from './OpenAiEngine';
import {
  MixedContentError,
  ServerAuthError,
  ServerCorsError,
  ServerModelNotFoundError,
  ServerProtocolError,
  ServerReplyTooLargeError,
  ServerStreamEndedError,
  ServerUnreachableError,
  ServerUnreachableOrCorsError,
} from './serverErrors';

const BASE = 'http://127.0.0.1:9999/v1';
const enc = new TextEncoder();

interface StreamScript {
  /** Text pieces sent as network chunks, in order. */
  pieces: string[];
  /** After the pieces: close cleanly, fail (connection reset), or stay open until aborted. */
  end?: 'close' | 'error' | 'hang';
}

/** A controllable response body: pieces are sent when pulled; abort errors it. */
function streamOf(script: StreamScript, signal?: AbortSignal | null): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < script.pieces.length) {
        controller.enqueue(enc.encode(script.pieces[i++]!));
        return undefined;
      }
      if (script.end === 'error') controller.error(new TypeError('network error'));
      else if (script.end === 'hang') {
        return new Promise<void>((_, reject) => signal?.addEventListener('abort', () => {
          const e = new DOMException('aborted', 'AbortError');
          controller.error(e);
          reject(e);
        }));
      } else controller.close();
      return undefined;
    },
  });
}

const sse = (...objects: unknown[]) => objects.map((o) => `data: ${typeof o === 'string' ? o : JSON.stringify(o)}\n\n`);
const delta = (content: string) => ({ choices: [{ index: 0, delta: { content } }] });

interface Call {
  url: string;
  init: RequestInit;
}

function fakeServer(handlers: { models?: () => Response | Promise<Response>; chat?: (init: RequestInit) => Response | Promise<Response>; noCors?: 'ok' | 'fail' }) {
  const calls: Call[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    calls.push({ url, init });
    if (init.mode === 'no-cors') {
      if (handlers.noCors === 'ok') return new Response(null, { status: 200 });
      throw new TypeError('Failed to fetch');
    }
    if (url.endsWith('/models')) return handlers.models ? handlers.models() : Response.json({ data: [{ id: 'm' }] });
    if (url.endsWith('/chat/completions')) {
      if (!handlers.chat) throw new TypeError('Failed to fetch');
      return handlers.chat(init);
    }
    return new Response('not found', { status: 404 });
  }) as typeof fetch;
  return { fetch: fetchImpl, calls };
}

const eventStream = (script: StreamScript, init?: RequestInit) =>
  new Response(streamOf(script, init?.signal), { headers: { 'content-type': 'text/event-stream' } });

const request = { messages: [{ role: 'user' as const, content: 'Hello' }], sampling: DEFAULT_SAMPLING, stop: ['\nYou:'] };
const page = { protocol: 'http:', origin: 'http://127.0.0.1:5173' };

async function readyEngine(server: ReturnType<typeof fakeServer>, apiKey = '') {
  const engine = new OpenAiEngine({ baseUrl: BASE, apiKey, contextSize: 8192 }, { fetch: server.fetch, page });
  await engine.load('m');
  return engine;
}

describe('OpenAiEngine', () => {
  it('streams deltas, reads usage, sends the key and the mapped sampling, and is ready again', async () => {
    const server = fakeServer({
      chat: (init) => eventStream({ pieces: [': keep-alive\n\n', ...sse({ choices: [{ delta: { content: 'Hel' } }] }), 'data: {"choices":[{"delta":{"content":"lo"}}]}\n', '\n', ...sse({ choices: [{ delta: {}, finish_reason: 'stop' }] }, { choices: [], usage: { prompt_tokens: 9, completion_tokens: 2 } }, '[DONE]')] }, init),
    });
    const engine = await readyEngine(server, 'sk-test');
    const deltas: string[] = [];
    const result = await engine.generate(request, { onDelta: (d) => deltas.push(d) });
    expect(deltas.join('')).toBe('Hello');
    expect(result).toMatchObject({ text: 'Hello', finishReason: 'stop', usage: { promptTokens: 9, completionTokens: 2 } });
    expect(engine.status.state).toBe('ready');
    const chat = server.calls.find((c) => c.url === `${BASE}/chat/completions`)!;
    expect((chat.init.headers as Record<string, string>).Authorization).toBe('Bearer sk-test');
    expect(JSON.parse(chat.init.body as string)).toMatchObject({ model: 'm', stream: true, temperature: DEFAULT_SAMPLING.temperature, max_tokens: DEFAULT_SAMPLING.maxTokens, stop: ['\nYou:'] });
    expect(engine.contextSize).toBe(8192);
  });

  it('cuts at a stop string the server did not honour', async () => {
    const server = fakeServer({ chat: (init) => eventStream({ pieces: sse(delta('Yes.\nYo'), delta('u: no'), delta('more'), '[DONE]') }, init) });
    const engine = await readyEngine(server);
    const result = await engine.generate(request);
    expect(result).toMatchObject({ text: 'Yes.', finishReason: 'stop' });
  });

  it('stop (abort) keeps the partial text and resolves as abort', async () => {
    const server = fakeServer({ chat: (init) => eventStream({ pieces: sse(delta('Once upon')), end: 'hang' }, init) });
    const engine = await readyEngine(server);
    const controller = new AbortController();
    const result = await engine.generate(request, { signal: controller.signal, onDelta: () => controller.abort() });
    expect(result).toMatchObject({ text: 'Once upon', finishReason: 'abort' });
    expect(engine.status.state).toBe('ready');
  });

  it('a stream that ends without [DONE] keeps the text in a named error', async () => {
    for (const end of ['close', 'error'] as const) {
      const server = fakeServer({ chat: (init) => eventStream({ pieces: sse(delta('Half a ')), end }, init) });
      const engine = await readyEngine(server);
      const failure = await engine.generate(request).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ServerStreamEndedError);
      expect((failure as ServerStreamEndedError).partialText).toBe('Half a ');
      expect(engine.status.state).toBe('ready');
    }
  });

  it('a malformed chunk is a clear protocol error that keeps the text before it', async () => {
    const server = fakeServer({ chat: (init) => eventStream({ pieces: [...sse(delta('Fine so far')), 'data: {"choices":[{"delta":\n\n'], end: 'hang' }, init) });
    const engine = await readyEngine(server);
    const failure = (await engine.generate(request).catch((e: unknown) => e)) as ServerProtocolError;
    expect(failure).toBeInstanceOf(ServerProtocolError);
    expect(failure.userMessage).toMatch(/not valid JSON/);
    expect(failure.partialText).toBe('Fine so far');
  });

  it('stops reading a reply past MAX_REPLY_CHARS', async () => {
    const piece = 'x'.repeat(4096);
    const pieces = Array.from({ length: MAX_REPLY_CHARS / 4096 + 4 }, () => sse(delta(piece))[0]!);
    const server = fakeServer({ chat: (init) => eventStream({ pieces, end: 'hang' }, init) });
    const engine = await readyEngine(server);
    const failure = (await engine.generate(request).catch((e: unknown) => e)) as ServerReplyTooLargeError;
    expect(failure).toBeInstanceOf(ServerReplyTooLargeError);
    expect(failure.partialText.length).toBeLessThanOrEqual(MAX_REPLY_CHARS);
    expect(failure.partialText.length).toBeGreaterThan(0);
  });

  it('an HTML page instead of a stream is named', async () => {
    const server = fakeServer({ chat: () => new Response('<!doctype html><title>Login</title>', { headers: { 'content-type': 'text/html' } }) });
    const engine = await readyEngine(server);
    await expect(engine.generate(request)).rejects.toThrow(ServerProtocolError);
  });

  it('reads a server that ignores stream:true (one JSON reply)', async () => {
    const server = fakeServer({ chat: () => Response.json({ choices: [{ message: { role: 'assistant', content: 'Whole reply.' }, finish_reason: 'length' }], usage: { prompt_tokens: 4, completion_tokens: 3 } }) });
    const engine = await readyEngine(server);
    expect(await engine.generate(request)).toMatchObject({ text: 'Whole reply.', finishReason: 'length', usage: { completionTokens: 3 } });
  });

  it('load: a wrong key, an unknown model, CORS, an unreachable host and mixed content are each named', async () => {
    const unauthorized = fakeServer({ models: () => Response.json({ error: { message: 'Invalid API Key' } }, { status: 401 }) });
    await expect(new OpenAiEngine({ baseUrl: BASE, apiKey: 'bad', contextSize: 4096 }, { fetch: unauthorized.fetch, page }).load('m')).rejects.toThrow(ServerAuthError);

    const listed = fakeServer({ models: () => Response.json({ data: [{ id: 'a' }, { id: 'b' }] }) });
    const engine = new OpenAiEngine({ baseUrl: BASE, apiKey: '', contextSize: 4096 }, { fetch: listed.fetch, page });
    const notFound = (await engine.load('zzz').catch((e: unknown) => e)) as ServerModelNotFoundError;
    expect(notFound).toBeInstanceOf(ServerModelNotFoundError);
    expect(notFound.userMessage).toMatch(/a, b/);
    expect(engine.status.state).toBe('error');

    const cors = fakeServer({ models: () => { throw new TypeError('Failed to fetch'); }, noCors: 'ok' });
    const corsError = (await listServerModels({ baseUrl: BASE, apiKey: '' }, { fetch: cors.fetch, page }).catch((e: unknown) => e)) as ServerCorsError;
    expect(corsError).toBeInstanceOf(ServerCorsError);
    expect(corsError.userMessage).toMatch(/OLLAMA_ORIGINS=http:\/\/127\.0\.0\.1:5173/);
    expect(corsError.userMessage).toMatch(/--allowed-origins/);

    const down = fakeServer({ models: () => { throw new TypeError('Failed to fetch'); }, noCors: 'fail' });
    await expect(listServerModels({ baseUrl: BASE, apiKey: '' }, { fetch: down.fetch, page, isolated: false })).rejects.toThrow(ServerUnreachableError);
    // Cross-origin isolated: a failed probe proves nothing, so both fixes are named.
    const either = (await listServerModels({ baseUrl: BASE, apiKey: '' }, { fetch: down.fetch, page, isolated: true }).catch((e: unknown) => e)) as ServerUnreachableOrCorsError;
    expect(either).toBeInstanceOf(ServerUnreachableOrCorsError);
    expect(either.userMessage).toMatch(/no server runs there.*OLLAMA_ORIGINS/s);

    const mixed = fakeServer({});
    await expect(listServerModels({ baseUrl: 'http://gpu.lan:8000/v1', apiKey: '' }, { fetch: mixed.fetch, page: { protocol: 'https:', origin: 'https://studio.example' } })).rejects.toThrow(MixedContentError);
    expect(mixed.calls).toHaveLength(0);
  });

  it('load accepts any id when the server has no model list', async () => {
    const server = fakeServer({ models: () => new Response('{"detail":"Not Found"}', { status: 404, headers: { 'content-type': 'application/json' } }) });
    const engine = new OpenAiEngine({ baseUrl: BASE, apiKey: '', contextSize: 4096 }, { fetch: server.fetch, page });
    await engine.load('typed-id');
    expect(engine.status).toEqual({ state: 'ready', modelId: 'typed-id' });
  });

  it('refuses to generate before a model is chosen', async () => {
    const engine = new OpenAiEngine({ baseUrl: BASE, apiKey: '', contextSize: 4096 }, { fetch: fakeServer({}).fetch, page });
    await expect(engine.generate(request)).rejects.toThrow(/Cannot generate/);
  });
});
