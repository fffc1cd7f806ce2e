import { create } from 'zustand';
import { checkerModelId } from '../domain/consistency';
import { CheckerClient, DEFAULT_EMBEDDING_MODEL_ID, DEFAULT_NLI_MODEL_ID, type CheckerStatus } from '../engines/CheckerClient';
import { classifyEngineError, type EngineError } from '../engines/errors';
import type { SentenceCheck } from '../engines/liveCheck';
import { isTransformersModelCached } from '../engines/modelCache';
import type { ModelSource } from '../engines/TransformersEngine';
import type { LiveCheckDeps, RecheckDeps } from '../services/checking';
import { settingsDeviceDecisionStore } from '../services/checkerDevice';
import type { CheckerDevicePreference } from '../domain/models/deviceChoice';

/** Live flags of the reply being checked, keyed `${messageId}:${swipeIndex}`. */
export type LiveFlags = Record<string, SentenceCheck[]>;

export interface CheckerConfigState {
  nliModelId: string;
  embeddingModelId: string;
  threshold: number;
  /** 'auto' (new installs): measured once per machine and model; see domain/models/deviceChoice.ts. */
  device: CheckerDevicePreference;
}

interface CheckerSlice {
  client: CheckerClient | null;
  status: CheckerStatus;
  config: CheckerConfigState;
  lastError: EngineError | null;
  live: LiveFlags;
  /** Keys of messages being (re)checked in the background. */
  checking: Record<string, true>;
  configure: (patch: Partial<CheckerConfigState>) => void;
  load: (source: ModelSource) => Promise<boolean>;
  /** Loads only when both models are already cached (no surprise downloads). */
  loadIfCached: (source: ModelSource) => Promise<boolean>;
  cancelLoad: () => void;
  unload: () => Promise<void>;
  pushSentence: (key: string, s: SentenceCheck) => void;
  clearLive: (key: string) => void;
  setChecking: (key: string, on: boolean) => void;
}

let loadController: AbortController | null = null;

export const useChecker = create<CheckerSlice>()((set, get) => {
  const ensureClient = () => {
    let client = get().client;
    if (!client) {
      client = new CheckerClient({ deviceDecisions: settingsDeviceDecisionStore });
      client.subscribe((status) => set({ status }));
      set({ client, status: client.status });
    }
    return client;
  };
  return {
    client: null,
    status: { state: 'absent' },
    config: { nliModelId: DEFAULT_NLI_MODEL_ID, embeddingModelId: DEFAULT_EMBEDDING_MODEL_ID, threshold: 0.5, device: 'auto' },
    lastError: null,
    live: {},
    checking: {},

    configure: (patch) => set({ config: { ...get().config, ...patch } }),

    load: async (source) => {
      const client = ensureClient();
      loadController?.abort();
      const controller = new AbortController();
      loadController = controller;
      set({ lastError: null });
      const { nliModelId, embeddingModelId, device } = get().config;
      try {
        await client.load({ nliModelId, embeddingModelId, source, device }, { signal: controller.signal });
        return true;
      } catch (e) {
        const error = classifyEngineError(e, 'load');
        if (error.name !== 'ModelDownloadCancelledError' && !controller.signal.aborted) set({ lastError: error });
        return false;
      } finally {
        if (loadController === controller) loadController = null;
      }
    },

    loadIfCached: async (source) => {
      const { nliModelId, embeddingModelId } = get().config;
      const [nli, emb] = await Promise.all([
        isTransformersModelCached(nliModelId, source).catch(() => false),
        isTransformersModelCached(embeddingModelId, source).catch(() => false),
      ]);
      if (!nli || !emb) return false;
      return get().load(source);
    },

    cancelLoad: () => loadController?.abort(),

    unload: async () => {
      await get().client?.unload();
    },

    pushSentence: (key, s) => set({ live: { ...get().live, [key]: [...(get().live[key] ?? []), s] } }),
    clearLive: (key) => {
      const { [key]: _gone, ...rest } = get().live;
      set({ live: rest });
    },
    setChecking: (key, on) => {
      const { [key]: _gone, ...rest } = get().checking;
      set({ checking: on ? { ...rest, [key]: true } : rest });
    },
  };
});

// What services/checking needs of the checker, read from the store at the
// moment of the call (the service itself knows nothing of the store).

/** The checker models' id as verdict fingerprints record it: the loaded client's, else the configured pair's. */
export function currentCheckerModelId(): string {
  const { client, config } = useChecker.getState();
  return client?.modelId ?? checkerModelId(config.nliModelId, config.embeddingModelId);
}

/** Deps of `liveChecking.start`: live flags go to this store. */
export function liveCheckDeps(): LiveCheckDeps {
  const { client, config } = useChecker.getState();
  return {
    client,
    threshold: config.threshold,
    onSentence: (key, s) => useChecker.getState().pushSentence(key, s),
    onClear: (key) => useChecker.getState().clearLive(key),
  };
}

/** Deps of `recheckMessage`: the "checking" mark goes to this store. */
export function recheckDeps(): RecheckDeps {
  const { client, config } = useChecker.getState();
  return { client, threshold: config.threshold, setChecking: (key, on) => useChecker.getState().setChecking(key, on) };
}
