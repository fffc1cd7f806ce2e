import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING } from '../domain/chat';
import {
  buildChatRequest,
  errorForStatus,
  errorMessageOf,
  isMixedContent,
  normalizeBaseUrl,
  parseModelList,
  readChatChunk,
} from './openaiProtocol';
import { ServerAuthError, ServerModelNotFoundError, ServerProtocolError, ServerRespondedError, ServerUrlError } from './serverErrors';

describe('normalizeBaseUrl', () => {
  it('keeps a /v1 path, adds /v1 to a bare host, drops trailing slashes', () => {
    expect(normalizeBaseUrl(' http://127.0.0.1:8080/v1/ ')).toBe('http://127.0.0.1:8080/v1');
    expect(normalizeBaseUrl('http://localhost:11434')).toBe('http://localhost:11434/v1');
    expect(normalizeBaseUrl('https://gpu.example.org/openai/v1?x=1#y')).toBe('https://gpu.example.org/openai/v1');
  });

  it.each(['not a url', 'ftp://host/v1', 'javascript:alert(1)', 'http://user:pw@host/v1', ''])('refuses %j with a named error', (input) => {
    expect(() => normalizeBaseUrl(input)).toThrow(ServerUrlError);
  });
});

describe('isMixedContent', () => {
  it('blocks an https page from a remote http server, not from this machine', () => {
    expect(isMixedContent('https:', 'http://gpu.lan:8000/v1')).toBe(true);
    expect(isMixedContent('https:', 'http://127.0.0.1:8080/v1')).toBe(false);
    expect(isMixedContent('https:', 'http://localhost:11434/v1')).toBe(false);
    expect(isMixedContent('https:', 'http://[::1]:8080/v1')).toBe(false);
    expect(isMixedContent('http:', 'http://gpu.lan:8000/v1')).toBe(false);
    expect(isMixedContent('https:', 'https://gpu.lan/v1')).toBe(false);
  });
});

describe('buildChatRequest', () => {
  const messages = [{ role: 'user' as const, content: 'Hi' }];

  it('maps the sampling to OpenAI fields and streams with usage', () => {
    const body = buildChatRequest('m', messages, { ...DEFAULT_SAMPLING, repetitionPenalty: 1 }, ['\nYou:']);
    expect(body).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
      temperature: DEFAULT_SAMPLING.temperature,
      top_p: DEFAULT_SAMPLING.topP,
      max_tokens: DEFAULT_SAMPLING.maxTokens,
      presence_penalty: DEFAULT_SAMPLING.presencePenalty,
      stop: ['\nYou:'],
    });
  });

  it('passes min_p, top_k, frequency and repeat penalty only when set', () => {
    const body = buildChatRequest('m', messages, { ...DEFAULT_SAMPLING, repetitionPenalty: 1.15 }, [], { minP: 0.05, topK: 40, frequencyPenalty: 0.3 });
    expect(body).toMatchObject({ min_p: 0.05, top_k: 40, frequency_penalty: 0.3, repeat_penalty: 1.15 });
    expect(body).not.toHaveProperty('stop');
  });

  it('sends at most four stop strings (the engine cuts the rest itself)', () => {
    const body = buildChatRequest('m', messages, DEFAULT_SAMPLING, ['a', 'b', '', 'c', 'd', 'e']);
    expect(body.stop).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('readChatChunk', () => {
  it('reads content, a missing role, a null delta, finish and usage', () => {
    expect(readChatChunk('{"choices":[{"delta":{"content":"Hel"}}]}')).toEqual({ kind: 'chunk', content: 'Hel', finishReason: null, usage: null });
    expect(readChatChunk('{"choices":[{"delta":{"role":"assistant","content":null}}]}')).toMatchObject({ content: '' });
    expect(readChatChunk('{"choices":[{"delta":{},"finish_reason":"length"}]}')).toMatchObject({ finishReason: 'length' });
    expect(readChatChunk('{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3}}')).toMatchObject({ usage: { promptTokens: 12, completionTokens: 3 } });
    expect(readChatChunk(' [DONE] ')).toEqual({ kind: 'done' });
  });

  it('names malformed JSON and server errors inside the stream', () => {
    expect(() => readChatChunk('{"choices":[{"delta":')).toThrow(ServerProtocolError);
    expect(() => readChatChunk('[1,2]')).toThrow(ServerProtocolError);
    expect(() => readChatChunk('{"error":{"message":"CUDA out of memory"}}')).toThrow(/CUDA out of memory/);
  });
});

describe('parseModelList', () => {
  it('reads ids and the context sizes servers report', () => {
    expect(
      parseModelList({
        object: 'list',
        data: [
          { id: 'llama-70b', max_model_len: 32768 },
          { id: 'gguf', meta: { n_ctx_train: 8192 } },
          { id: 'plain' },
          { id: 'plain' },
          { nope: 1 },
          'junk',
        ],
      }),
    ).toEqual([{ id: 'llama-70b', contextSize: 32768 }, { id: 'gguf', contextSize: 8192 }, { id: 'plain' }]);
  });

  it('refuses a body that is not a list', () => {
    expect(() => parseModelList({ hello: 'world' })).toThrow(ServerProtocolError);
  });
});

describe('errors for statuses', () => {
  it('reads the message of each server family', () => {
    expect(errorMessageOf('{"error":{"message":"Invalid API Key","type":"invalid_request_error"}}')).toBe('Invalid API Key');
    expect(errorMessageOf('{"error":"model \\"x\\" not found, try pulling it first"}')).toBe('model "x" not found, try pulling it first');
    expect(errorMessageOf('{"object":"error","message":"The model `x` does not exist."}')).toBe('The model `x` does not exist.');
    expect(errorMessageOf('{"detail":"Not Found"}')).toBe('Not Found');
    expect(errorMessageOf('plain\u0000text')).toBe('plain text');
  });

  it('maps statuses to named errors with the fix', () => {
    const auth = errorForStatus(401, '{"error":{"message":"Invalid API Key"}}', 'application/json', 'm');
    expect(auth).toBeInstanceOf(ServerAuthError);
    expect(auth.userMessage).toMatch(/--api-key/);
    const model = errorForStatus(404, '{"error":{"message":"The model `m` does not exist"}}', 'application/json', 'm');
    expect(model).toBeInstanceOf(ServerModelNotFoundError);
    const busy = errorForStatus(429, '{"error":{"message":"slow down"}}', 'application/json', 'm');
    expect(busy).toBeInstanceOf(ServerRespondedError);
    expect(busy.userMessage).toMatch(/429.*slow down/);
    expect(errorForStatus(503, 'Loading model', 'text/plain', 'm').userMessage).toMatch(/HTTP 503.*Loading model/);
    const html = errorForStatus(502, '<!DOCTYPE html><html>Bad gateway</html>', 'text/html', 'm');
    expect(html).toBeInstanceOf(ServerProtocolError);
    expect(html.userMessage).toMatch(/web page/);
    expect(errorForStatus(404, '{"detail":"Not Found"}', 'application/json', null).userMessage).toMatch(/\/v1/);
  });
});
