import { useLiveQuery } from 'dexie-react-hooks';
import { repos, type SettingKey, type SettingsShape } from '../db';

export { SETTING_DEFAULTS } from '../domain/storage/settings';
import { SETTING_DEFAULTS } from '../domain/storage/settings';

/** A setting with its default; null while loading. */
export function useSetting<K extends SettingKey>(key: K): SettingsShape[K] | null {
  return useLiveQuery(async () => (await repos.settings.get(key)) ?? SETTING_DEFAULTS[key], [key], null);
}

export function setSetting<K extends SettingKey>(key: K, value: SettingsShape[K]): Promise<void> {
  return repos.settings.set(key, value);
}
