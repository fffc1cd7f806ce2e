/**
 * The studio's server engine against the test server's real llama.cpp path
 * (`--llama`: node-llama-cpp and the tiny GGUF): the model list, a streamed
 * reply of real tokens with real usage, max_tokens, and Stop. Skipped, with
 * the reason, when the test tools are not installed
 * (`npm run test-tools:llama`); e2e/server-llama.spec.ts installs them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING } from '../../../src/domain/chat';
import { OpenAiEngine, listServerModels } from '../../../src/engines/OpenAiEngine';
import { llamaToolsInstalled } from './install.mjs';
import { startTestServer, type TestServer } from '../spawn.mjs';

const page = { protocol: 'http:', origin: 'http://127.0.0.1:5173' };
const installed = llamaToolsInstalled();
let server: TestServer | undefined;

describe.skipIf(!installed)('the test server with --llama (node-llama-cpp not installed: npm run test-tools:llama)', () => {
  beforeAll(async () => {
    server = await startTestServer(['--llama', '--llama-max-tokens', '16']);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('lists the one model with llama.cpp’s context size, and streams real tokens with real usage', async () => {
    const s = server!;
    expect(await listServerModels({ baseUrl: s.baseUrl, apiKey: '' }, { page })).toEqual([{ id: 'tiny-llama', contextSize: 8192 }]);
    const engine = new OpenAiEngine({ baseUrl: s.baseUrl, apiKey: '', contextSize: 8192 }, { page });
    await engine.load('tiny-llama');
    const deltas: string[] = [];
    const result = await engine.generate(
      { messages: [{ role: 'system', content: 'You are Maren.' }, { role: 'user', content: 'Is the lamp lit?' }], sampling: { ...DEFAULT_SAMPLING, maxTokens: 12 }, stop: [] },
      { onDelta: (d) => deltas.push(d) },
    );
    const generated = await s.generated();
    expect(result.text).toBe(generated.at(-1)!.text);
    expect(result.text.trim()).toMatch(/^[a-z]+( [a-z]+)+$/);
    expect(deltas.join('')).toBe(result.text);
    // The model's own count: max_tokens honoured, and the prompt tokenized for real (byte fallback: more tokens than words).
    expect(result.finishReason).toBe('length');
    expect(result.usage.completionTokens).toBe(12);
    expect(result.usage.promptTokens).toBeGreaterThan(20);
  }, 120_000);

  it('Stop aborts the generation and keeps the words so far', async () => {
    const s = server!;
    await s.control({ holdAfterChunks: 2 });
    const engine = new OpenAiEngine({ baseUrl: s.baseUrl, apiKey: '', contextSize: 8192 }, { page });
    await engine.load('tiny-llama');
    const deltas: string[] = [];
    const reply = engine.generate(
      { messages: [{ role: 'user', content: 'Tell me about the lamp.' }], sampling: DEFAULT_SAMPLING, stop: [] },
      {
        onDelta: (d) => {
          deltas.push(d);
          if (deltas.length === 2) engine.interrupt();
        },
      },
    );
    const result = await reply;
    expect(result.finishReason).toBe('abort');
    expect(result.text).toBe(deltas.join(''));
    expect(deltas).toHaveLength(2);
    await s.control({ holdAfterChunks: 0 });
  }, 120_000);
});
