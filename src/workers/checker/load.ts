/**
 * Loading the checker: files of both models download in parallel under one
 * bar (bytes summed across all files) → sessions are created (loading) →
 * with device 'auto' and a WebGPU adapter, both devices are measured and the
 * loser disposed (devices.ts) → warm-up (warming: a few NLI pairs and an
 * embedding, so Chromium's wasm tier-up happens before the first reply, see
 * NOTES.md) → loaded.
 *
 * While measuring, the NLI model also loads on WebGPU, in parallel with the
 * others; if WebGPU wins, the embedding model follows it. Every session a
 * failed load opened is closed.
 */
import type { OnnxDevice, OnnxDtype } from '../../domain/models/catalog';
import type { DeviceDecision } from '../../domain/models/deviceChoice';
import { defaultDtype, type CheckerLoadRequest, type CheckerLoadResult, type NliLabelColumns, type NliPair } from '../../protocol/checker';
import type { LoadProgress } from '../../protocol/loading';
import type { RpcContext } from '../../protocol/rpc';
import { LoadProgressAggregator } from '../loadProgress';
import { measureDevices, measuredDecision, planDevice, webgpuFailed, type DevicePlan } from './devices';
import { embedTexts } from './embeddings';
import { labelColumns, scoreNli } from './nli';
import type { CheckerRuntime, EmbeddingSession, NliSession, RuntimeModelRequest } from './runtime';

/** Warm-up NLI pairs, of varied lengths so more than one padded shape is seen. */
export const WARM_UP_PAIRS: readonly NliPair[] = [
  { premise: 'She is afraid of deep water.', hypothesis: 'She never goes near the sea.' },
  { premise: 'He has been a blacksmith in the northern village for twenty years.', hypothesis: 'I have never held a hammer in my life, to be honest with you.' },
  { premise: 'They love music.', hypothesis: 'They hate songs.' },
  { premise: 'The knight is loyal to the queen.', hypothesis: 'The weather is nice today.' },
];

/** Warm-up passes: the second runs after the first's tier-up has started. */
export const WARM_UP_ROUNDS = 2;

const PROGRESS_TEXTS = { downloading: 'Downloading checker models', loading: 'Preparing the checker models…' } as const;
const WARMING_TEXT = 'Warming up the checker…';
const MEASURING_TEXT = 'Measuring the checker on the CPU and on WebGPU…';

/** Both models, ready to score. */
export interface LoadedChecker {
  nli: NliSession;
  embedding: EmbeddingSession;
  columns: NliLabelColumns;
  result: CheckerLoadResult;
}

/**
 * Loads both models on the requested device — with 'auto', the one measured
 * faster — and warms them up. A remembered WebGPU choice that no longer loads
 * or runs (a new driver, a lost device) falls back to wasm rather than fail.
 * @throws {ModelLoadError} when the NLI model has no contradiction/entailment labels;
 *   whatever the runtime throws on download / session failures (the client classifies it).
 *   A WebGPU failure while choosing a device is not thrown: 'auto' falls back to wasm.
 */
export async function loadChecker(
  runtime: CheckerRuntime,
  request: CheckerLoadRequest,
  ctx: RpcContext<LoadProgress>,
  now: () => number,
): Promise<LoadedChecker> {
  const started = now();
  runtime.configure(request);
  const threads = runtime.threads();
  const dtypeFor = (device: OnnxDevice): OnnxDtype => request.dtype ?? defaultDtype(device);
  const plan = await planDevice(runtime, request, threads, dtypeFor);
  const load = (devicePlan: DevicePlan) => loadPlanned({ runtime, request, ctx, now, started, threads, dtypeFor }, devicePlan);
  try {
    return await load(plan);
  } catch (e) {
    if (plan.kind !== 'decided' || !plan.decision.cached || plan.decision.device !== 'webgpu') throw e;
    return load({ kind: 'decided', decision: webgpuFailed(e, plan.decision.adapter, threads) });
  }
}

interface LoadContext {
  runtime: CheckerRuntime;
  request: CheckerLoadRequest;
  ctx: RpcContext<LoadProgress>;
  now: () => number;
  started: number;
  threads: number;
  dtypeFor: (device: OnnxDevice) => OnnxDtype;
}

