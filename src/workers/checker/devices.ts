/**
 * Device 'auto': which onnxruntime backend the checker runs on. Without a
 * WebGPU adapter, wasm. With one, and no earlier measurement for this model ×
 * dtypes × adapter × threads in `knownDecisions`, the NLI model is timed on
 * both devices (measureDevices) and the faster wins by WEBGPU_MIN_SPEEDUP.
 * The pure parts (decision key, margin, wording) live in
 * domain/models/deviceChoice.ts; loading the candidates is load.ts.
 */
import type { OnnxDevice, OnnxDtype } from '../../domain/models/catalog';
import {
  deviceDecisionKey,
  fasterDevice,
  formatPairsPerSecond,
  isDeviceDecision,
  median,
  WEBGPU_MIN_SPEEDUP,
  type DeviceDecision,
} from '../../domain/models/deviceChoice';
import type { CheckerLoadRequest, NliPair } from '../../protocol/checker';
import type { CheckerRuntime, NliSession } from './runtime';

/**
 * The batch device 'auto' times on each device: persona statements against
 * reply sentences of the lengths the checker sees (~15–45 tokens a pair), in
 * one padded call. 8 pairs: big enough that a GPU's batching counts, small
 * enough that wasm runs it in ~0.3 s on the default model (~25 pairs/s, NOTES.md).
 */
export const MEASURE_PAIRS: readonly NliPair[] = [
  { premise: 'Maren is afraid of deep water.', hypothesis: 'Maren stays far away from the deep water, as always.' },
  { premise: 'He has worked as a blacksmith in the northern village for twenty years.', hypothesis: 'I have never held a hammer in my life, to be honest with you.' },
  { premise: 'She speaks softly and rarely raises her voice.', hypothesis: '"Get out of my house!" she shouted at the top of her lungs.' },
  { premise: 'The knight is fiercely loyal to the queen and would die for her.', hypothesis: 'He smiles and bows low before the throne.' },
  { premise: 'Aria has amber eyes and long silver hair.', hypothesis: 'Her green eyes sparkle in the light of the fire as she laughs.' },
  { premise: 'They grew up together in a small fishing town by the sea.', hypothesis: 'We met for the first time at the academy last winter.' },
  { premise: 'Seraphina is a healer who protects the forest glade.', hypothesis: 'She kneels beside the wounded traveller and presses a glowing hand to his side.' },
  { premise: 'He hates the cold and never leaves the house in winter.', hypothesis: 'Snow crunches under his boots as he walks to the market before dawn.' },
];

/**
 * The single pair WebGPU is first timed on, shorter than every pair of
 * MEASURE_PAIRS: a padded batch of those then costs at least as much as this
 * pair, which is what makes measureDevices' early stop sound. Short, because a
 * slow device spends its time here.
 */
export const MEASURE_PROBE_PAIR: NliPair = { premise: 'They love music.', hypothesis: 'They hate songs.' };

/** Timed runs of MEASURE_PAIRS per device after one untimed run; the median counts. */
export const MEASURE_REPS = 3;

/**
 * Cap on the timed WebGPU batch runs (after the first one, which always
 * counts). A slow GPU rarely gets that far: see measureDevices' early stop.
 */
export const MEASURE_WEBGPU_BUDGET_MS = 1_500;

/** Decided (forced, no adapter, or measured before with this key), or to be measured on `adapter`. */
export type DevicePlan = { kind: 'decided'; decision: DeviceDecision } | { kind: 'measure'; adapter: string; key: string };

/**
 * Forced device, no adapter, or an earlier measurement with this key: decided.
 * Else: measure. A failing adapter query counts as no adapter.
 */
export async function planDevice(
  runtime: CheckerRuntime,
  request: CheckerLoadRequest,
  threads: number,
  dtypeFor: (device: OnnxDevice) => OnnxDtype,
): Promise<DevicePlan> {
  const unmeasured = { pairsPerSecond: {}, adapter: null, threads, key: null, cached: false } as const;
  if (request.device !== 'auto') {
    return { kind: 'decided', decision: { ...unmeasured, device: request.device, basis: 'forced', reason: 'chosen in the settings' } };
  }
  const adapter = await runtime.webgpuAdapter().catch(() => null);
  if (!adapter) {
    return { kind: 'decided', decision: { ...unmeasured, device: 'wasm', basis: 'no-adapter', reason: 'no WebGPU adapter' } };
  }
  const key = deviceDecisionKey({
    nliModelId: request.nliModelId,
    dtypes: { wasm: dtypeFor('wasm'), webgpu: dtypeFor('webgpu') },
    adapter,
    threads,
  });
  const known = request.knownDecisions?.find((d) => isDeviceDecision(d) && d.basis === 'measured' && d.key === key);
  if (known) return { kind: 'decided', decision: { ...known, cached: true } };
  return { kind: 'measure', adapter, key };
}

/** The decision when WebGPU could not load or run the checker: wasm, saying why. Never cached. */
export function webgpuFailed(
  error: unknown,
  adapter: string | null,
  threads: number,
  pairsPerSecond: DeviceDecision['pairsPerSecond'] = {},
): DeviceDecision {
  return {
    device: 'wasm',
    basis: 'webgpu-failed',
    reason: `WebGPU could not run the checker (${error instanceof Error ? error.message : String(error)})`,
    pairsPerSecond,
    adapter,
    threads,
    key: null,
    cached: false,
  };
}

