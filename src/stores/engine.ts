import { create } from 'zustand';
import { cpuFallbackFor } from '../domain/models/catalog';
import type { ChatEngine, EngineKind, EngineStatus, LoadProgress } from '../engines/ChatEngine';
import { chooseEngineKind, createTransformersEngine, shouldFallBack, type EngineChoice, type EnginePreference } from '../engines/createEngine';
import { detectWebGpu, type WebGpuDetection } from '../engines/detect';
import { classifyEngineError, type EngineError } from '../engines/errors';
import { WebLlmEngine } from '../engines/WebLlmEngine';
import { OpenAiEngine, type ServerConfig } from '../engines/OpenAiEngine';
import type { ModelSource } from '../engines/TransformersEngine';
import { readFallbackModelId, rememberLoadedModel } from '../services/models';

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
  /** The server engine's configuration (from settings; used when the kind is 'server'). */
  server: ServerConfig;
  /** This tab switched to the CPU engine after the GPU engine failed (until the tab closes). */
  cpuForSession: boolean;
  init: (opts: { preference: EnginePreference; source: ModelSource; server?: ServerConfig }) => Promise<void>;
  /** A new server configuration: the server engine is rebuilt with it (when in use). */
  setServer: (server: ServerConfig) => void;
  setPreference: (preference: EnginePreference) => Promise<void>;
  setSource: (source: ModelSource) => Promise<void>;
  load: (modelId: string) => Promise<boolean>;
  cancelLoad: () => void;
  unload: () => Promise<void>;
  /** Continues on the CPU engine for the rest of this session and loads its closest model. */
  fallBackToCpu: () => Promise<boolean>;
}

/** How the store makes engines. Dev and e2e builds may replace it (src/testing); production never does. */
export type EngineFactory = (kind: EngineKind, detection: WebGpuDetection | null, source: ModelSource, server: ServerConfig) => ChatEngine;

/** No server configured (the default): the server engine refuses to load until one is. */
export const NO_SERVER: ServerConfig = Object.freeze({ baseUrl: '', apiKey: '', contextSize: 4096 });

const makeEngine: EngineFactory = (kind, detection, source, server) => {
  if (kind === 'server') return new OpenAiEngine(server);
  if (kind === 'webllm') {
    // Self-hosted bundles (npm run models:pack) keep WebLLM's model libraries in <base>/libs/.
    return new WebLlmEngine({
      hasF16: detection?.available ? detection.hasF16 : undefined,
      source: source.kind === 'self-hosted' ? { kind: 'self-hosted', baseUrl: source.baseUrl, modelLibBaseUrl: `${source.baseUrl}libs/` } : { kind: 'huggingface' },
    });
  }
  return createTransformersEngine(detection, { modelSource: source });
};

let engineFactory: EngineFactory = makeEngine;
/** A replacement still loading (see deferEngineFactory): the first engine waits for it. */
let factoryPending: Promise<void> = Promise.resolve();

/** Replaces how engines are made (test doubles in dev/e2e builds only; see src/testing). */
export function setEngineFactory(factory: EngineFactory): void {
  engineFactory = factory;
}

/**
 * Replaces how engines are made once `pending` resolves (to null: no
 * change). The studio renders meanwhile; no engine is made before it settles.
 */
export function deferEngineFactory(pending: Promise<EngineFactory | null>): void {
  factoryPending = pending.then(
    (factory) => {
      if (factory) engineFactory = factory;
    },
    () => undefined,
  );
}

/** sessionStorage: the CPU fallback the user chose lasts as long as the tab. */
const CPU_FOR_SESSION_KEY = 'in-character.cpu-for-session';

function readCpuForSession(): boolean {
  try {
    return globalThis.sessionStorage?.getItem(CPU_FOR_SESSION_KEY) === '1';
  } catch {
    return false;
  }
}

let loadController: AbortController | null = null;
let unsubscribe: (() => void) | null = null;

