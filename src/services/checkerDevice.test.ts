import { afterEach, describe, expect, it } from 'vitest';
import { getDb, repos } from '../db';
import type { DeviceDecision } from '../domain/models/deviceChoice';
import { settingsDeviceDecisionStore } from './checkerDevice';

const decision: DeviceDecision = {
  device: 'wasm',
  basis: 'measured',
  reason: 'measured: wasm 38 pairs/s, WebGPU 0.4 pairs/s',
  pairsPerSecond: { wasm: 38, webgpu: 0.4 },
  adapter: 'google/swiftshader',
  threads: 2,
  key: 'checker-device/v1|nli|wasm:q8,webgpu:fp32|google/swiftshader|2 threads',
  cached: false,
  measuredAt: 1,
};

afterEach(async () => {
  await repos.settings.set('checkerDeviceDecisions', []);
});

describe('settingsDeviceDecisionStore', () => {
  it('keeps decisions in the settings, one per key, newest first', async () => {
    expect(await settingsDeviceDecisionStore.list()).toEqual([]);
    await settingsDeviceDecisionStore.save(decision);
    await settingsDeviceDecisionStore.save({ ...decision, key: 'other', device: 'webgpu' });
    await settingsDeviceDecisionStore.save({ ...decision, pairsPerSecond: { wasm: 40, webgpu: 0.5 } });
    const list = await settingsDeviceDecisionStore.list();
    expect(list.map((d) => [d.key, d.pairsPerSecond.wasm])).toEqual([
      [decision.key, 40],
      ['other', 38],
    ]);
  });

  it('reads past junk (an old version or a hand-edited backup)', async () => {
    // Written past the settings schema, as an older version could have.
    await getDb().settings.put({ key: 'checkerDeviceDecisions', value: [decision, { device: 'cuda' }, 'x'] });
    expect(await settingsDeviceDecisionStore.list()).toEqual([decision]);
  });
});
