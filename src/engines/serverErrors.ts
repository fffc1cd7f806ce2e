/**
 * The server engine's named errors, each with the fix in its `userMessage`.
 * They never cross a worker boundary (the server engine runs on the main
 * thread; a fetch is asynchronous), so they live here, not in protocol/.
 * Every one carries `partialText` (the reply so far, '' before any), which
 * the chat turn keeps: a failure mid-reply never loses the text.
 */
import { EngineError } from '../protocol/errors';

export type ServerFailure =
  | 'url'
  | 'unreachable'
  | 'cors'
  | 'mixed-content'
  | 'auth'
  | 'model'
  | 'rate-limit'
  | 'server'
  | 'protocol'
  | 'too-large'
  | 'stream-ended';

interface ServerErrorOptions {
  cause?: unknown;
  userMessage?: string;
  partialText?: string;
  status?: number;
}

/** Base class of every server-engine failure. */
export class ServerEngineError extends EngineError {
  override name: string = 'ServerEngineError';
  readonly reason: ServerFailure;
  /** Reply text produced before the failure ('' when none); the engine fills it in when the failure came from deeper down. */
  partialText: string;
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  constructor(reason: ServerFailure, message: string, options: ServerErrorOptions = {}) {
    super(message, { cause: options.cause, userMessage: options.userMessage ?? message });
    this.reason = reason;
    this.partialText = options.partialText ?? '';
    this.status = options.status;
  }
}

/** The base URL is not an http(s) address. */
export class ServerUrlError extends ServerEngineError {
  override name = 'ServerUrlError';
  constructor(input: string) {
    const shown = input.length > 80 ? `${input.slice(0, 80)}…` : input;
    super('url', `Not a server address: ${shown}`, {
      userMessage: `“${shown}” is not a server address. Enter an http(s) URL such as http://127.0.0.1:8080/v1 (llama-server) or http://localhost:11434/v1 (Ollama).`,
    });
  }
}

/** Nothing answered at the address (refused, no route, DNS). */
export class ServerUnreachableError extends ServerEngineError {
  override name = 'ServerUnreachableError';
  constructor(origin: string, options: ServerErrorOptions = {}) {
    super('unreachable', `No server answered at ${origin}.`, {
      ...options,
      userMessage: `No server answered at ${origin}. Check that it is running, and the host and port (llama-server: 8080, Ollama: 11434, LM Studio: 1234, KoboldCpp: 5001, vLLM: 8000).`,
    });
  }
}

/** How to let `pageOrigin` in, server by server. */
export function corsFixes(pageOrigin: string): string {
  return (
    `Ollama: set OLLAMA_ORIGINS=${pageOrigin} and restart “ollama serve”; ` +
    `llama-server: allows every origin unless a proxy strips the headers; ` +
    `vLLM: --allowed-origins '["${pageOrigin}"]'; ` +
    `LM Studio: Developer → Server settings → Enable CORS; KoboldCpp: allows every origin.`
  );
}

/** The server answered, but without CORS headers allowing this page's origin. */
export class ServerCorsError extends ServerEngineError {
  override name = 'ServerCorsError';
  constructor(origin: string, pageOrigin: string, options: ServerErrorOptions = {}) {
    super('cors', `${origin} is reachable but did not allow the origin ${pageOrigin} (CORS).`, {
      ...options,
      userMessage: `The server at ${origin} answered, but does not let this page (${pageOrigin}) read its replies (CORS). Allow this origin on the server: ${corsFixes(pageOrigin)}`,
    });
  }
}

/**
 * No readable answer, and the browser cannot tell why: a cross-origin
 * isolated page (the studio's COOP/COEP) may not probe a host without CORS,
 * so a stopped server and a CORS refusal look the same. Both fixes are named.
 */
export class ServerUnreachableOrCorsError extends ServerEngineError {
  override name = 'ServerUnreachableOrCorsError';
  constructor(origin: string, pageOrigin: string, options: ServerErrorOptions = {}) {
    super('unreachable', `No readable answer from ${origin} (down, or CORS refused ${pageOrigin}).`, {
      ...options,
      userMessage:
        `No reply from ${origin} that this page may read. Either no server runs there (check that it is started, and the host and port), ` +
        `or it does not allow this page (${pageOrigin}) to read its replies (CORS). To allow it: ${corsFixes(pageOrigin)}`,
    });
  }
}

