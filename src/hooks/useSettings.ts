import { useLiveQuery } from 'dexie-react-hooks';
import { repos, type SettingKey, type SettingsShape } from '../db';

export const SETTING_DEFAULTS: SettingsShape = {
  theme: 'system',
  guideDismissed: false,
  samplesSeeded: false,
  userName: 'You',
  enginePreference: 'auto',
  modelBaseUrl: '',
  chatModelId: '',
  fallbackModelId: '',
  checkerEnabled: true,
  contradictionThreshold: 0.5,
  nliModelId: 'Xenova/nli-deberta-v3-xsmall',
  embeddingModelId: 'Xenova/all-MiniLM-L6-v2',
  checkerDevice: 'auto',
};

/** A setting with its default; null while loading. */
export function useSetting<K extends SettingKey>(key: K): SettingsShape[K] | null {
  return useLiveQuery(async () => (await repos.settings.get(key)) ?? SETTING_DEFAULTS[key], [key], null);
}

export function setSetting<K extends SettingKey>(key: K, value: SettingsShape[K]): Promise<void> {
  return repos.settings.set(key, value);
}