/** The decision a measurement makes (a WebGPU error during it means wasm). */
export function measuredDecision(m: DeviceMeasurement, adapter: string, key: string, threads: number): DeviceDecision {
  const pps = m.pairsPerSecond;
  if (m.webgpuError !== undefined) return webgpuFailed(m.webgpuError, adapter, threads, { wasm: pps.wasm });
  return {
    device: fasterDevice(pps),
    basis: 'measured',
    reason:
      `measured: wasm ${formatPairsPerSecond(pps.wasm)} pairs/s, WebGPU ${formatPairsPerSecond(pps.webgpu)} pairs/s` +
      (m.webgpuStoppedEarly ? ' (WebGPU stopped after one pair: it could not win)' : ''),
    pairsPerSecond: pps,
    adapter,
    threads,
    key,
    cached: false,
    measuredAt: Date.now(),
  };
}

export interface DeviceMeasurement {
  /** NLI pairs/s on each device. WebGPU: NaN when it failed while running. */
  pairsPerSecond: Record<OnnxDevice, number>;
  /** True when WebGPU was stopped after one timed pair because it could not win. */
  webgpuStoppedEarly: boolean;
  /** What WebGPU threw, when it failed while running. */
  webgpuError?: unknown;
  /** NLI pairs run on each device, untimed runs included. */
  pairsRun: Record<OnnxDevice, number>;
}

/**
 * Times the same NLI model on wasm and WebGPU. Per device: untimed runs first
 * (wasm tier-up, GPU shader compilation), then the median of MEASURE_REPS runs
 * of MEASURE_PAIRS. Order and caps:
 * 1. wasm runs MEASURE_PAIRS once, untimed for the result; that (still cold,
 *    so slow) time is the reference for 2.
 * 2. WebGPU runs MEASURE_PROBE_PAIR cold, then timed. If that one pair took
 *    more than the reference / WEBGPU_MIN_SPEEDUP, WebGPU cannot win (a batch
 *    of longer pairs never takes less than one short pair), so it stops there
 *    with 1 pair / that time as its rate: a device ~100× slower (SwiftShader)
 *    costs two single-pair calls, not minutes. Otherwise one untimed batch,
 *    then up to MEASURE_REPS timed batches while under MEASURE_WEBGPU_BUDGET_MS.
 *    The cold call can't be capped: it compiles the GPU shaders, and stopping
 *    to wait for a call in flight would leave it running against the wasm
 *    runs (onnxruntime-web's asyncify build is not reentrant).
 * 3. wasm's timed runs come last, so its tier-up had the longest to work.
 * A WebGPU error is returned (the caller falls back to wasm); a wasm error is thrown.
 * @throws whatever the wasm session throws.
 */
export async function measureDevices(
  sessions: Readonly<Record<OnnxDevice, NliSession>>,
  clock: () => number,
  onStep: (fraction: number) => void = () => undefined,
): Promise<DeviceMeasurement> {
  const pairsRun: Record<OnnxDevice, number> = { wasm: 0, webgpu: 0 };
  const run = async (device: OnnxDevice, pairs: readonly NliPair[]): Promise<number> => {
    const t0 = clock();
    await sessions[device].logits(
      pairs.map((p) => p.premise),
      pairs.map((p) => p.hypothesis),
    );
    pairsRun[device] += pairs.length;
    // A clock can round a very fast call to 0 ms: count it as 1 µs.
    return Math.max(clock() - t0, 1e-3);
  };
  const rate = (pairs: number, ms: number) => (pairs * 1000) / ms;
  const one = [MEASURE_PROBE_PAIR];

  const referenceMs = await run('wasm', MEASURE_PAIRS);
  onStep(0.2);

  let webgpu = NaN;
  let webgpuStoppedEarly = false;
  let webgpuError: unknown;
  try {
    await run('webgpu', one);
    const oneMs = await run('webgpu', one);
    onStep(0.4);
    if (oneMs * WEBGPU_MIN_SPEEDUP > referenceMs) {
      webgpu = rate(1, oneMs);
      webgpuStoppedEarly = true;
    } else {
      await run('webgpu', MEASURE_PAIRS);
      const times: number[] = [];
      let spent = 0;
      while (times.length < MEASURE_REPS && (times.length === 0 || spent < MEASURE_WEBGPU_BUDGET_MS)) {
        const ms = await run('webgpu', MEASURE_PAIRS);
        times.push(ms);
        spent += ms;
      }
      webgpu = rate(MEASURE_PAIRS.length, median(times));
    }
  } catch (e) {
    webgpuError = e;
  }
  onStep(0.6);

  const times: number[] = [];
  for (let i = 0; i < MEASURE_REPS; i++) times.push(await run('wasm', MEASURE_PAIRS));
  onStep(1);
  return {
    pairsPerSecond: { wasm: rate(MEASURE_PAIRS.length, median(times)), webgpu },
    webgpuStoppedEarly,
    ...(webgpuError !== undefined ? { webgpuError } : {}),
    pairsRun,
  };
}
