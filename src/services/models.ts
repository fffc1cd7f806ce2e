/**
 * The model manager's use-cases: what the current engine can load, what is
 * cached, deleting. No React.
 */
import { estimateVramBudgetMB, resolveCatalog, resolveCpuCatalog } from '../domain/models/catalog';
import type { ChatEngine } from '../engines/ChatEngine';
import type { WebGpuDetection } from '../engines/detect';
import { deleteTransformersModel, deleteWebLlmModel, isTransformersModelCached, isWebLlmModelCached, listTransformersModelFiles } from '../engines/modelCache';
import type { ModelSource } from '../engines/TransformersEngine';
import { loadWebLlm } from '../engines/webllmModule';
import type { WebLlmEngine } from '../engines/WebLlmEngine';
import type { EngineKind } from '../engines/ChatEngine';
import { repos } from '../db';

/** Remembers the last model loaded on each engine (the GPU one, or the CPU fallback). */
export async function rememberLoadedModel(kind: EngineKind, modelId: string): Promise<void> {
  const key = kind === 'webllm' ? 'chatModelId' : kind === 'server' ? 'serverModelId' : 'fallbackModelId';
  await repos.settings.set(key, modelId).catch(() => undefined);
}

/** The CPU model the user loaded last ('' when none). */
export function readFallbackModelId(): Promise<string> {
  return repos.settings.read('fallbackModelId');
}

export interface ModelRow {
  modelId: string;
  label: string;
  params: string;
  notes: string;
  /** Download size estimate, MB. */
  downloadMB: number;
  vramMB: number | null;
  /** Build detail shown to the user (q4f32_1, q8 on wasm…). */
  build: string;
  runnable: boolean;
  reason: string | null;
  cached: boolean;
  contextWindow: number;
}

function gpuCaps(detection: WebGpuDetection | null) {
  if (!detection?.available) return null;
  const deviceMemoryGB = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  return {
    hasF16: detection.hasF16,
    maxBufferSize: detection.limits.maxBufferSize,
    maxStorageBufferBindingSize: detection.limits.maxStorageBufferBindingSize,
    vramBudgetMB: estimateVramBudgetMB({ deviceMemoryGB, isFallbackAdapter: detection.adapterInfo.isFallbackAdapter }),
  };
}

/** The catalog for the engine in use, with cache state. */
export async function listModels(engine: ChatEngine, detection: WebGpuDetection | null, source: ModelSource): Promise<ModelRow[]> {
  // The server's models are listed by Connect (listServerModels), not from a catalog.
  if (engine.kind === 'server') return [];
  if (engine.kind === 'webllm') {
    const webllm = await loadWebLlm();
    const entries = resolveCatalog(webllm.prebuiltAppConfig.model_list, gpuCaps(detection));
    const appConfig = await (engine as WebLlmEngine).getAppConfig();
    return Promise.all(
      entries.map(async (e) => ({
        modelId: e.modelId,
        label: e.label,
        params: e.params,
        notes: e.notes,
        downloadMB: e.downloadSizeMB,
        vramMB: e.vramRequiredMB,
        build: e.quant,
        runnable: e.runnable,
        reason: e.reason,
        cached: await isWebLlmModelCached(e.modelId, appConfig).catch(() => false),
        contextWindow: e.contextWindow,
      })),
    );
  }
  const hasF16 = detection?.available ? detection.hasF16 : false;
  return Promise.all(
    resolveCpuCatalog('wasm', hasF16).map(async (e) => ({
      modelId: e.id,
      label: e.label,
      params: e.params,
      notes: e.notes,
      downloadMB: e.downloadSizeMB,
      vramMB: null,
      build: `${e.dtype} · ${e.device}`,
      runnable: true,
      reason: null,
      cached: await isTransformersModelCached(e.id, source).catch(() => false),
      contextWindow: e.contextWindow,
    })),
  );
}

/** Cache state of a model outside the catalog (a self-hosted id). */
export async function customModelCached(engine: ChatEngine, modelId: string, source: ModelSource): Promise<{ cached: boolean; bytes: number }> {
  if (engine.kind === 'server') return { cached: false, bytes: 0 };
  if (engine.kind === 'webllm') {
    const cached = await isWebLlmModelCached(modelId, await (engine as WebLlmEngine).getAppConfig()).catch(() => false);
    return { cached, bytes: 0 };
  }
  const files = await listTransformersModelFiles(modelId, source).catch(() => []);
  return { cached: files.some((f) => /\.onnx$/.test(f.url)), bytes: files.reduce((s, f) => s + (f.bytes ?? 0), 0) };
}

/** Deletes one model's cached files. */
export async function deleteCachedModel(engine: ChatEngine, modelId: string, source: ModelSource): Promise<void> {
  if (engine.kind === 'server') return;
  if (engine.kind === 'webllm') await deleteWebLlmModel(modelId, await (engine as WebLlmEngine).getAppConfig());
  else await deleteTransformersModel(modelId, source);
}
