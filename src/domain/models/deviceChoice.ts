/**
 * Which device the consistency checker runs on, and why: the user's choice
 * ('wasm' / 'webgpu') or 'auto', decided in the checker worker by timing the
 * NLI model on both (see workers/checker/devices.ts). This file holds the pure
 * parts: the decision record, its cache key, the comparison and the plain-words
 * description the Models page shows.
 */
import type { OnnxDevice, OnnxDtype } from './catalog';

/** What the user picks under Models → Consistency checker. New installs default to 'auto'. */
export type CheckerDevicePreference = 'auto' | OnnxDevice;

export const CHECKER_DEVICE_PREFERENCES: readonly CheckerDevicePreference[] = ['auto', 'wasm', 'webgpu'];

/**
 * - `forced`: the user chose the device; nothing was measured.
 * - `no-adapter`: 'auto' without a WebGPU adapter in the worker; wasm, nothing measured.
 * - `measured`: 'auto' timed the NLI model on both devices (now or in an earlier load: `cached`).
 * - `webgpu-failed`: 'auto' tried WebGPU, it failed to load or run; wasm.
 */
export type DeviceChoiceBasis = 'forced' | 'no-adapter' | 'measured' | 'webgpu-failed';

export interface DeviceDecision {
  device: OnnxDevice;
  basis: DeviceChoiceBasis;
  /** Short plain words, e.g. "no WebGPU adapter", "measured: wasm 38 pairs/s, WebGPU 0.4 pairs/s". */
  reason: string;
  /** NLI pairs per second measured on each device; only what was measured. */
  pairsPerSecond: Partial<Record<OnnxDevice, number>>;
  /** The WebGPU adapter ("vendor/architecture"), null when there is none or it was not asked for. */
  adapter: string | null;
  /** onnxruntime-web wasm threads. */
  threads: number;
  /** Cache key (deviceDecisionKey) of a measured decision; null otherwise. */
  key: string | null;
  /** True when this load reused an earlier measurement instead of measuring. */
  cached: boolean;
  /** When it was measured (ms since the epoch). */
  measuredAt?: number;
}

/**
 * IMPORTANT: bump when the measurement changes (pairs, reps, margin), so
 * decisions measured the old way are measured again.
 */
export const DEVICE_MEASUREMENT_VERSION = 1;

/**
 * WebGPU is chosen only when it measured at least this many times faster. The
 * wasm rate is an underestimate right after loading (Chromium keeps optimising
 * wasm code for seconds, NOTES.md) and a GPU session costs video memory and
 * driver risk; a near tie therefore goes to wasm.
 */
export const WEBGPU_MIN_SPEEDUP = 1.2;

/** Decisions kept in the cache (one per model × dtype × adapter × threads). */
export const MAX_REMEMBERED_DECISIONS = 8;

export interface DeviceDecisionKeyParts {
  nliModelId: string;
  /** The dtype each candidate loads with (q8 on wasm, fp32 on webgpu unless forced). */
  dtypes: Readonly<Record<OnnxDevice, OnnxDtype>>;
  /** Adapter description, see DeviceDecision.adapter. */
  adapter: string;
  threads: number;
}

/** What a measurement depends on: the NLI model and its dtypes, the GPU adapter, the wasm threads. */
export function deviceDecisionKey(p: DeviceDecisionKeyParts): string {
  return [
    `checker-device/v${DEVICE_MEASUREMENT_VERSION}`,
    p.nliModelId,
    `wasm:${p.dtypes.wasm},webgpu:${p.dtypes.webgpu}`,
    p.adapter,
    `${p.threads} threads`,
  ].join('|');
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The faster device; WebGPU must beat wasm by WEBGPU_MIN_SPEEDUP. Unmeasurable (NaN, 0) loses. */
export function fasterDevice(pairsPerSecond: Readonly<Record<OnnxDevice, number>>): OnnxDevice {
  const { wasm, webgpu } = pairsPerSecond;
  if (!(webgpu > 0)) return 'wasm';
  if (!(wasm > 0)) return 'webgpu';
  return webgpu >= wasm * WEBGPU_MIN_SPEEDUP ? 'webgpu' : 'wasm';
}

/** A rate in pairs/s as people read it: 38, 4.2, 0.41, 0.004. */
export function formatPairsPerSecond(x: number): string {
  if (!Number.isFinite(x)) return '?';
  if (x >= 10) return String(Math.round(x));
  if (x >= 1) return x.toFixed(1).replace(/\.0$/, '');
  return String(Number(x.toPrecision(2)));
}

function deviceWords(d: DeviceDecision): string {
  return d.device === 'wasm'
    ? `CPU (wasm, ${d.threads} thread${d.threads === 1 ? '' : 's'})`
    : `GPU (WebGPU${d.adapter ? `, ${d.adapter}` : ''})`;
}

/**
 * The decision in plain words, e.g. "CPU (wasm, 2 threads) — measured 38
 * pairs/s vs 0.4 on WebGPU".
 */
export function describeDeviceDecision(d: DeviceDecision): string {
  const device = deviceWords(d);
  switch (d.basis) {
    case 'forced':
      return `${device} — chosen in the settings`;
    case 'no-adapter':
      return `${device} — this browser offers no WebGPU adapter`;
    case 'webgpu-failed':
      return `${device} — ${d.reason}`;
    case 'measured': {
      const other: OnnxDevice = d.device === 'wasm' ? 'webgpu' : 'wasm';
      const mine = d.pairsPerSecond[d.device];
      const theirs = d.pairsPerSecond[other];
      const when = d.cached ? 'measured earlier' : 'measured';
      if (mine === undefined || theirs === undefined) return `${device} — ${when}`;
      return `${device} — ${when}: ${formatPairsPerSecond(mine)} pairs/s vs ${formatPairsPerSecond(theirs)} on ${other === 'webgpu' ? 'WebGPU' : 'the CPU'}`;
    }
  }
}

/** A stored decision as read back (settings can come from an old version or a backup). */
export function isDeviceDecision(x: unknown): x is DeviceDecision {
  if (!x || typeof x !== 'object') return false;
  const d = x as Partial<DeviceDecision>;
  return (
    (d.device === 'wasm' || d.device === 'webgpu') &&
    typeof d.basis === 'string' &&
    typeof d.reason === 'string' &&
    typeof d.threads === 'number' &&
    (typeof d.key === 'string' || d.key === null) &&
    typeof d.pairsPerSecond === 'object' &&
    d.pairsPerSecond !== null
  );
}

/** The list to store after measuring `decision`: it replaces one with the same key, newest first, capped. */
export function rememberDecision(
  list: readonly DeviceDecision[],
  decision: DeviceDecision,
  max = MAX_REMEMBERED_DECISIONS,
): DeviceDecision[] {
  const stored: DeviceDecision = { ...decision, cached: false };
  return [stored, ...list.filter((d) => isDeviceDecision(d) && d.key !== decision.key)].slice(0, max);
}