/** The base URL for self-hosted models, from settings or the build (VITE_MODEL_BASE_URL). */
export function sourceFromBaseUrl(baseUrl: string): ModelSource {
  const url = baseUrl.trim() || (import.meta.env.VITE_MODEL_BASE_URL as string | undefined)?.trim() || '';
  return url ? { kind: 'self-hosted', baseUrl: url.endsWith('/') ? url : `${url}/` } : { kind: 'huggingface' };
}

const CPU_FOR_SESSION_REASON = 'Continuing on the CPU engine for this session, as you chose after the GPU engine failed.';

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
    const { engine, detection, source, server } = get();
    loadController?.abort();
    engine?.dispose();
    attach(engineFactory(kind, detection, source, server));
  };

  /** The engine kind for a preference, honouring this tab's CPU fallback. */
  const choose = (detection: WebGpuDetection, preference: EnginePreference): EngineChoice =>
    get().cpuForSession ? { kind: 'transformers', reason: CPU_FOR_SESSION_REASON, detection } : chooseEngineKind(detection, preference);

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
    server: NO_SERVER,
    cpuForSession: readCpuForSession(),

    init: async ({ preference, source, server }) => {
      if (get().engine) return;
      const [detection] = await Promise.all([detectWebGpu(), factoryPending]);
      const choice = choose(detection, preference);
      set({ detection, choice, preference, source, ...(server ? { server } : {}) });
      if (!get().engine) attach(engineFactory(choice.kind, detection, source, get().server));
    },

    setServer: (server) => {
      set({ server });
      if (get().engine?.kind === 'server') rebuild('server');
    },

    setPreference: async (preference) => {
      const detection = get().detection ?? (await detectWebGpu());
      // An explicit choice ends the session's fallback.
      if (get().cpuForSession) {
        try {
          globalThis.sessionStorage?.removeItem(CPU_FOR_SESSION_KEY);
        } catch {
          /* storage blocked: the flag only lives in memory then */
        }
        set({ cpuForSession: false });
      }
      await factoryPending;
      const choice = choose(detection, preference);
      const changed = choice.kind !== get().engine?.kind;
      set({ preference, choice, detection });
      if (changed) rebuild(choice.kind);
    },

    setSource: async (source) => {
      set({ source });
      await factoryPending;
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
        const stored = engine.isModelStored ? await engine.isModelStored(modelId).catch(() => true) : true;
        set({
          storageWarning: stored
            ? null
            : `${modelId.split('/').at(-1)} is loaded, but your browser has no room to keep it, so it will download again next time. Free space by deleting cached models or old chats.`,
        });
        await rememberLoadedModel(engine.kind, modelId);
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

    fallBackToCpu: async () => {
      const { engine, detection } = get();
      const status = engine?.status ?? get().status;
      const failedModel = 'modelId' in status ? status.modelId : null;
      try {
        globalThis.sessionStorage?.setItem(CPU_FOR_SESSION_KEY, '1');
      } catch {
        /* storage blocked: the choice lasts as long as this page */
      }
      set({ cpuForSession: true, lastError: null, choice: detection ? { kind: 'transformers', reason: CPU_FOR_SESSION_REASON, detection } : get().choice });
      await factoryPending;
      if (get().engine?.kind !== 'transformers') rebuild('transformers');
      return get().load((await readFallbackModelId()) || cpuFallbackFor(failedModel));
    },
  };
});

/**
 * When `error` is a GPU failure of the GPU engine (no adapter, a failed shader
 * compile, out of memory, a lost device), the offer to continue on the CPU
 * engine: what to tell the writer and what the one click does.
 */
export function offerCpuFallback(error: EngineError): { label: string; detail: string; run: () => Promise<void> } | null {
  const { engine } = useEngine.getState();
  if (engine?.kind !== 'webllm' || !shouldFallBack(error)) return null;
  return {
    label: 'Continue on CPU',
    detail: 'You can continue this chat on the CPU engine (slower, smaller models): one click loads its closest model, and the studio keeps using it until you close this tab.',
    run: async () => {
      await useEngine.getState().fallBackToCpu();
    },
  };
}
