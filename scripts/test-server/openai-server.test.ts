/**
 * The studio's server engine (src/engines/OpenAiEngine.ts) with Node's own
 * fetch against the real test server process: SSE framing, [DONE], usage,
 * auth, errors, a killed server. CORS is the browser's to enforce, so here
 * only the server's preflight answers are checked; the refusal itself is in
 * e2e/server-engine.spec.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING } from '../../src/domain/chat';
import { MAX_REPLY_CHARS, OpenAiEngine, listServerModels } from '../../src/engines/OpenAiEngine';
import {
  ServerAuthError,
  ServerModelNotFoundError,
  ServerProtocolError,
  ServerReplyTooLargeError,
  ServerRespondedError,
  ServerStreamEndedError,
} from '../../src/engines/serverErrors';
import { startTestServer, type TestServer } from './spawn.mjs';

let server: TestServer;
const page = { protocol: 'http:', origin: 'http://127.0.0.1:5173' };
const request = { messages: [{ role: 'system' as const, content: 'You are Maren.' }, { role: 'user' as const, content: 'Hi' }], sampling: DEFAULT_SAMPLING, stop: ['\nYou:'] };

beforeAll(async () => {
  server = await startTestServer(['--models', 'test-model,other', '--context', '16384']);
});
afterAll(async () => {
  await server?.stop();
});
beforeEach(async () => {
  await server.reset();
  await server.control({ models: ['test-model', 'other'], context: 16384 });
});

async function engine(apiKey = '') {
  const e = new OpenAiEngine({ baseUrl: server.baseUrl, apiKey, contextSize: 4096 }, { page });
  await e.load('test-model');
  return e;
}

describe('OpenAiEngine against the test server process', () => {
  it('lists models with their context, streams a reply, and sends only the prompt and sampling', async () => {
    expect(await listServerModels({ baseUrl: server.origin, apiKey: '' }, { page })).toEqual([
      { id: 'test-model', contextSize: 16384 },
      { id: 'other', contextSize: 16384 },
    ]);
    await server.control({ replies: ['The lighthouse keeps its own counsel.'] });
    const e = await engine();
    const deltas: string[] = [];
    const result = await e.generate(request, { onDelta: (d) => deltas.push(d) });
    expect(result.text).toBe('The lighthouse keeps its own counsel.');
    expect(deltas.length).toBeGreaterThan(3);
    expect(result.finishReason).toBe('stop');
    expect(result.usage.completionTokens).toBe(6);
    const [body] = await server.requests();
    expect(Object.keys(body!).sort()).toEqual(['max_tokens', 'messages', 'model', 'presence_penalty', 'repeat_penalty', 'stop', 'stream', 'stream_options', 'temperature', 'top_p']);
    expect(body!.messages).toEqual(request.messages);
  });

  it('tolerates a missing role chunk and keep-alives on every chunk', async () => {
    await server.control({ replies: ['No role here.'], omitRole: true, keepAliveEvery: 1 });
    expect((await (await engine()).generate(request)).text).toBe('No role here.');
  });

  it('stop aborts the request and keeps the partial text', async () => {
    await server.control({ replies: ['one two three four five six seven eight nine ten'], chunkDelayMs: 50 });
    const e = await engine();
    const controller = new AbortController();
    let seen = 0;
    const result = await e.generate(request, { signal: controller.signal, onDelta: () => ++seen === 2 && controller.abort() });
    expect(result.finishReason).toBe('abort');
    expect(result.text).toBe('one two ');
    expect(e.status.state).toBe('ready');
  });

  it('a wrong key, an unknown model and a 429 are named with the fix', async () => {
    await server.control({ apiKey: 'sk-right' });
    await expect(new OpenAiEngine({ baseUrl: server.baseUrl, apiKey: 'sk-wrong', contextSize: 4096 }, { page }).load('test-model')).rejects.toThrow(ServerAuthError);
    const ok = await engine('sk-right');
    expect(ok.status.state).toBe('ready');
    await server.control({ apiKey: '' });
    await expect(new OpenAiEngine({ baseUrl: server.baseUrl, apiKey: '', contextSize: 4096 }, { page }).load('nope')).rejects.toThrow(ServerModelNotFoundError);
    // A model that vanished after loading: the chat request's own 404.
    const e = await engine();
    await server.control({ models: ['other'] });
    await expect(e.generate(request)).rejects.toThrow(ServerModelNotFoundError);
    await server.control({ models: ['test-model'], mode: 'status', status: 429, errorMessage: 'Too many requests, retry in 2 s' });
    const busy = (await e.generate(request).catch((x: unknown) => x)) as ServerRespondedError;
    expect(busy).toBeInstanceOf(ServerRespondedError);
    expect(busy.userMessage).toMatch(/429.*retry in 2 s/);
  });

  it('HTML, a malformed chunk, no [DONE] and a 10 MB reply are each a clear error that keeps the text', async () => {
    const e = await engine();
    await server.control({ mode: 'html' });
    await expect(e.generate(request)).rejects.toThrow(ServerProtocolError);
    await server.control({ mode: 'malformed', replies: ['a b c d e'] });
    const malformed = (await e.generate(request).catch((x: unknown) => x)) as ServerProtocolError;
    expect(malformed).toBeInstanceOf(ServerProtocolError);
    expect(malformed.partialText).toBe('a b ');
    await server.control({ mode: 'no-done', replies: ['ends without done'] });
    const ended = (await e.generate(request).catch((x: unknown) => x)) as ServerStreamEndedError;
    expect(ended).toBeInstanceOf(ServerStreamEndedError);
    expect(ended.partialText).toBe('ends without done');
    await server.control({ mode: 'huge' });
    const huge = (await e.generate(request).catch((x: unknown) => x)) as ServerReplyTooLargeError;
    expect(huge).toBeInstanceOf(ServerReplyTooLargeError);
    expect(huge.partialText.length).toBeLessThanOrEqual(MAX_REPLY_CHARS);
    expect(e.status.state).toBe('ready');
  });

  it('answers CORS preflights for the allowed origin only', async () => {
    await server.control({ allowOrigin: 'http://127.0.0.1:5173' });
    const preflight = (origin: string) =>
      fetch(`${server.baseUrl}/chat/completions`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' } });
    const allowed = await preflight('http://127.0.0.1:5173');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const refused = await preflight('http://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('a server killed mid-reply', () => {
  it('ends the stream with a named error and the text so far', async () => {
    const doomed = await startTestServer(['--models', 'test-model']);
    try {
      await doomed.control({ replies: ['alpha beta gamma delta epsilon zeta'], killAfterChunks: 3, chunkDelayMs: 20 });
      const e = new OpenAiEngine({ baseUrl: doomed.baseUrl, apiKey: '', contextSize: 4096 }, { page });
      await e.load('test-model');
      const failure = (await e.generate(request).catch((x: unknown) => x)) as ServerStreamEndedError;
      expect(failure).toBeInstanceOf(ServerStreamEndedError);
      expect(failure.partialText).toBe('alpha beta gamma ');
      expect(failure.userMessage).toMatch(/text so far is kept/);
      expect((await doomed.exited).code).toBe(1);
    } finally {
      await doomed.stop();
    }
  });
});
