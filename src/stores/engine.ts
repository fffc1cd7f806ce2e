import { create } from 'zustand';
import type { ChatEngine, EngineKind, EngineStatus, LoadProgress } from '../engines/ChatEngine';
import { chooseEngineKind, createTransformersEngine, type EngineChoice, type EnginePreference } from '../engines/createEngine';
import { detectWebGpu, type WebGpuDetection } from '../engines/detect';
import { isTransformersModelCached } from '../engines/modelCache';
import { classifyEngineError, type EngineError } from '../engines/errors';
import { WebLlmEngine } from '../engines/WebLlmEngine';
import type { ModelSource } from '../engines/TransformersEngine';
import { readEngineScript, ScriptedEngine } from '../engines/ScriptedEngine';

/**
 * The chat engine's lifecycle, owned here and read by the UI (which never
 * holds a Worker). One engine at a time; switching kind disposes the old one.
 */
export interface EngineSlice {
  detection: WebGpuDetection | null;
  choice: EngineChoice | null;
  engine: ChatEngine | null;
  status: EngineStatus;
  /** Bytes/s and ETA of the current download, derived from progress events. */
  download: { startedAt: number; bytesPerSecond: number | null; etaSeconds: number | null } | null;
  /** Set by a load that failed; cleared by the next load. */
  lastError: EngineError | null;
  /** A load that worked but could not be stored (quota). */
  storageWarning: string | null;
  preference: EnginePreference;
  source: ModelSource;
  init: (opts: { preference: EnginePreference; source: ModelSource }) => Promise<void>;
  setPreference: (preference: EnginePreference) => Promise<void>;
  setSource: (source: ModelSource) => Promise<void>;
  load: (modelId: string) => Promise<boolean>;
  cancelLoad: () => void;
  unload: () => Promise<void>;
}

let loadController: AbortController | null = null;
let unsubscribe: (() => void) | null = null;

/** The base URL for self-hosted models, from settings or the build (VITE_MODEL_BASE_URL). */
export function sourceFromBaseUrl(baseUrl: string): ModelSource {
  const url = baseUrl.trim() || (import.meta.env.VITE_MODEL_BASE_URL as string | undefined)?.trim() || '';
  return url ? { kind: 'self-hosted', baseUrl: url.endsWith('/') ? url : `${url}/` } : { kind: 'huggingface' };
}

function makeEngine(kind: EngineKind, detection: WebGpuDetection | null, source: ModelSource): ChatEngine {
  // Test double for e2e UI flows only (see ScriptedEngine.ts); null for every user.
  const script = readEngineScript();
  if (script) return new ScriptedEngine(script);
  if (kind === 'webllm') {
    // Self-hosted bundles (npm run models:pack) keep WebLLM's model libraries in <base>/libs/.
    return new WebLlmEngine({ source: source.kind === 'self-hosted' ? { kind: 'self-hosted', baseUrl: source.baseUrl, modelLibBaseUrl: `${source.baseUrl}libs/` } : { kind: 'huggingface' } });
  }
  return createTransformersEngine(detection, { modelSource: source });
}

export const useEngine = create<EngineSlice>()((set, get) => {
  const attach = (engine: ChatEngine) => {
    unsubscribe?.();
    unsubscribe = engine.subscribe((status) => {
      set({ status });
      if (status.state === 'downloading') updateRate(status.progress);
    });
    set({ engine, status: engine.status });
  };

  const updateRate = (p: LoadProgress) => {
    const now = performance.now();
    const d = get().download ?? { startedAt: now, bytesPerSecond: null, etaSeconds: null };
    const elapsed = (now - d.startedAt) / 1000;
    if (p.loadedBytes && p.totalBytes && elapsed > 0.5) {
      const bps = p.loadedBytes / elapsed;
      set({ download: { ...d, bytesPerSecond: bps, etaSeconds: bps > 0 ? (p.totalBytes - p.loadedBytes) / bps : null } });
    } else if (!get().download) {
      set({ download: d });
    }
  };

  const rebuild = (kind: EngineKind) => {
    const { engine, detection, source } = get();
    loadController?.abort();
    engine?.dispose();
    attach(makeEngine(kind, detection, source));
  };

  return {
    detection: null,
    choice: null,
    engine: null,
    status: { state: 'absent' },
    download: null,
    lastError: null,
    storageWarning: null,
    preference: 'auto',
    source: { kind: 'huggingface' },

    init: async ({ preference, source }) => {
      if (get().engine) return;
      const detection = await detectWebGpu();
      const choice = chooseEngineKind(detection, preference);
      set({ detection, choice, preference, source });
      if (!get().engine) attach(makeEngine(choice.kind, detection, source));
    },

    setPreference: async (preference) => {
      const detection = get().detection ?? (await detectWebGpu());
      const choice = chooseEngineKind(detection, preference);
      const changed = choice.kind !== get().engine?.kind;
      set({ preference, choice, detection });
      if (changed) rebuild(choice.kind);
    },

    setSource: async (source) => {
      set({ source });
      if (get().engine) rebuild(get().engine!.kind);
    },

    load: async (modelId) => {
      const { engine } = get();
      if (!engine) return false;
      loadController?.abort();
      const controller = new AbortController();
      loadController = controller;
      set({ lastError: null, download: null });
      try {
        await engine.load(modelId, { signal: controller.signal });
        // transformers.js swallows failed cache writes: a model that loaded but
        // was not stored (storage full) would silently download again next time.
        if (engine.kind === 'transformers' && !(engine instanceof ScriptedEngine) && !(await isTransformersModelCached(modelId, get().source).catch(() => true))) {
          set({ storageWarning: `${modelId.split('/').at(-1)} is loaded, but your browser has no room to keep it, so it will download again next time. Free space by deleting cached models or old chats.` });
        } else {
          set({ storageWarning: null });
        }
        return true;
      } catch (e) {
        const error = classifyEngineError(e, 'load');
        if (error.name !== 'ModelDownloadCancelledError') set({ lastError: error });
        return false;
      } finally {
        if (loadController === controller) loadController = null;
        set({ download: null });
      }
    },

    cancelLoad: () => loadController?.abort(),

    unload: async () => {
      await get().engine?.unload();
    },
  };
});
