/**
 * Keeps the consistency checker's 'auto' device decisions in the settings, so
 * a machine measures wasm against WebGPU once per NLI model × dtypes ×
 * adapter × threads, not on every load (the key is built in the worker, see
 * domain/models/deviceChoice.ts). No React.
 */
import { repos } from '../db';
import { isDeviceDecision, rememberDecision, type DeviceDecision } from '../domain/models/deviceChoice';
import type { DeviceDecisionStore } from '../engines/CheckerClient';

const KEY = 'checkerDeviceDecisions';

async function read(): Promise<DeviceDecision[]> {
  const stored: unknown = await repos.settings.get(KEY);
  // Settings can come from a backup or an older version: keep what still parses.
  return Array.isArray(stored) ? stored.filter(isDeviceDecision) : [];
}

export const settingsDeviceDecisionStore: DeviceDecisionStore = {
  list: read,
  async save(decision) {
    await repos.settings.set(KEY, rememberDecision(await read(), decision));
  },
};
