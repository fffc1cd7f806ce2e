/**
 * The consistency checker worker's handler map (protocol/checker.ts's
 * CheckerApi), over an injected runtime (runtime.ts). It holds the loaded
 * models and runs every model call through one queue; the jobs themselves
 * live beside it: load.ts (download, device choice, warm-up), devices.ts
 * (device 'auto'), nli.ts (NLI scoring), embeddings.ts (embeddings).
 */
import type { CheckerApi } from '../../protocol/checker';
import { CheckerNotLoadedError } from '../../protocol/errors';
import { abortError } from './batches';
import { embedTexts } from './embeddings';
import { loadChecker, type LoadedChecker } from './load';
import { scoreNli } from './nli';
import { runtimeClock, type CheckerRuntime } from './runtime';

/** @returns the handlers checker.worker.ts serves; unit tests call them directly. */
export function createCheckerHandlers(runtime: CheckerRuntime): CheckerApi {
  const now = runtimeClock(runtime);
  let loaded: LoadedChecker | null = null;
  // onnxruntime runs one inference per session at a time; one queue for both
  // models keeps requests in arrival order (relevance first, then sentences).
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };
  const requireLoaded = (): LoadedChecker => {
    if (!loaded) throw new CheckerNotLoadedError();
    return loaded;
  };
  async function disposeLoaded(): Promise<void> {
    const old = loaded;
    loaded = null;
    if (!old) return;
    await Promise.allSettled([old.nli.dispose(), old.embedding.dispose()]);
  }

  return {
    /** Replaces any loaded pair; see loadChecker for what it throws. */
    load: (request, ctx) =>
      exclusive(async () => {
        await disposeLoaded();
        loaded = await loadChecker(runtime, request, ctx, now);
        return loaded.result;
      }),

    /** Pairs run in length-sorted batches; cancelling stops between batches. */
    nli: async ({ pairs }, ctx) => {
      const current = requireLoaded();
      return exclusive(async () => {
        if (ctx.signal.aborted) throw abortError();
        return scoreNli(current.nli, current.columns, pairs, ctx.signal);
      });
    },

    /** Each vector has its own buffer (the worker entry transfers them). */
    embed: async ({ texts }, ctx) => {
      const current = requireLoaded();
      return exclusive(async () => {
        if (ctx.signal.aborted) throw abortError();
        return embedTexts(current.embedding, texts, ctx.signal);
      });
    },

    unload: () => exclusive(disposeLoaded),

    status: async () => loaded?.result ?? null,
  };
}
