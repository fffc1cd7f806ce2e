import { SETTING_SPECS, isSettingKey, readSetting, type SettingKey, type SettingsShape } from '../domain/storage/settings';
import { assertValid } from '../domain/storage/issues';
import type { StudioDb } from './database';
import { guardWrite } from './errors';

// The settings table's contract (types, defaults, restore classes) is domain/storage/settings.ts.
export type { SettingKey, SettingsShape } from '../domain/storage/settings';

export class SettingsRepository {
  constructor(private readonly db: StudioDb) {}

  /** The stored value when it is valid for its key; undefined (→ the default) when absent or malformed. */
  async get<K extends SettingKey>(key: K): Promise<SettingsShape[K] | undefined> {
    const row = await this.db.settings.get(key);
    return row ? readSetting(key, row.value) : undefined;
  }

  /** @throws RecordInvalidError when `value` is not valid for `key`; StorageFullError. */
  async set<K extends SettingKey>(key: K, value: SettingsShape[K]): Promise<void> {
    const valid = assertValid(SETTING_SPECS[key].schema, value, `The setting “${key}”`);
    await guardWrite(() => this.db.settings.put({ key, value: valid }));
  }

  /** Every valid stored setting; unknown keys and malformed values are left out. */
  async all(): Promise<Partial<SettingsShape>> {
    const rows = await this.db.settings.toArray();
    const out: Partial<Record<SettingKey, unknown>> = {};
    for (const { key, value } of rows) {
      if (!isSettingKey(key)) continue;
      const valid = readSetting(key, value);
      if (valid !== undefined) out[key] = valid;
    }
    return out as Partial<SettingsShape>;
  }
}
