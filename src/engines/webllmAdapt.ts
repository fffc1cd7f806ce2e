/**
 * Pure glue between our engine types and WebLLM's: app config, progress
 * parsing, message normalisation, finish reasons. No WebLLM runtime import
 * (types only), so it is unit-testable in Node.
 */
import type { AppConfig, ChatCompletionMessageParam, ModelRecord } from '@mlc-ai/web-llm';
import type { FinishReason } from '../domain/chat';
import type { ChatMessage, LoadProgress } from './ChatEngine';

export type WebLlmCacheBackend = 'cache' | 'indexeddb' | 'opfs';

/**
 * Where WebLLM weights come from.
 * - `huggingface`: the prebuilt records as they are (huggingface.co/mlc-ai/…).
 * - `self-hosted`: `<baseUrl>/<model_id>/resolve/main/<file>`.
 *   IMPORTANT: WebLLM appends `resolve/main/` to any record URL that lacks a
 *   `/resolve/<rev>/` segment (cleanModelUrl in web-llm 0.2.86), so a mirror
 *   must keep that segment. The folder holds `mlc-chat-config.json`,
 *   `tensor-cache.json`, `params_shard_*.bin` and the tokenizer files.
 *   `modelLibBaseUrl` (optional) rebases the `model_lib` wasm by file name;
 *   the wasm must match web-llm 0.2.86 (`…/web-llm-models/v0_2_86/`).
 */
export type WebLlmModelSource =
  | { kind: 'huggingface' }
  | { kind: 'self-hosted'; baseUrl: string; modelLibBaseUrl?: string };

export interface WebLlmConfigOptions {
  cacheBackend?: WebLlmCacheBackend;
  source?: WebLlmModelSource;
  /** Base for relative URLs; defaults to `location.href`. */
  baseHref?: string;
}

/**
 * Builds the AppConfig used for loading AND for cache queries (WebLLM needs
 * the very same config for `hasModelInCache` / `deleteModelAllInfoInCache`).
 * Self-hosted records get an absolute `model` URL (`new URL(path, location.href)`).
 */
export function buildWebLlmAppConfig(modelList: readonly ModelRecord[], options: WebLlmConfigOptions = {}): AppConfig {
  const source = options.source ?? { kind: 'huggingface' };
  const cacheBackend = options.cacheBackend ?? 'cache';
  if (source.kind === 'huggingface') return { model_list: modelList.map((r) => ({ ...r })), cacheBackend };
  const baseHref = options.baseHref ?? (typeof location !== 'undefined' ? location.href : 'http://localhost/');
  const base = new URL(source.baseUrl.endsWith('/') ? source.baseUrl : `${source.baseUrl}/`, baseHref);
  const libBase = source.modelLibBaseUrl
    ? new URL(source.modelLibBaseUrl.endsWith('/') ? source.modelLibBaseUrl : `${source.modelLibBaseUrl}/`, baseHref)
    : null;
  return {
    cacheBackend,
    model_list: modelList.map((r) => ({
      ...r,
      model: new URL(`${encodeURIComponent(r.model_id)}/resolve/main/`, base).href,
      model_lib: libBase ? new URL(r.model_lib.split('/').pop() ?? r.model_lib, libBase).href : r.model_lib,
    })),
  };
}

const MiB = 1024 * 1024;

/**
 * Maps WebLLM's `{progress, text}` reports to our phases. WebLLM's texts (0.2.86):
 * "Start to fetch params", "Fetching param cache[i/n]: XMB fetched. P% completed…",
 * "Loading model from cache[i/n]: XMB loaded. …", "Loading GPU shader modules[i/n]: …",
 * "Finish loading on <gpu>".
 */
export function parseWebLlmProgress(report: { progress: number; text: string }): LoadProgress {
  const { text } = report;
  const progress = Math.max(0, Math.min(1, Number.isFinite(report.progress) ? report.progress : 0));
  const mb = /(\d+(?:\.\d+)?)MB (?:fetched|loaded)/.exec(text);
  const loadedBytes = mb ? Math.round(Number(mb[1]) * MiB) : undefined;
  const totalBytes = loadedBytes !== undefined && progress > 0 ? Math.round(loadedBytes / progress) : undefined;
  if (/Fetching param cache|Start to fetch|Fetching/i.test(text)) {
    return { phase: 'downloading', progress, loadedBytes, totalBytes, text };
  }
  return { phase: 'loading', progress, loadedBytes, totalBytes, text };
}

/**
 * WebLLM accepts a system message only at index 0 and needs the last message
 * from the user. Role-play prompts break both rules (post-history
 * instructions, "continue" requests), so:
 * - leading system messages merge into one;
 * - later system messages become user text in brackets ("[System note: …]");
 * - consecutive messages of the same role merge (blank line between);
 * - if the last message is the assistant's, a user "Continue." is appended.
 */
export function toWebLlmMessages(messages: readonly ChatMessage[]): ChatCompletionMessageParam[] {
  const out: { role: 'system' | 'user' | 'assistant'; content: string }[] = [];
  let i = 0;
  const systemParts: string[] = [];
  while (i < messages.length && messages[i]!.role === 'system') systemParts.push(messages[i++]!.content);
  if (systemParts.length) out.push({ role: 'system', content: systemParts.join('\n\n') });
  for (; i < messages.length; i++) {
    const m = messages[i]!;
    const role = m.role === 'system' ? 'user' : m.role;
    const content = m.role === 'system' ? `[System note: ${m.content}]` : m.content;
    const last = out.at(-1);
    if (last && last.role === role) last.content = `${last.content}\n\n${content}`;
    else out.push({ role, content });
  }
  if (out.length === 0 || out.at(-1)!.role !== 'user') out.push({ role: 'user', content: 'Continue.' });
  return out as ChatCompletionMessageParam[];
}

export function mapWebLlmFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'abort':
      return reason;
    case null:
    case undefined:
      return 'stop';
    default:
      // 'tool_calls' and anything newer: the reply ended normally.
      return 'stop';
  }
}

/**
 * Whether a WebLLM model needs the GPU's `shader-f16` feature: its record says
 * so, or its build is an f16 one (`q4f16_1`, `q0f16`…). WebLLM itself only
 * refuses records that list the feature, and several f16 records don't: on a
 * GPU without it their shaders fail to compile deep inside the load.
 */
export function needsShaderF16(modelId: string, modelList: readonly Pick<ModelRecord, 'model_id' | 'required_features'>[]): boolean {
  const record = modelList.find((r) => r.model_id === modelId);
  if (record?.required_features?.includes('shader-f16')) return true;
  return /-q\d+f16(?:_\d+)?-/i.test(`${modelId}-`);
}
