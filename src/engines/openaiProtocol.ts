/**
 * The OpenAI chat-completions protocol as the server engine speaks it: the
 * base URL, the request body built from our sampling, stream chunks, model
 * lists and error bodies read defensively (every field of a server reply is
 * untrusted). Pure: no fetch here (OpenAiEngine.ts does the I/O).
 */
import type { FinishReason, SamplingSettings } from '../domain/chat';
import type { ChatMessage, GenerateUsage } from '../protocol/chat';
import { ServerModelNotFoundError, ServerProtocolError, ServerRespondedError, ServerAuthError, ServerUrlError, type ServerEngineError } from './serverErrors';

/** Sampling fields only some servers take; each is sent only when set (non-zero). */
export interface ServerSamplingExtras {
  /** llama.cpp / vLLM / KoboldCpp `min_p`; 0 = not sent. */
  minP: number;
  /** `top_k`; 0 = not sent. */
  topK: number;
  /** OpenAI `frequency_penalty`; 0 = not sent. */
  frequencyPenalty: number;
}

export const NO_SAMPLING_EXTRAS: Readonly<ServerSamplingExtras> = Object.freeze({ minP: 0, topK: 0, frequencyPenalty: 0 });

/**
 * OpenAI accepts at most 4 stop strings; the rest are still cut by the
 * engine's own StopStringFilter, so sending the first four is enough.
 */
export const MAX_SERVER_STOP_STRINGS = 4;

/**
 * The base URL as typed → the `/v1` root every path is relative to, without
 * a trailing slash. A bare host (`http://127.0.0.1:8080`) gets `/v1`.
 * @throws ServerUrlError when it is not an http(s) URL (or carries credentials).
 */
export function normalizeBaseUrl(input: string): string {
  const trimmed = input.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new ServerUrlError(trimmed);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || !url.hostname) throw new ServerUrlError(trimmed);
  url.search = '';
  url.hash = '';
  let path = url.pathname.replace(/\/+$/, '');
  if (path === '') path = '/v1';
  return `${url.origin}${path}`;
}

/** `scheme://host:port` of a base URL, for messages and the request audit. */
export function originOf(baseUrl: string): string {
  return new URL(baseUrl).origin;
}

/** Hosts a browser treats as this machine (allowed from https pages, no mixed-content block). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** True when an https page calling `baseUrl` would be blocked as mixed content. */
export function isMixedContent(pageProtocol: string, baseUrl: string): boolean {
  const url = new URL(baseUrl);
  return pageProtocol === 'https:' && url.protocol === 'http:' && !isLoopbackHost(url.hostname);
}

/** The JSON body of `POST /chat/completions` (streaming, with usage). */
export function buildChatRequest(
  model: string,
  messages: readonly ChatMessage[],
  sampling: SamplingSettings,
  stop: readonly string[],
  extras: ServerSamplingExtras = NO_SAMPLING_EXTRAS,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model,
    messages: messages.map((m) => ({ role: m.role, content: m.content })),
    stream: true,
    stream_options: { include_usage: true },
    temperature: sampling.temperature,
    top_p: sampling.topP,
    max_tokens: sampling.maxTokens,
    presence_penalty: sampling.presencePenalty,
  };
  const stops = stop.filter((s) => s.length > 0).slice(0, MAX_SERVER_STOP_STRINGS);
  if (stops.length) body.stop = stops;
  if (extras.frequencyPenalty) body.frequency_penalty = extras.frequencyPenalty;
  if (extras.minP > 0) body.min_p = extras.minP;
  if (extras.topK > 0) body.top_k = Math.round(extras.topK);
  // 1 is "no penalty" everywhere; only a real penalty is worth a field some servers reject.
  if (sampling.repetitionPenalty && sampling.repetitionPenalty !== 1) body.repeat_penalty = sampling.repetitionPenalty;
  return body;
}

export type ChunkReading =
  | { kind: 'done' }
  | { kind: 'chunk'; content: string; finishReason: string | null; usage: GenerateUsage | null };

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const nonNegative = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? Math.floor(x) : 0);

/**
 * One `data:` payload of the stream. Tolerates chunks without a role,
 * without choices (the final usage chunk) and with `delta.content: null`.
 * @throws ServerProtocolError on malformed JSON; ServerRespondedError when
 *   the server reports an error inside the stream (llama.cpp, vLLM do).
 */
export function readChatChunk(data: string): ChunkReading {
  const trimmed = data.trim();
  if (trimmed === '[DONE]') return { kind: 'done' };
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch (e) {
    const shown = trimmed.length > 60 ? `${trimmed.slice(0, 60)}…` : trimmed;
    throw new ServerProtocolError(`Malformed stream chunk: ${shown}`, `The server sent a piece of the reply that is not valid JSON (“${shown}”). Is this an OpenAI-compatible endpoint (…/v1)?`, { cause: e });
  }
  if (!isRecord(json)) {
    throw new ServerProtocolError('Stream chunk is not an object.', 'The server sent a piece of the reply in an unknown shape. Is this an OpenAI-compatible endpoint (…/v1)?');
  }
  if (json.error !== undefined) throw new ServerRespondedError(500, errorMessageOf(json));
  let content = '';
  let finishReason: string | null = null;
  const choice = Array.isArray(json.choices) ? json.choices[0] : undefined;
  if (isRecord(choice)) {
    const delta = isRecord(choice.delta) ? choice.delta : isRecord(choice.message) ? choice.message : null;
    if (delta && typeof delta.content === 'string') content = delta.content;
    // Some servers (older KoboldCpp) stream completion-style `text`.
    else if (typeof choice.text === 'string') content = choice.text;
    if (typeof choice.finish_reason === 'string') finishReason = choice.finish_reason;
  }
  let usage: GenerateUsage | null = null;
  if (isRecord(json.usage)) usage = { promptTokens: nonNegative(json.usage.prompt_tokens), completionTokens: nonNegative(json.usage.completion_tokens) };
  return { kind: 'chunk', content, finishReason, usage };
}

