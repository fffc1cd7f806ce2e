/**
 * What is downloaded, and deleting it. WebLLM keeps its own caches (queried
 * through its API with the SAME appConfig used to load); transformers.js
 * stores each file in Cache Storage 'transformers-cache' keyed by its full URL.
 */
import type { AppConfig } from '@mlc-ai/web-llm';
import type { ModelSource } from '../protocol/loading';
import { loadWebLlm } from './webllmModule';

// ---------------------------------------------------------------------------
// WebLLM

/** @param appConfig the engine's config (`await webLlmEngine.getAppConfig()`). */
export async function isWebLlmModelCached(modelId: string, appConfig: AppConfig): Promise<boolean> {
  return (await loadWebLlm()).hasModelInCache(modelId, appConfig);
}

/** Deletes weights, tokenizer, config and model library wasm of one model. */
export async function deleteWebLlmModel(modelId: string, appConfig: AppConfig): Promise<void> {
  await (await loadWebLlm()).deleteModelAllInfoInCache(modelId, appConfig);
}

// ---------------------------------------------------------------------------
// transformers.js

/** transformers.js 4.3.1 `env.cacheKey` default. */
export const TRANSFORMERS_CACHE_NAME = 'transformers-cache';

export interface CachedFile {
  url: string;
  /** From the stored response's content-length (null when absent). */
  bytes: number | null;
}

/** Minimal CacheStorage shape (injectable for tests). */
export interface CacheStorageLike {
  has(name: string): Promise<boolean>;
  open(name: string): Promise<{
    keys(): Promise<readonly { url: string }[]>;
    match(request: string): Promise<{ headers: { get(name: string): string | null } } | undefined>;
    delete(request: string): Promise<boolean>;
  }>;
}

function defaultCaches(): CacheStorageLike | null {
  return typeof caches !== 'undefined' ? (caches as unknown as CacheStorageLike) : null;
}

/**
 * The URL prefix under which transformers.js caches a model's files:
 * Hugging Face `https://huggingface.co/<id>/resolve/`, self-hosted
 * `<baseUrl>/<id>/` (baseUrl resolved against `baseHref`).
 */
export function transformersModelUrlPrefix(modelId: string, source: ModelSource, baseHref?: string): string {
  if (source.kind === 'huggingface') return `https://huggingface.co/${modelId}/resolve/`;
  const base = source.baseUrl.endsWith('/') ? source.baseUrl : `${source.baseUrl}/`;
  const href = baseHref ?? (typeof document !== 'undefined' ? document.baseURI : undefined);
  return `${new URL(base, href).href}${modelId}/`;
}

/** Every file transformers.js has cached (all models, plus onnxruntime wasm it cached). */
export async function listTransformersCache(cacheStorage = defaultCaches()): Promise<CachedFile[]> {
  if (!cacheStorage || !(await cacheStorage.has(TRANSFORMERS_CACHE_NAME))) return [];
  const cache = await cacheStorage.open(TRANSFORMERS_CACHE_NAME);
  const out: CachedFile[] = [];
  for (const request of await cache.keys()) {
    const response = await cache.match(request.url);
    const length = response?.headers.get('content-length');
    out.push({ url: request.url, bytes: length ? Number(length) : null });
  }
  return out;
}

/** Cached files of one model (by URL prefix). */
export async function listTransformersModelFiles(
  modelId: string,
  source: ModelSource,
  cacheStorage = defaultCaches(),
): Promise<CachedFile[]> {
  const prefix = transformersModelUrlPrefix(modelId, source);
  return (await listTransformersCache(cacheStorage)).filter((f) => f.url.startsWith(prefix));
}

/** True when at least one onnx weight file of the model is cached. */
export async function isTransformersModelCached(
  modelId: string,
  source: ModelSource,
  cacheStorage = defaultCaches(),
): Promise<boolean> {
  const files = await listTransformersModelFiles(modelId, source, cacheStorage);
  return files.some((f) => /\.onnx(_data)?$/.test(f.url));
}

/** @returns how many cached files were deleted. */
export async function deleteTransformersModel(
  modelId: string,
  source: ModelSource,
  cacheStorage = defaultCaches(),
): Promise<number> {
  if (!cacheStorage || !(await cacheStorage.has(TRANSFORMERS_CACHE_NAME))) return 0;
  const prefix = transformersModelUrlPrefix(modelId, source);
  const cache = await cacheStorage.open(TRANSFORMERS_CACHE_NAME);
  let deleted = 0;
  for (const request of await cache.keys()) {
    if (request.url.startsWith(prefix) && (await cache.delete(request.url))) deleted++;
  }
  return deleted;
}
