import { useCallback, useEffect, useMemo, useState } from 'react';
import { repos } from '../db';
import { customModelCached, deleteCachedModel, listModels, type ModelRow } from '../services/models';
import { offerCpuFallback, sourceFromBaseUrl, useEngine } from '../stores/engine';
import { useUi } from '../stores/ui';
import type { EnginePreference } from '../engines/createEngine';
import { deleteTransformersModel, isTransformersModelCached } from '../engines/modelCache';
import { useChecker } from '../stores/checker';
import { saveCheckerSettings, type CheckerSettings } from '../services/checkerSettings';
import { useSetting } from './useSettings';
import { serverConfigFrom } from '../services/server';

export type { ModelRow };

/** Starts the engine (detection + preference + model source) once per page. */
export function useEngineInit(ready: boolean) {
  useEffect(() => {
    if (!ready) return;
    void (async () => {
      const s = await repos.settings.all();
      const source = sourceFromBaseUrl(s.modelBaseUrl ?? '');
      await useEngine.getState().init({ preference: s.enginePreference ?? 'auto', source, server: serverConfigFrom(s) });
      // Only models already downloaded load by themselves: no surprise downloads.
      await useChecker.getState().loadIfCached(source);
    })();
  }, [ready]);
}

/** The model list for the current engine, refreshed after loads and deletes. */
export function useModelList() {
  const engine = useEngine((s) => s.engine);
  const detection = useEngine((s) => s.detection);
  const source = useEngine((s) => s.source);
  const state = useEngine((s) => s.status.state);
  const [rows, setRows] = useState<ModelRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!engine) return;
    let live = true;
    listModels(engine, detection, source)
      .then((r) => {
        if (!live) return;
        setRows(r);
        setError(null);
      })
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [engine, detection, source, state, tick]);
  return { rows, error, refresh: () => setTick((t) => t + 1) };
}

export function useModelActions() {
  const notify = useUi((s) => s.notify);
  const remove = useCallback(
    async (modelId: string) => {
      const { engine, source, status } = useEngine.getState();
      if (!engine) return;
      try {
        if ('modelId' in status && status.modelId === modelId) await engine.unload();
        await deleteCachedModel(engine, modelId, source);
        notify({ kind: 'success', title: `Deleted ${modelId.split('/').at(-1)} from this browser` });
      } catch (e) {
        notify({ kind: 'error', title: 'Could not delete the model', detail: e instanceof Error ? e.message : String(e) });
      }
    },
    [notify],
  );
  const load = useCallback(
    async (modelId: string) => {
      const ok = await useEngine.getState().load(modelId);
      const warning = useEngine.getState().storageWarning;
      if (ok && warning) notify({ kind: 'error', title: 'Not enough storage to keep this model', detail: warning });
      return ok;
    },
    [notify],
  );
  const setPreference = useCallback(async (p: EnginePreference) => {
    await repos.settings.set('enginePreference', p);
    await useEngine.getState().setPreference(p);
  }, []);
  const setBaseUrl = useCallback(
    async (url: string) => {
      try {
        await repos.settings.set('modelBaseUrl', url.trim());
      } catch (e) {
        notify({ kind: 'error', title: 'That model source was not saved', detail: e instanceof Error ? e.message : String(e) });
        return;
      }
      await useEngine.getState().setSource(sourceFromBaseUrl(url));
    },
    [notify],
  );
  const checkCustom = useCallback(async (modelId: string) => {
    const { engine, source } = useEngine.getState();
    return engine ? customModelCached(engine, modelId, source) : { cached: false, bytes: 0 };
  }, []);
  return { remove, load, setPreference, setBaseUrl, checkCustom };
}

/** Whether the checker's models are cached, and deleting them. */
export function useCheckerModels() {
  const source = useEngine((s) => s.source);
  const nliModelId = useSetting('nliModelId');
  const embeddingModelId = useSetting('embeddingModelId');
  const state = useChecker((s) => s.status.state);
  const notify = useUi((s) => s.notify);
  const [cached, setCached] = useState<{ nli: boolean; embedding: boolean } | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!nliModelId || !embeddingModelId) return;
    let live = true;
    void Promise.all([
      isTransformersModelCached(nliModelId, source).catch(() => false),
      isTransformersModelCached(embeddingModelId, source).catch(() => false),
    ]).then(([nli, embedding]) => live && setCached({ nli, embedding }));
    return () => {
      live = false;
    };
  }, [source, nliModelId, embeddingModelId, state, tick]);
  const remove = useCallback(async () => {
    if (!nliModelId || !embeddingModelId) return;
    await useChecker.getState().unload();
    await Promise.all([deleteTransformersModel(nliModelId, source), deleteTransformersModel(embeddingModelId, source)]);
    notify({ kind: 'success', title: 'Checker models deleted from this browser' });
    setTick((t) => t + 1);
  }, [nliModelId, embeddingModelId, source, notify]);
  const save = useCallback(
    async (patch: Partial<Omit<CheckerSettings, 'enabled'>>) => {
      try {
        await saveCheckerSettings(patch);
        return true;
      } catch (e) {
        notify({ kind: 'error', title: 'Could not save the checker settings', detail: e instanceof Error ? e.message : String(e) });
        return false;
      }
    },
    [notify],
  );
  return { cached, remove, save, nliModelId, embeddingModelId };
}

/**
 * The offer to continue on the CPU engine after the GPU engine failed to load
 * or lost its device (null when there is nothing to offer), and the one click.
 */
export function useCpuFallbackOffer() {
  const lastError = useEngine((s) => s.lastError);
  const statusError = useEngine((s) => (s.status.state === 'error' ? s.status.error : null));
  const kind = useEngine((s) => s.engine?.kind ?? null);
  const error = statusError ?? lastError;
  // offerCpuFallback reads the engine kind; `kind` keeps this in step with it.
  return useMemo(() => (error && kind === 'webllm' ? offerCpuFallback(error) : null), [error, kind]);
}
