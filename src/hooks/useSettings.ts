import { useLiveQuery } from 'dexie-react-hooks';
import { repos, SETTING_DEFAULTS, type SettingKey, type SettingsShape } from '../db';

export { SETTING_DEFAULTS };


/** A setting with its default; null while loading. */
export function useSetting<K extends keyof typeof SETTING_DEFAULTS>(key: K): SettingsShape[K] | null {
  return useLiveQuery(() => repos.settings.read(key), [key], null);
}

export function setSetting<K extends SettingKey>(key: K, value: SettingsShape[K]): Promise<void> {
  return repos.settings.set(key, value);
}
