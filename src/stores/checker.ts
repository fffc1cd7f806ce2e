import { create } from 'zustand';
import { CheckerClient, type CheckerStatus } from '../engines/CheckerClient';
import { classifyEngineError, type EngineError } from '../engines/errors';
import type { SentenceCheck, SentenceRoleFlags } from '../engines/liveCheck';
import type { RoleFlag } from '../domain/consistency';
import { isTransformersModelCached } from '../engines/modelCache';
import type { ModelSource } from '../engines/TransformersEngine';
import { createRecheckQueue, type RecheckJob } from '../services/checking';
import { readCheckerSettings } from '../services/checkerSettings';
import { settingsDeviceDecisionStore } from '../services/checkerDevice';
import type { TurnChecker } from '../services/chatTurn';

/** A sentence checked while the reply streams, with its role flags once they landed (after its NLI scores). */
export type LiveSentence = SentenceCheck & { roleFlags?: readonly RoleFlag[] };

/** Live flags of the reply being checked, keyed `${messageId}:${swipeIndex}`. */
export type LiveFlags = Record<string, LiveSentence[]>;

/**
 * The checker's lifecycle and what the screen shows of its work. Its
 * configuration is not here: settings are the one source
 * (services/checkerSettings.ts), read when the checker loads or a turn starts.
 */
interface CheckerSlice {
  client: CheckerClient | null;
  status: CheckerStatus;
  lastError: EngineError | null;
  live: LiveFlags;
  /** Keys of messages being (re)checked in the background. */
  checking: Record<string, true>;
  load: (source: ModelSource) => Promise<boolean>;
  /** Loads only when both models are already cached (no surprise downloads). */
  loadIfCached: (source: ModelSource) => Promise<boolean>;
  cancelLoad: () => void;
  unload: () => Promise<void>;
  pushSentence: (key: string, s: SentenceCheck) => void;
  /** Attaches a sentence's live role flags to its entry (pushed before them). */
  pushRoleFlags: (key: string, r: SentenceRoleFlags) => void;
  clearLive: (key: string) => void;
  /** Re-checks stored replies one at a time in the background (stale verdicts, analysing a chat). */
  recheck: (jobs: RecheckJob[]) => Promise<number>;
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
  const setChecking = (key: string, on: boolean) => {
    const { [key]: _gone, ...rest } = get().checking;
    set({ checking: on ? { ...rest, [key]: true } : rest });
  };
  const queue = createRecheckQueue(async () => ({ client: get().client, threshold: (await readCheckerSettings()).threshold, setChecking }));
  return {
    client: null,
    status: { state: 'absent' },
    lastError: null,
    live: {},
    checking: {},

    load: async (source) => {
      const client = ensureClient();
      loadController?.abort();
      const controller = new AbortController();
      loadController = controller;
      set({ lastError: null });
      try {
        const { nliModelId, embeddingModelId, device } = await readCheckerSettings();
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
      const { enabled, nliModelId, embeddingModelId } = await readCheckerSettings();
      if (!enabled) return false;
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
    pushRoleFlags: (key, r) => {
      const list = get().live[key];
      const i = list?.findIndex((s) => s.sentence.index === r.sentence.index) ?? -1;
      if (!list || i === -1) return;
      set({ live: { ...get().live, [key]: list.map((s, j) => (j === i ? { ...s, roleFlags: r.flags } : s)) } });
    },
    clearLive: (key) => {
      const { [key]: _gone, ...rest } = get().live;
      set({ live: rest });
    },
    recheck: (jobs) => queue.enqueue(jobs),
  };
});

/** What a chat turn needs of the checker, read when the turn starts. */
export async function turnChecker(): Promise<TurnChecker> {
  const client = useChecker.getState().client;
  return { client: client?.isReady ? client : null, threshold: (await readCheckerSettings()).threshold };
}
