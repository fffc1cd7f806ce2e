#!/usr/bin/env node
/**
 * A small OpenAI-compatible chat server for tests and benchmarks of the
 * studio's server engine — no dependencies, no model: it streams scripted
 * replies, following the protocol the way llama-server, vLLM and Ollama do
 * (SSE `data:` framing, a role chunk, content deltas, a finish chunk, a usage
 * chunk, `[DONE]`; OpenAI-shaped error bodies; CORS preflight; Bearer auth).
 *
 *   node scripts/test-server/openai-server.mjs [--port 0] [--host 127.0.0.1]
 *     [--api-key KEY] [--allow-origin ORIGIN|*|none] [--models a,b]
 *     [--context 8192] [--reply TEXT] [--chunk-delay-ms 0] [--prefill-ms 0]
 *     [--llama [MODEL.gguf]] [--llama-max-tokens 64] [--llama-seed 1]
 *
 * `--llama` generates the replies with a real llama.cpp engine instead
 * (node-llama-cpp, the test-tools package in ./llama, installed by
 * `node scripts/test-server/llama/install.mjs`; default model: the project's
 * tiny random-weight GGUF). The model list is then that one model with its
 * context size, and `usage` counts real tokens. max_tokens is capped at
 * `--llama-max-tokens` (like llama-server's -n), and the seed is fixed so a
 * run is repeatable. The control modes below still apply.
 *
 * Prints one JSON line `{"listening": PORT}` on stdout once it listens
 * (`--port 0` picks a free port). Tests change its behaviour per test:
 *
 *   POST /__control  {replies?, chunkDelayMs?, prefillMs?, mode?, status?, errorMessage?,
 *                     killAfterChunks?, hugeChars?, allowOrigin?, apiKey?,
 *                     models?, omitRole?, keepAliveEvery?}
 *   GET  /__control/requests   every chat request body received, in order
 *   GET  /__control/generated  with --llama: each reply's generated text
 *   POST /__control/reset      back to the start-up options, requests cleared
 *   POST /__control/release    lets replies held at `holdAfterChunks` go on
 *   GET  /__control/held       how many replies are held
 *
 * `mode`: 'normal' | 'html' (a web page) | 'malformed' (bad JSON mid-stream)
 * | 'no-done' (the stream closes without [DONE]) | 'huge' (hugeChars of
 * content) | 'status' (HTTP `status` with `errorMessage`). `killAfterChunks`
 * ends the whole process after that many content chunks: a server killed
 * mid-reply; `holdAfterChunks` pauses a reply there until released (or the
 * client goes away), so a test can stop or kill at a known point. The control endpoints send no CORS headers: only the test
 * process (Node) calls them, never the page.
 */
import http from 'node:http';

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const key = a.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[key] = true;
    else {
      out[key] = next;
      i++;
    }
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));

/** The real engine behind `--llama`, loaded before the server listens. */
const llama = args.llama
  ? await import('./llama/generate.mjs').then((m) => m.loadLlama({ modelPath: typeof args.llama === 'string' ? args.llama : undefined, contextSize: Number(args.context ?? 8192) }))
  : null;
const LLAMA_MAX_TOKENS = Number(args.llamaMaxTokens ?? 64);
const LLAMA_SEED = Number(args.llamaSeed ?? 1);

const initial = () => ({
  apiKey: typeof args.apiKey === 'string' ? args.apiKey : '',
  allowOrigin: typeof args.allowOrigin === 'string' ? args.allowOrigin : '*',
  models: llama ? [llama.id] : typeof args.models === 'string' ? args.models.split(',').filter(Boolean) : ['test-model'],
  context: llama ? llama.contextSize : Number(args.context ?? 8192),
  replies: typeof args.reply === 'string' ? [args.reply] : ['Hello from the test server.'],
  chunkDelayMs: Number(args.chunkDelayMs ?? 0),
  prefillMs: Number(args.prefillMs ?? 0),
  mode: 'normal',
  status: 500,
  errorMessage: 'Internal server error',
  killAfterChunks: 0,
  holdAfterChunks: 0,
  hugeChars: 10 * 1024 * 1024,
  omitRole: false,
  keepAliveEvery: 3,
});

let state = initial();
let requests = [];
/** What `--llama` generated, per chat request: `{text, done}`. */
let generated = [];
/** Replies are taken in order; the last one repeats. */
let replyIndex = 0;
/** Replies waiting at `holdAfterChunks` for POST /__control/release. */
let held = [];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function corsHeaders(req) {
  const origin = req.headers.origin;
  if (!origin || state.allowOrigin === 'none') return {};
  if (state.allowOrigin !== '*' && state.allowOrigin !== origin) return {};
  return {
    'Access-Control-Allow-Origin': state.allowOrigin === '*' ? '*' : origin,
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  };
}