async function loadPlanned(c: LoadContext, devicePlan: DevicePlan): Promise<LoadedChecker> {
  const { runtime, request, ctx, now, threads, dtypeFor } = c;
  const measuring = devicePlan.kind === 'measure';
  const firstDevice: OnnxDevice = devicePlan.kind === 'decided' ? devicePlan.decision.device : 'wasm';
  const spec = (modelId: string, device: OnnxDevice): RuntimeModelRequest => ({
    modelId,
    source: request.source,
    device,
    dtype: dtypeFor(device),
  });
  const gpuKey = `${request.nliModelId} on WebGPU`;
  const aggregator = new LoadProgressAggregator(
    measuring ? [request.nliModelId, request.embeddingModelId, gpuKey] : [request.nliModelId, request.embeddingModelId],
    PROGRESS_TEXTS,
    (p) => ctx.progress(p),
  );
  const [nliResult, embedResult, gpuResult] = await Promise.allSettled([
    runtime.loadNli(spec(request.nliModelId, firstDevice), (info) => aggregator.handle(request.nliModelId, info)),
    runtime.loadEmbedding(spec(request.embeddingModelId, firstDevice), (info) => aggregator.handle(request.embeddingModelId, info)),
    // The WebGPU candidate downloads alongside the others, under the same bar.
    measuring
      ? runtime.loadNli(spec(request.nliModelId, 'webgpu'), (info) => aggregator.handle(gpuKey, info)).catch((e: unknown) => {
          aggregator.giveUp(gpuKey);
          throw e;
        })
      : Promise.resolve(null),
  ]);
  // Every session this load opened that is not kept or closed yet: closed on failure.
  const open = new Set<NliSession | EmbeddingSession>();
  for (const r of [nliResult, embedResult, gpuResult]) if (r.status === 'fulfilled' && r.value) open.add(r.value);
  const closeAll = () => Promise.allSettled([...open].map((s) => s.dispose()));
  const close = async (session: NliSession | EmbeddingSession) => {
    open.delete(session);
    await session.dispose().catch(() => undefined);
  };
  if (nliResult.status === 'rejected' || embedResult.status === 'rejected') {
    await closeAll();
    throw nliResult.status === 'rejected' ? nliResult.reason : (embedResult as PromiseRejectedResult).reason;
  }
  let nli = nliResult.value;
  let embedding = embedResult.value;
  try {
    const columns = labelColumns(nli.id2label);
    const warmStarted = now();
    // While measuring, the measurement is the first half of the warming bar.
    const warmFrom = measuring ? 0.5 : 0;
    ctx.progress({ phase: 'warming', progress: 0, text: measuring ? MEASURING_TEXT : WARMING_TEXT });
    let decision: DeviceDecision;
    if (devicePlan.kind === 'decided') {
      decision = devicePlan.decision;
    } else {
      const gpuNli = gpuResult.status === 'fulfilled' ? gpuResult.value : null;
      if (!gpuNli) {
        decision = webgpuFailed((gpuResult as PromiseRejectedResult).reason, devicePlan.adapter, threads);
      } else {
        const m = await measureDevices({ wasm: nli, webgpu: gpuNli }, now, (f) =>
          ctx.progress({ phase: 'warming', progress: f * warmFrom, text: MEASURING_TEXT }),
        );
        decision = measuredDecision(m, devicePlan.adapter, devicePlan.key, threads);
        if (decision.device === 'webgpu') {
          // The embedding model follows the NLI winner: same kind of encoder on
          // short texts, so the same device wins, and it runs a few texts per
          // turn (cached) against the NLI model's dozens of pairs per sentence;
          // measuring it too would double the time and downloads of a choice
          // the NLI numbers already make.
          ctx.progress({ phase: 'warming', progress: warmFrom, text: 'Loading the embedding model on WebGPU…' });
          try {
            const gpuEmbedding = await runtime.loadEmbedding(spec(request.embeddingModelId, 'webgpu'), () => undefined);
            open.add(gpuEmbedding);
            await close(nli);
            await close(embedding);
            nli = gpuNli;
            embedding = gpuEmbedding;
          } catch (e) {
            decision = webgpuFailed(e, devicePlan.adapter, threads, m.pairsPerSecond);
          }
        }
        if (decision.device === 'wasm') await close(gpuNli);
      }
    }
    const result: CheckerLoadResult = {
      nliModelId: request.nliModelId,
      embeddingModelId: request.embeddingModelId,
      device: decision.device,
      dtype: dtypeFor(decision.device),
      deviceDecision: decision,
      labelColumns: columns,
      embeddingDim: 0,
      threads,
      loadMs: 0,
      warmUpMs: 0,
    };
    // The embedding dimension comes from one real call, warm-up or not.
    const [probe] = await embedTexts(embedding, ['Warm-up sentence for the embedding model.']);
    result.embeddingDim = probe!.length;
    const rounds = request.warmUp === false ? 0 : WARM_UP_ROUNDS;
    for (let round = 0; round < rounds; round++) {
      await scoreNli(nli, columns, WARM_UP_PAIRS);
      if (round > 0) await embedTexts(embedding, WARM_UP_PAIRS.map((p) => p.premise));
      ctx.progress({ phase: 'warming', progress: warmFrom + ((1 - warmFrom) * (round + 1)) / rounds, text: WARMING_TEXT });
    }
    const end = now();
    result.warmUpMs = end - warmStarted;
    result.loadMs = end - c.started;
    return { nli, embedding, columns, result };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
