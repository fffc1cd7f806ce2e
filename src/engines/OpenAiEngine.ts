/**
 * ChatEngine on a server the writer runs (llama-server, Ollama, LM Studio,
 * KoboldCpp, vLLM…) through the OpenAI chat-completions API, streamed as
 * server-sent events. Opt-in: nothing is sent anywhere until the writer
 * configures a server, and then only the prompt and the sampling settings.
 *
 * No worker: the model runs on the server and a fetch never blocks this
 * thread; SSE decoding is linear and incremental (sse.ts). Stop aborts the
 * request at once and keeps the text so far, so the ChatEngine contract's
 * second, forcing interrupt has nothing left to force.
 */
import { StopStringFilter } from '../domain/text/stopStrings';
import type { GenerateRequest, GenerateResult, GenerateUsage } from '../protocol/chat';
import type { ChatEngine, EngineStatus, GenerateOptions, LoadOptions } from './ChatEngine';
import { StatusCell, statusModelId } from './engineStatus';
import { EngineError, ModelDownloadCancelledError } from './errors';
import {
  buildChatRequest,
  errorForStatus,
  htmlInsteadOfJson,
  isMixedContent,
  looksLikeHtml,
  mapServerFinishReason,
  normalizeBaseUrl,
  originOf,
  parseModelList,
  readChatChunk,
  NO_SAMPLING_EXTRAS,
  type ServerModel,
  type ServerSamplingExtras,
} from './openaiProtocol';
import {
  MixedContentError,
  ServerCorsError,
  ServerEngineError,
  ServerModelNotFoundError,
  ServerProtocolError,
  ServerReplyTooLargeError,
  ServerStreamEndedError,
  ServerUnreachableError,
  ServerUnreachableOrCorsError,
} from './serverErrors';
import { SseDecoder, SseLineTooLongError } from './sse';

export type { ServerModel, ServerSamplingExtras } from './openaiProtocol';

/** What the writer configured on the Models page. */
export interface ServerConfig {
  /** As typed; normalised (…/v1) when used. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when not empty. */
  apiKey: string;
  /** The context window to fit prompts into (tokens). */
  contextSize: number;
  extras?: ServerSamplingExtras;
}

export interface OpenAiEngineOptions {
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** The page's protocol and origin (mixed-content and CORS messages); defaults to `location`. */
  page?: { protocol: string; origin: string };
  /** Whether the page is cross-origin isolated (decides what a failed probe means); defaults to `crossOriginIsolated`. */
  isolated?: boolean;
  /** How long `GET /models` may take (load, Connect). */
  connectTimeoutMs?: number;
}

/**
 * Longest reply the engine reads, in characters: 64 Ki. A reply of the
 * largest max-tokens the studio offers is a few tens of KB; past this the
 * server is broken or hostile (an endless stream), and the studio stops.
 */
export const MAX_REPLY_CHARS = 64 * 1024;

/** Largest non-streamed body (model list, error, a non-streaming reply) read: 2 MiB. */
export const MAX_BODY_CHARS = 2 * 1024 * 1024;

/** `GET /models` answers in milliseconds on any live server; 15 s covers one still starting up. */
export const CONNECT_TIMEOUT_MS = 15_000;

/** The no-cors probe that tells CORS from an unreachable host: a live host answers at once. */
const PROBE_TIMEOUT_MS = 5_000;

const defaultPage = () => {
  const loc = (globalThis as { location?: { protocol: string; origin: string } }).location;
  return { protocol: loc?.protocol ?? 'http:', origin: loc?.origin ?? 'null' };
};

interface Transport {
  fetch: typeof fetch;
  page: { protocol: string; origin: string };
  isolated: boolean;
}