/** OpenAI finish reasons → ours. */
export function mapServerFinishReason(reason: string | null | undefined): FinishReason {
  return reason === 'length' ? 'length' : 'stop';
}

/** A model the server lists; `contextSize` when it reports one. */
export interface ServerModel {
  id: string;
  contextSize?: number;
}

/** Most models a list keeps (a hostile server could send millions). */
export const MAX_SERVER_MODELS = 500;

function contextOf(entry: Record<string, unknown>): number | undefined {
  const meta = isRecord(entry.meta) ? entry.meta : {};
  for (const x of [entry.max_model_len, entry.context_length, entry.max_context_length, meta.n_ctx, meta.n_ctx_train]) {
    if (typeof x === 'number' && Number.isInteger(x) && x > 0 && x <= 10_000_000) return x;
  }
  return undefined;
}

/**
 * `GET /models` → the models, in the server's order. Reads OpenAI's
 * `{data: [{id}]}` and the context fields servers add (vLLM
 * `max_model_len`, llama-server `meta.n_ctx_train`, LM Studio
 * `max_context_length`).
 * @throws ServerProtocolError when the body is not such a list.
 */
export function parseModelList(json: unknown): ServerModel[] {
  const list = isRecord(json) && Array.isArray(json.data) ? json.data : isRecord(json) && Array.isArray(json.models) ? json.models : null;
  if (!list) throw new ServerProtocolError('The model list has no `data` array.', 'The server answered, but not with an OpenAI model list. Is the base URL the …/v1 endpoint?');
  const out: ServerModel[] = [];
  const seen = new Set<string>();
  for (const entry of list) {
    if (out.length >= MAX_SERVER_MODELS) break;
    if (!isRecord(entry)) continue;
    const raw = typeof entry.id === 'string' ? entry.id : typeof entry.model === 'string' ? entry.model : typeof entry.name === 'string' ? entry.name : '';
    const id = raw.trim().slice(0, 512);
    if (!id || seen.has(id)) continue;
    seen.add(id);
    const contextSize = contextOf(entry);
    out.push(contextSize ? { id, contextSize } : { id });
  }
  return out;
}

/**
 * The human message of an error body: OpenAI `{error: {message}}`, Ollama
 * `{error: "…"}`, vLLM `{message}`, FastAPI `{detail}`, or plain text.
 * Control characters dropped, 300 characters at most.
 */
export function errorMessageOf(body: unknown): string {
  let text = '';
  if (typeof body === 'string') {
    try {
      return errorMessageOf(JSON.parse(body) as unknown);
    } catch {
      text = body;
    }
  } else if (isRecord(body)) {
    const e = body.error;
    if (isRecord(e) && typeof e.message === 'string') text = e.message;
    else if (typeof e === 'string') text = e;
    else if (typeof body.message === 'string') text = body.message;
    else if (typeof body.detail === 'string') text = body.detail;
  }
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}

/** True for a body that is a web page (a proxy, a login page, the wrong port). */
export function looksLikeHtml(contentType: string | null, body: string): boolean {
  return /text\/html/i.test(contentType ?? '') || /^\s*<(?:!doctype|html|head|body)\b/i.test(body.slice(0, 200));
}

/** The error a non-OK response stands for. `modelId` names the model for a 404. */
export function errorForStatus(status: number, body: string, contentType: string | null, modelId: string | null): ServerEngineError {
  if (looksLikeHtml(contentType, body) && status !== 401 && status !== 403) {
    return htmlInsteadOfJson(status);
  }
  const message = errorMessageOf(body);
  if (status === 401 || status === 403) return new ServerAuthError(status, message);
  if (status === 404) {
    if (modelId && (!message || /model/i.test(message))) return new ServerModelNotFoundError(modelId, message);
    return new ServerRespondedError(404, message || 'not found', {
      userMessage: `The server has no such endpoint (HTTP 404${message ? `: ${message}` : ''}). The base URL should end with /v1 (e.g. http://127.0.0.1:8080/v1).`,
    });
  }
  return new ServerRespondedError(status, message);
}

/** A web page where JSON or an event stream was expected. */
export function htmlInsteadOfJson(status: number): ServerEngineError {
  return new ServerProtocolError(
    `HTTP ${status}: an HTML page instead of JSON.`,
    'The address answered with a web page, not the OpenAI API. Check the port and that the base URL ends with /v1 (e.g. http://127.0.0.1:8080/v1).',
    { status },
  );
}
