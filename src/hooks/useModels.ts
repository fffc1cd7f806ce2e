import { useCallback, useEffect, useState } from 'react';
import { repos } from '../db';
import { customModelCached, deleteCachedModel, listModels, type ModelRow } from '../services/models';
import { sourceFromBaseUrl, useEngine } from '../stores/engine';
import { useUi } from '../stores/ui';
import type { EnginePreference } from '../engines/createEngine';
import { deleteTransformersModel, isTransformersModelCached } from '../engines/modelCache';
import { useChecker } from '../stores/checker';

export type { ModelRow };

/** Starts the engine (detection + preference + model source) once per page. */
export function useEngineInit(ready: boolean) {
  useEffect(() => {
    if (!ready) return;
    void (async () => {
      const s = await repos.settings.all();
      const source = sourceFromBaseUrl(s.modelBaseUrl ?? '');
      await useEngine.getState().init({ preference: s.enginePreference ?? 'auto', source });
      const checker = useChecker.getState();
      checker.configure({
        ...(s.nliModelId ? { nliModelId: s.nliModelId } : {}),
        ...(s.embeddingModelId ? { embeddingModelId: s.embeddingModelId } : {}),
        ...(s.contradictionThreshold ? { threshold: s.contradictionThreshold } : {}),
        ...(s.checkerDevice ? { device: s.checkerDevice } : {}),
      });
      // Only models already downloaded load by themselves: no surprise downloads.
      if (s.checkerEnabled !== false) await checker.loadIfCached(source);
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
      if (ok) await repos.settings.set(useEngine.getState().engine?.kind === 'webllm' ? 'chatModelId' : 'fallbackModelId', modelId).catch(() => undefined);
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
  const config = useChecker((s) => s.config);
  const state = useChecker((s) => s.status.state);
  const notify = useUi((s) => s.notify);
  const [cached, setCached] = useState<{ nli: boolean; embedding: boolean } | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    void Promise.all([
      isTransformersModelCached(config.nliModelId, source).catch(() => false),
      isTransformersModelCached(config.embeddingModelId, source).catch(() => false),
    ]).then(([nli, embedding]) => live && setCached({ nli, embedding }));
    return () => {
      live = false;
    };
  }, [source, config, state, tick]);
  const remove = useCallback(async () => {
    await useChecker.getState().unload();
    await Promise.all([deleteTransformersModel(config.nliModelId, source), deleteTransformersModel(config.embeddingModelId, source)]);
    notify({ kind: 'success', title: 'Checker models deleted from this browser' });
    setTick((t) => t + 1);
  }, [config, source, notify]);
  return { cached, remove };
}