function transportOf(options: OpenAiEngineOptions): Transport {
  return {
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    page: options.page ?? defaultPage(),
    isolated: options.isolated ?? (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
  };
}

function headers(apiKey: string, withBody: boolean): Record<string, string> {
  const h: Record<string, string> = { Accept: withBody ? 'text/event-stream, application/json' : 'application/json' };
  if (withBody) h['Content-Type'] = 'application/json';
  if (apiKey.trim()) h.Authorization = `Bearer ${apiKey.trim()}`;
  return h;
}

const isAbort = (e: unknown) => (e as { name?: string } | null)?.name === 'AbortError' || (e as { name?: string } | null)?.name === 'TimeoutError';

/**
 * A fetch failed without a response. The browser does not say why; a
 * `no-cors` request (no custom headers, so no preflight) may: it succeeds
 * (opaquely) when the host is up, which means CORS refused the real request.
 * Its failure is conclusive only on a page that is not cross-origin
 * isolated: under COEP require-corp a no-cors response without a CORP header
 * is blocked too, so a live server without CORS also fails the probe.
 */
async function diagnoseFailure(t: Transport, baseUrl: string, cause: unknown, partialText = ''): Promise<ServerEngineError> {
  const origin = originOf(baseUrl);
  if (isMixedContent(t.page.protocol, baseUrl)) return new MixedContentError(origin);
  try {
    await t.fetch(`${baseUrl}/models`, { mode: 'no-cors', cache: 'no-store', credentials: 'omit', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return new ServerCorsError(origin, t.page.origin, { cause, partialText });
  } catch {
    return t.isolated ? new ServerUnreachableOrCorsError(origin, t.page.origin, { cause, partialText }) : new ServerUnreachableError(origin, { cause, partialText });
  }
}

/**
 * Reads a whole body as text, at most `maxChars`.
 * @throws ServerReplyTooLargeError past the limit (the rest is not downloaded).
 */
async function readCapped(response: Response, maxChars = MAX_BODY_CHARS): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let chars = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = decoder.decode(value, { stream: true });
    chars += text.length;
    if (chars > maxChars) {
      void reader.cancel().catch(() => undefined);
      throw new ServerReplyTooLargeError(`${Math.round(maxChars / 1024)} KB`);
    }
    parts.push(text);
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** fetch with the server engine's failure diagnosis; non-OK statuses become named errors. */
async function call(t: Transport, baseUrl: string, path: string, init: RequestInit, modelId: string | null): Promise<Response> {
  if (isMixedContent(t.page.protocol, baseUrl)) throw new MixedContentError(originOf(baseUrl));
  let response: Response;
  try {
    response = await t.fetch(`${baseUrl}${path}`, { ...init, cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    if (isAbort(e)) throw e;
    throw await diagnoseFailure(t, baseUrl, e);
  }
  if (!response.ok) {
    const body = await readCapped(response, 64 * 1024).catch(() => '');
    throw errorForStatus(response.status, body, response.headers.get('content-type'), modelId);
  }
  return response;
}

/**
 * `GET /models` of a server: what Connect lists. An empty list means the
 * server has none to offer (404: some servers have no list), and the writer
 * types an id.
 * @throws ServerUrlError, MixedContentError, ServerUnreachableError,
 *   ServerCorsError, ServerAuthError, ServerRespondedError, ServerProtocolError;
 *   an AbortError/TimeoutError when `signal` ends it.
 */
export async function listServerModels(config: Pick<ServerConfig, 'baseUrl' | 'apiKey'>, options: OpenAiEngineOptions & { signal?: AbortSignal } = {}): Promise<ServerModel[]> {
  const baseUrl = normalizeBaseUrl(config.baseUrl);
  const t = transportOf(options);
  const timeout = AbortSignal.timeout(options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await call(t, baseUrl, '/models', { method: 'GET', headers: headers(config.apiKey, false), signal }, null);
  } catch (e) {
    if (e instanceof ServerEngineError && e.status === 404 && e.reason !== 'protocol') return [];
    if ((e as { name?: string }).name === 'TimeoutError' && !options.signal?.aborted) throw new ServerUnreachableError(originOf(baseUrl), { cause: e });
    throw e;
  }
  const body = await readCapped(response);
  if (looksLikeHtml(response.headers.get('content-type'), body)) throw htmlInsteadOfJson(response.status);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    throw new ServerProtocolError('The model list is not JSON.', 'The server answered, but not with JSON. Is the base URL the …/v1 endpoint?', { cause: e });
  }
  return parseModelList(json);
}

interface ActiveGeneration {
  controller: AbortController;
  /** Set when the writer stopped (not a failure). */
  stopped: boolean;
}

export class OpenAiEngine implements ChatEngine {
  readonly kind = 'server' as const;

  private readonly cell = new StatusCell();
  private readonly transport: Transport;
  private readonly config: ServerConfig;
  private readonly options: OpenAiEngineOptions;
  private active: ActiveGeneration | null = null;
  private loadController: AbortController | null = null;
  private disposed = false;

  constructor(config: ServerConfig, options: OpenAiEngineOptions = {}) {
    this.config = config;
    this.options = options;
    this.transport = transportOf(options);
  }

  /** The context window prompts are fitted into (the writer's setting for this server). */
  get contextSize(): number {
    return this.config.contextSize;
  }

  /** Where requests go (`scheme://host:port`), or null when the base URL is invalid. */
  get serverOrigin(): string | null {
    try {
      return originOf(normalizeBaseUrl(this.config.baseUrl));
    } catch {
      return null;
    }
  }

  get status(): EngineStatus {
    return this.cell.value;
  }

  subscribe(listener: (status: EngineStatus) => void): () => void {
    return this.cell.subscribe(listener);
  }

  /**
   * "Loading" a server model: checks the server answers, accepts the key and
   * has the model (when it lists models). Nothing is downloaded.
   * @throws ModelDownloadCancelledError when `signal` aborts; the
   *   ServerEngineError subclasses of listServerModels; ServerModelNotFoundError.
   */
  async load(modelId: string, options: LoadOptions = {}): Promise<void> {
    this.assertUsable();
    this.loadController?.abort();
    this.active?.controller.abort();
    const controller = new AbortController();
    this.loadController = controller;
    const onOuterAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    if (options.signal?.aborted) controller.abort();
    const id = modelId.trim();
    try {
      const origin = originOf(normalizeBaseUrl(this.config.baseUrl));
      const progress = { phase: 'loading' as const, progress: 0, text: `Connecting to ${origin}…` };
      this.cell.set({ state: 'loading', modelId: id, progress });
      options.onProgress?.(progress);
      const models = await listServerModels(this.config, { ...this.options, signal: controller.signal });
      if (models.length && !models.some((m) => m.id === id)) throw new ServerModelNotFoundError(id, '', models.map((m) => m.id));
      if (controller.signal.aborted) throw new ModelDownloadCancelledError();
      this.cell.set({ state: 'ready', modelId: id });
    } catch (e) {
      const error = controller.signal.aborted ? new ModelDownloadCancelledError('Connecting was cancelled.', { cause: e }) : e;
      if (this.loadController !== controller) throw error;
      if (error instanceof ModelDownloadCancelledError) this.cell.set({ state: 'absent' });
      else this.cell.set({ state: 'error', modelId: id, error: error instanceof EngineError ? error : new EngineError(String(error)) });
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onOuterAbort);
      if (this.loadController === controller) this.loadController = null;
    }
  }

  async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
    this.assertUsable();
    const status = this.cell.value;
    if (status.state !== 'ready') {
      throw new EngineError(`Cannot generate while the engine is ${status.state}.`, {
        userMessage: status.state === 'busy' ? 'A reply is already being written.' : 'Connect to a server and choose its model first.',
      });
    }
    const modelId = status.modelId;
    const baseUrl = normalizeBaseUrl(this.config.baseUrl);
    const origin = originOf(baseUrl);
    const active: ActiveGeneration = { controller: new AbortController(), stopped: false };
    this.active = active;
    this.cell.set({ state: 'busy', modelId });
    const onAbort = () => this.interrupt();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) this.interrupt();

    const started = performance.now();
    let firstDeltaAt: number | undefined;
    const filter = new StopStringFilter(request.stop);
    let usage: GenerateUsage = { promptTokens: 0, completionTokens: 0 };
    let finish: string | null = null;
    let receivedChars = 0;
    const emit = (text: string) => {
      if (!text) return;
      firstDeltaAt ??= performance.now();
      options.onDelta?.(text);
    };
    const result = (finishReason: GenerateResult['finishReason']): GenerateResult => {
      const totalMs = performance.now() - started;
      const decodeMs = firstDeltaAt !== undefined ? performance.now() - firstDeltaAt : 0;
      return {
        text: filter.text,
        finishReason,
        usage,
        timings: {
          totalMs,
          timeToFirstTokenMs: firstDeltaAt !== undefined ? firstDeltaAt - started : undefined,
          decodeTokensPerSecond: usage.completionTokens > 1 && decodeMs > 0 ? (usage.completionTokens - 1) / (decodeMs / 1000) : undefined,
        },
      };
    };
    /** Feeds one chunk's content; true once a stop string ended the reply. */
    const take = (content: string): boolean => {
      receivedChars += content.length;
      if (receivedChars > MAX_REPLY_CHARS) {
        emit(filter.flush());
        throw new ServerReplyTooLargeError(`${MAX_REPLY_CHARS / 1024} Ki characters`, { partialText: filter.text });
      }
      const { emit: shown, stopped } = filter.push(content);
      emit(shown);
      return stopped;
    };

    try {
      const body = buildChatRequest(modelId, request.messages, request.sampling, request.stop, this.config.extras ?? NO_SAMPLING_EXTRAS);
      const response = await call(
        this.transport,
        baseUrl,
        '/chat/completions',
        { method: 'POST', headers: headers(this.config.apiKey, true), body: JSON.stringify(body), signal: active.controller.signal },
        modelId,
      );
      const contentType = response.headers.get('content-type') ?? '';
      if (!/event-stream/i.test(contentType)) {
        // A server that ignores `stream: true` answers with one JSON body.
        const text = await readCapped(response);
        if (looksLikeHtml(contentType, text)) throw htmlInsteadOfJson(response.status);
        const chunk = readChatChunk(text);
        if (chunk.kind === 'chunk') {
          const stopped = take(chunk.content);
          if (!stopped) emit(filter.flush());
          if (chunk.usage) usage = chunk.usage;
          return this.finish(active, result(stopped ? 'stop' : mapServerFinishReason(chunk.finishReason)));
        }
        return this.finish(active, result('stop'));
      }
      if (!response.body) throw new ServerStreamEndedError(origin);
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      const sse = new SseDecoder();
      let done = false;
      let stopped = false;
      const handle = (data: string) => {
        const chunk = readChatChunk(data);
        if (chunk.kind === 'done') {
          done = true;
          return;
        }
        if (chunk.usage) usage = chunk.usage;
        if (chunk.finishReason) finish = chunk.finishReason;
        if (!stopped && chunk.content) stopped = take(chunk.content);
      };
      try {
        while (!done && !stopped) {
          let read: ReadableStreamReadResult<Uint8Array>;
          try {
            read = await reader.read();
          } catch (e) {
            if (active.stopped || isAbort(e)) throw e;
            // Killed server, dropped connection, truncated chunked encoding.
            emit(filter.flush());
            throw new ServerStreamEndedError(origin, { cause: e, partialText: filter.text });
          }
          if (read.done) {
            for (const event of sse.end()) if (!done) handle(event.data);
            if (!done && !stopped) {
              emit(filter.flush());
              throw new ServerStreamEndedError(origin, { partialText: filter.text });
            }
            break;
          }
          for (const event of sse.push(decoder.decode(read.value, { stream: true }))) {
            handle(event.data);
            if (done || stopped) break;
          }
        }
      } finally {
        // [DONE] or our own stop string: the server may still be sending (usage, or past a 5th stop string).
        if (done || stopped) void reader.cancel().catch(() => undefined);
      }
      if (!stopped) emit(filter.flush());
      return this.finish(active, result(stopped ? 'stop' : mapServerFinishReason(finish)));
    } catch (e) {
      if (active.stopped) {
        // Stopped by the writer: the text so far is the reply.
        emit(filter.flush());
        return this.finish(active, result('abort'));
      }
      let error: unknown = e;
      if (e instanceof SseLineTooLongError) {
        error = new ServerReplyTooLargeError(`${Math.round(e.limitChars / 1024)} KB in one line`, { cause: e, partialText: filter.text });
      } else if (e instanceof ServerEngineError && !e.partialText && filter.text) {
        // A failure raised without the text (an error event mid-stream): keep what came before it.
        e.partialText = filter.text;
      } else if (!(e instanceof EngineError)) {
        error = new EngineError(e instanceof Error ? e.message : String(e), { cause: e, userMessage: `The request to ${origin} failed: ${e instanceof Error ? e.message : String(e)}` });
      }
      // Stop downloading whatever the server still sends.
      active.controller.abort();
      if (this.active === active) this.active = null;
      if (!this.disposed) this.cell.set({ state: 'ready', modelId });
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Stops the current reply at once: the request is aborted, the text so far kept. */
  interrupt(): void {
    const active = this.active;
    if (!active || active.stopped) return;
    active.stopped = true;
    active.controller.abort();
  }

  async unload(): Promise<void> {
    if (this.disposed) return;
    this.loadController?.abort();
    this.interrupt();
    this.cell.set({ state: 'absent' });
  }

  dispose(): void {
    if (this.disposed) return;
    this.loadController?.abort();
    this.interrupt();
    this.disposed = true;
    this.cell.set({ state: 'absent' });
  }

  /** The model id in use, if any. */
  get modelId(): string | null {
    return statusModelId(this.cell.value);
  }

  private finish(active: ActiveGeneration, result: GenerateResult): GenerateResult {
    if (this.active === active) this.active = null;
    const status = this.cell.value;
    if (!this.disposed && status.state === 'busy') this.cell.set({ state: 'ready', modelId: status.modelId });
    return result;
  }

  private assertUsable(): void {
    if (this.disposed) throw new EngineError('This engine was disposed.');
  }
}
