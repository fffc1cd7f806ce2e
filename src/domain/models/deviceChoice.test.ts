import { describe, expect, it } from 'vitest';
import {
  MAX_REMEMBERED_DECISIONS,
  WEBGPU_MIN_SPEEDUP,
  describeDeviceDecision,
  deviceDecisionKey,
  fasterDevice,
  formatPairsPerSecond,
  isDeviceDecision,
  median,
  rememberDecision,
  type DeviceDecision,
} from './deviceChoice';

const measured: DeviceDecision = {
  device: 'wasm',
  basis: 'measured',
  reason: 'measured: wasm 38 pairs/s, WebGPU 0.41 pairs/s',
  pairsPerSecond: { wasm: 38.2, webgpu: 0.41 },
  adapter: 'google/swiftshader',
  threads: 2,
  key: 'k1',
  cached: false,
};

describe('device choice', () => {
  it('keys a measurement by model, dtypes, adapter and threads', () => {
    const parts = { nliModelId: 'Xenova/nli-deberta-v3-xsmall', dtypes: { wasm: 'q8', webgpu: 'fp32' } as const, adapter: 'google/swiftshader', threads: 2 };
    const key = deviceDecisionKey(parts);
    expect(key).toContain('Xenova/nli-deberta-v3-xsmall');
    expect(key).toContain('google/swiftshader');
    for (const change of [{ nliModelId: 'x' }, { dtypes: { wasm: 'q8', webgpu: 'fp16' } as const }, { adapter: 'nvidia/ampere' }, { threads: 1 }]) {
      expect(deviceDecisionKey({ ...parts, ...change })).not.toBe(key);
    }
  });

  it('WebGPU must beat wasm by the margin; what could not be measured loses', () => {
    expect(fasterDevice({ wasm: 10, webgpu: 10 * WEBGPU_MIN_SPEEDUP })).toBe('webgpu');
    expect(fasterDevice({ wasm: 10, webgpu: 10 * WEBGPU_MIN_SPEEDUP - 0.01 })).toBe('wasm');
    expect(fasterDevice({ wasm: 10, webgpu: NaN })).toBe('wasm');
    expect(fasterDevice({ wasm: NaN, webgpu: 5 })).toBe('webgpu');
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('says what was chosen and why, in plain words', () => {
    expect(describeDeviceDecision(measured)).toBe('CPU (wasm, 2 threads) — measured: 38 pairs/s vs 0.41 on WebGPU');
    expect(describeDeviceDecision({ ...measured, cached: true })).toBe('CPU (wasm, 2 threads) — measured earlier: 38 pairs/s vs 0.41 on WebGPU');
    expect(describeDeviceDecision({ ...measured, device: 'webgpu', pairsPerSecond: { wasm: 38, webgpu: 120 } })).toBe(
      'GPU (WebGPU, google/swiftshader) — measured: 120 pairs/s vs 38 on the CPU',
    );
    expect(describeDeviceDecision({ ...measured, basis: 'no-adapter', threads: 1, adapter: null, pairsPerSecond: {} })).toBe(
      'CPU (wasm, 1 thread) — this browser offers no WebGPU adapter',
    );
    expect(describeDeviceDecision({ ...measured, basis: 'forced', device: 'webgpu', adapter: null })).toBe('GPU (WebGPU) — chosen in the settings');
    expect(describeDeviceDecision({ ...measured, basis: 'webgpu-failed', reason: 'WebGPU could not run the checker (device lost)' })).toBe(
      'CPU (wasm, 2 threads) — WebGPU could not run the checker (device lost)',
    );
    expect([1234.5, 38.2, 4.25, 4, 0.413, 0.0042].map(formatPairsPerSecond)).toEqual(['1235', '38', '4.3', '4', '0.41', '0.0042']);
  });

  it('remembers the newest decision per key, capped, dropping what no longer parses', () => {
    let list: DeviceDecision[] = [];
    for (let i = 0; i < MAX_REMEMBERED_DECISIONS + 3; i++) list = rememberDecision(list, { ...measured, key: `k${i}` });
    expect(list).toHaveLength(MAX_REMEMBERED_DECISIONS);
    expect(list[0]!.key).toBe(`k${MAX_REMEMBERED_DECISIONS + 2}`);
    const replaced = rememberDecision([...list, { nonsense: true } as unknown as DeviceDecision], { ...list[3]!, device: 'webgpu', cached: true });
    expect(replaced).toHaveLength(MAX_REMEMBERED_DECISIONS);
    expect(replaced[0]).toMatchObject({ key: list[3]!.key, device: 'webgpu', cached: false });
    expect(replaced.filter((d) => d.key === list[3]!.key)).toHaveLength(1);
    expect(isDeviceDecision(measured)).toBe(true);
    expect(isDeviceDecision({ ...measured, device: 'cuda' })).toBe(false);
    expect(isDeviceDecision(null)).toBe(false);
  });
});