function sendJson(req, res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...corsHeaders(req) });
  res.end(text);
}

const openAiError = (message, type, code) => ({ error: { message, type, code } });

function readBody(req) {
  return new Promise((resolve, reject) => {
    const parts = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 16 * 1024 * 1024) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function authorized(req) {
  if (!state.apiKey) return true;
  return req.headers.authorization === `Bearer ${state.apiKey}`;
}

/** Words with their following space, so the deltas join back to the reply exactly. */
function pieces(text) {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

async function streamReply(req, res, body, reply) {
  const id = `chatcmpl-${Date.now().toString(36)}`;
  const created = Math.floor(Date.now() / 1000);
  const model = body.model;
  const chunk = (delta, finish = null) => ({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] });
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', ...corsHeaders(req) });
  const send = (obj) => res.write(`data: ${typeof obj === 'string' ? obj : JSON.stringify(obj)}\n\n`);
  let closed = false;
  res.on('close', () => (closed = true));

  // A real server reads the prompt before the first token (prompt processing).
  if (state.prefillMs) await sleep(state.prefillMs);
  if (closed) return;
  if (!state.omitRole) send(chunk({ role: 'assistant', content: '' }));
  const parts = state.mode === 'huge' ? null : pieces(reply);
  let sent = 0;
  let completion = 0;
  const total = parts ? parts.length : Math.ceil(state.hugeChars / 65536);
  for (let i = 0; i < total; i++) {
    if (closed) return;
    if (state.chunkDelayMs) await sleep(state.chunkDelayMs);
    if (closed) return;
    const content = parts ? parts[i] : 'x'.repeat(65536);
    send(chunk({ content }));
    sent++;
    completion++;
    if (state.keepAliveEvery && sent % state.keepAliveEvery === 0) res.write(': keep-alive\n\n');
    if (state.mode === 'malformed' && sent === 2) {
      res.write('data: {"choices":[{"delta":{"content":\n\n');
    }
    if (state.holdAfterChunks && sent === state.holdAfterChunks) {
      // Flushed, then wait: the test acts (Stop, kill) while the reply is known to be mid-way.
      await new Promise((r) => res.write('', r));
      await new Promise((r) => {
        const entry = () => {
          held = held.filter((h) => h !== entry);
          r();
        };
        held.push(entry);
        // The client went away (Stop aborted the request): no longer held.
        res.once('close', entry);
      });
    }
    if (state.killAfterChunks && sent >= state.killAfterChunks) {
      // A server killed mid-reply: the process ends with the response unfinished.
      await new Promise((r) => res.write('', r));
      process.exit(1);
    }
    // Backpressure: a 10 MB reply waits for the socket, like a real server.
    if (res.writableNeedDrain) await new Promise((r) => res.once('drain', r));
  }
  if (closed) return;
  send(chunk({}, 'stop'));
  send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: { prompt_tokens: promptTokens(body), completion_tokens: completion, total_tokens: promptTokens(body) + completion } });
  if (state.mode !== 'no-done') send('[DONE]');
  res.end();
}

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * A reply generated by llama.cpp, streamed as it decodes; the client going
 * away aborts it. `holdAfterChunks` works as for scripted replies: the
 * model keeps generating, the chunks wait until released.
 */
async function streamLlama(req, res, body) {
  const id = `chatcmpl-${Date.now().toString(36)}`;
  const created = Math.floor(Date.now() / 1000);
  const model = body.model;
  const chunk = (delta, finish = null) => ({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] });
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', ...corsHeaders(req) });
  const send = (obj) => res.write(`data: ${typeof obj === 'string' ? obj : JSON.stringify(obj)}\n\n`);
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const record = { text: '', done: false };
  generated.push(record);
  if (!state.omitRole) send(chunk({ role: 'assistant', content: '' }));

  let sent = 0;
  /** Chunks decoded while the reply is held. */
  let backlog = null;
  let released = Promise.resolve();
  const onText = (content) => {
    if (abort.signal.aborted || !content) return;
    record.text += content;
    if (backlog) return void backlog.push(content);
    send(chunk({ content }));
    sent++;
    if (state.holdAfterChunks && sent === state.holdAfterChunks) {
      backlog = [];
      released = new Promise((resolve) => {
        const entry = () => {
          held = held.filter((h) => h !== entry);
          if (!abort.signal.aborted) for (const c of backlog ?? []) send(chunk({ content: c }));
          backlog = null;
          resolve();
        };
        held.push(entry);
        res.once('close', entry);
      });
    }
  };
  const maxTokens = Math.min(num(body.max_tokens) ?? LLAMA_MAX_TOKENS, LLAMA_MAX_TOKENS);
  let result;
  try {
    result = await llama.generate(
      body.messages,
      { maxTokens, temperature: num(body.temperature), topP: num(body.top_p), topK: num(body.top_k), minP: num(body.min_p), seed: num(body.seed) ?? LLAMA_SEED, stop: typeof body.stop === 'string' ? [body.stop] : body.stop },
      { onText, signal: abort.signal },
    );
  } catch (e) {
    // Mid-stream failure: an error event, as llama-server sends one.
    if (!abort.signal.aborted) send({ error: { message: String(e?.message ?? e), type: 'server_error' } });
    return res.end();
  }
  await released;
  if (abort.signal.aborted) return;
  record.done = true;
  send(chunk({}, result.stopReason === 'maxTokens' ? 'length' : 'stop'));
  send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, total_tokens: result.promptTokens + result.completionTokens } });
  send('[DONE]');
  res.end();
}