/** An https page may not call a plain-http server (except on this machine). */
export class MixedContentError extends ServerEngineError {
  override name = 'MixedContentError';
  constructor(origin: string) {
    super('mixed-content', `The https page cannot call the http server ${origin} (mixed content).`, {
      userMessage: `This page is served over https, so the browser blocks the plain-http server ${origin} (mixed content). Run the studio from http://localhost, use a server on this machine (localhost / 127.0.0.1), or put the server behind https.`,
    });
  }
}

/** 401/403: the key is missing or wrong. */
export class ServerAuthError extends ServerEngineError {
  override name = 'ServerAuthError';
  constructor(status: number, serverMessage: string) {
    super('auth', `HTTP ${status}: ${serverMessage || 'unauthorized'}`, {
      status,
      userMessage: `The server refused the API key (HTTP ${status}${serverMessage ? `: ${serverMessage}` : ''}). Enter the key the server was started with (llama-server --api-key, vLLM --api-key), or leave it empty for a server without one.`,
    });
  }
}

/** 404 for the model (or the endpoint). */
export class ServerModelNotFoundError extends ServerEngineError {
  override name = 'ServerModelNotFoundError';
  constructor(modelId: string, serverMessage: string, available: readonly string[] = []) {
    const list = available.length ? ` It serves: ${available.slice(0, 8).join(', ')}${available.length > 8 ? '…' : ''}.` : '';
    super('model', `Model not found: ${modelId}${serverMessage ? ` (${serverMessage})` : ''}`, {
      status: 404,
      userMessage: `The server has no model “${modelId}”${serverMessage ? ` (${serverMessage})` : ''}.${list} Press Connect and pick one from its list (Ollama: “ollama pull” it first).`,
    });
  }
}

/** 429, 5xx and other refusals, with the server's own message. */
export class ServerRespondedError extends ServerEngineError {
  override name = 'ServerRespondedError';
  constructor(status: number, serverMessage: string, options: ServerErrorOptions = {}) {
    const what =
      status === 429
        ? 'The server is busy or rate-limited (HTTP 429)'
        : status >= 500
          ? `The server failed (HTTP ${status})`
          : `The server refused the request (HTTP ${status})`;
    const hint = status === 429 ? ' Wait a moment and try again.' : status >= 500 ? ' Its own log says more; the model may still be loading or out of memory.' : '';
    super(status === 429 ? 'rate-limit' : 'server', `HTTP ${status}: ${serverMessage}`, {
      ...options,
      status,
      userMessage: options.userMessage ?? `${what}${serverMessage ? `: ${serverMessage}` : '.'}${hint}`,
    });
  }
}

/** The server sent something that is not the OpenAI protocol (HTML, bad JSON). */
export class ServerProtocolError extends ServerEngineError {
  override name = 'ServerProtocolError';
  constructor(message: string, userMessage: string, options: ServerErrorOptions = {}) {
    super('protocol', message, { ...options, userMessage });
  }
}

/** A reply (or a response body) larger than the studio accepts. */
export class ServerReplyTooLargeError extends ServerEngineError {
  override name = 'ServerReplyTooLargeError';
  constructor(limit: string, options: ServerErrorOptions = {}) {
    super('too-large', `The server's reply exceeded ${limit}.`, {
      ...options,
      userMessage: `The server sent more than ${limit}, far beyond any reply; the studio stopped reading. The text so far is kept. Check the server's max tokens and stop settings.`,
    });
  }
}

/** The stream closed (server stopped, killed, connection lost) before `[DONE]`. */
export class ServerStreamEndedError extends ServerEngineError {
  override name = 'ServerStreamEndedError';
  constructor(origin: string, options: ServerErrorOptions = {}) {
    super('stream-ended', `The stream from ${origin} ended before [DONE].`, {
      ...options,
      userMessage: `The connection to ${origin} ended in the middle of the reply (the server stopped or the network dropped). The text so far is kept and marked; regenerate or continue once the server is back.`,
    });
  }
}
