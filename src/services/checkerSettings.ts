/**
 * The checker's configuration. Settings (Dexie) are its only source: the
 * checker store reads it here when it loads, a chat turn when it starts, and
 * the Models page writes it here. Nothing keeps a second copy.
 */
import type { CheckerDevicePreference } from '../domain/models/deviceChoice';
import { repos, type SettingsRepository } from '../db';

export interface CheckerSettings {
  /** Load the checker by itself at start-up when its models are cached. */
  enabled: boolean;
  nliModelId: string;
  embeddingModelId: string;
  /** P(contradiction) at which a sentence is flagged. */
  threshold: number;
  device: CheckerDevicePreference;
}

/** Threshold bounds the Models page offers (a threshold of 0 or 1 would flag everything or nothing). */
export const THRESHOLD_RANGE = { min: 0.05, max: 0.95 } as const;

export async function readCheckerSettings(settings: SettingsRepository = repos.settings): Promise<CheckerSettings> {
  const [enabled, nliModelId, embeddingModelId, threshold, device] = await Promise.all([
    settings.read('checkerEnabled'),
    settings.read('nliModelId'),
    settings.read('embeddingModelId'),
    settings.read('contradictionThreshold'),
    settings.read('checkerDevice'),
  ]);
  return { enabled, nliModelId, embeddingModelId, threshold, device };
}

/**
 * Saves the Models page's checker form in one transaction. Empty model ids keep
 * the current ones; the threshold is clamped to THRESHOLD_RANGE.
 * @throws StorageFullError when the browser refuses the write.
 */
export async function saveCheckerSettings(
  patch: Partial<Omit<CheckerSettings, 'enabled'>>,
  settings: SettingsRepository = repos.settings,
): Promise<void> {
  const { min, max } = THRESHOLD_RANGE;
  await settings.setMany({
    ...(patch.nliModelId?.trim() ? { nliModelId: patch.nliModelId.trim() } : {}),
    ...(patch.embeddingModelId?.trim() ? { embeddingModelId: patch.embeddingModelId.trim() } : {}),
    ...(patch.threshold !== undefined && Number.isFinite(patch.threshold) ? { contradictionThreshold: Math.min(max, Math.max(min, patch.threshold)) } : {}),
    ...(patch.device ? { checkerDevice: patch.device } : {}),
  });
}