/** A rough count, like a tokenizer-less server would report: 4 characters a token. */
function promptTokens(body) {
  const chars = Array.isArray(body.messages) ? body.messages.reduce((n, m) => n + String(m?.content ?? '').length, 0) : 0;
  return Math.ceil(chars / 4);
}

async function chat(req, res) {
  let body;
  try {
    body = JSON.parse(await readBody(req));
  } catch {
    return sendJson(req, res, 400, openAiError('Could not parse the JSON body.', 'invalid_request_error', null));
  }
  requests.push(body);
  if (!authorized(req)) return sendJson(req, res, 401, openAiError('Invalid API Key', 'invalid_request_error', 'invalid_api_key'));
  if (!state.models.includes(body.model)) {
    return sendJson(req, res, 404, openAiError(`The model \`${body.model}\` does not exist.`, 'invalid_request_error', 'model_not_found'));
  }
  if (state.mode === 'status') return sendJson(req, res, state.status, openAiError(state.errorMessage, 'server_error', null));
  if (state.mode === 'html') {
    const page = '<!DOCTYPE html><html><head><title>Sign in</title></head><body>Proxy login</body></html>';
    res.writeHead(200, { 'Content-Type': 'text/html', ...corsHeaders(req) });
    return res.end(page);
  }
  if (llama && state.mode === 'normal' && body.stream !== false) return streamLlama(req, res, body);
  const reply = state.replies[Math.min(replyIndex, state.replies.length - 1)] ?? '';
  replyIndex++;
  if (body.stream === false) {
    return sendJson(req, res, 200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
      usage: { prompt_tokens: promptTokens(body), completion_tokens: pieces(reply).length },
    });
  }
  return streamReply(req, res, body, reply);
}

async function control(req, res, path) {
  if (req.method === 'GET' && path === '/__control/requests') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify(requests));
  }
  if (req.method === 'GET' && path === '/__control/generated') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify(generated));
  }
  if (req.method === 'POST' && path === '/__control/release') {
    for (const r of held.splice(0)) r();
    res.writeHead(204);
    return res.end();
  }
  if (req.method === 'GET' && path === '/__control/held') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify({ held: held.length }));
  }
  if (req.method === 'POST' && path === '/__control/reset') {
    for (const r of held.splice(0)) r();
    state = initial();
    requests = [];
    generated = [];
    replyIndex = 0;
    res.writeHead(204);
    return res.end();
  }
  if (req.method === 'POST' && path === '/__control') {
    const patch = JSON.parse((await readBody(req)) || '{}');
    state = { ...state, ...patch };
    if (patch.replies) replyIndex = 0;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify(state));
  }
  res.writeHead(404);
  res.end();
}

const server = http.createServer(async (req, res) => {
  try {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/__control')) return await control(req, res, path);
    if (req.method === 'OPTIONS') {
      const cors = corsHeaders(req);
      // No CORS headers for a refused origin: the browser then refuses the real request.
      res.writeHead(cors['Access-Control-Allow-Origin'] ? 204 : 403, cors);
      return res.end();
    }
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      if (!authorized(req)) return sendJson(req, res, 401, openAiError('Invalid API Key', 'invalid_request_error', 'invalid_api_key'));
      return sendJson(req, res, 200, { object: 'list', data: state.models.map((id) => ({ id, object: 'model', owned_by: 'test-server', max_model_len: state.context })) });
    }
    if (req.method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')) return await chat(req, res);
    return sendJson(req, res, 404, openAiError(`Not found: ${path}`, 'invalid_request_error', null));
  } catch (e) {
    if (!res.headersSent) sendJson(req, res, 500, openAiError(String(e?.message ?? e), 'server_error', null));
    else res.destroy();
  }
});

server.listen(Number(args.port ?? 0), typeof args.host === 'string' ? args.host : '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: server.address().port })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.closeAllConnections?.();
    server.close(() => void Promise.resolve(llama?.dispose()).finally(() => process.exit(0)));
  });
}
