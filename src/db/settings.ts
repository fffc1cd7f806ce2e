import { follow } from './follow';
import { SETTING_DEFAULTS, SETTING_SPECS, isSettingKey, readSetting, type SettingKey, type SettingsShape } from '../domain/storage/settings';
import { assertValid } from '../domain/storage/issues';
import type { StudioDb } from './database';
import { guardWrite } from './errors';

// The settings table's contract (types, defaults, restore classes) is domain/storage/settings.ts.
export type { SettingKey, SettingsShape } from '../domain/storage/settings';
export { SETTING_DEFAULTS } from '../domain/storage/settings';

type Defaulted = keyof typeof SETTING_DEFAULTS;

export class SettingsRepository {
  constructor(private readonly db: StudioDb) {}

  /** The stored value when it is valid for its key; undefined (→ the default) when absent or malformed. */
  async get<K extends SettingKey>(key: K): Promise<SettingsShape[K] | undefined> {
    const row = await this.db.settings.get(key);
    return row ? readSetting(key, row.value) : undefined;
  }

  /** The setting, or its default when it was never set (or is malformed). */
  async read<K extends Defaulted>(key: K): Promise<SettingsShape[K]> {
    return (await this.get(key)) ?? SETTING_DEFAULTS[key];
  }

  /** @throws RecordInvalidError when `value` is not valid for `key`; StorageFullError. */
  async set<K extends SettingKey>(key: K, value: SettingsShape[K]): Promise<void> {
    const valid = assertValid(SETTING_SPECS[key].schema, value, `The setting “${key}”`);
    await guardWrite(() => this.db.settings.put({ key, value: valid }));
  }

  /** Writes several settings in one transaction (all or none). @throws RecordInvalidError when a value is not valid for its key; StorageFullError. */
  async setMany(values: Partial<SettingsShape>): Promise<void> {
    const rows = Object.entries(values).map(([key, value]) => {
      if (!isSettingKey(key)) throw new Error(`Unknown setting “${key}”.`);
      return { key, value: assertValid(SETTING_SPECS[key].schema, value, `The setting “${key}”`) };
    });
    await guardWrite(() => this.db.settings.bulkPut(rows));
  }

  /**
   * Follows settings: `listener` gets their values (defaults where unset) now
   * and after every change. For what must be at hand without a read (a chat
   * turn's request leaves before any IndexedDB round trip, issue 14).
   * @returns stop following.
   */
  watch<K extends Defaulted>(keys: readonly K[], listener: (values: Pick<SettingsShape, K>) => void, onError: (e: unknown) => void = () => undefined): () => void {
    const { db } = this;
    return follow(
      () =>
        db.settings.bulkGet([...keys]).then((rows) => {
        const out: Partial<Record<K, unknown>> = {};
        keys.forEach((key, i) => {
          const row = rows[i];
          out[key] = (row ? readSetting(key, row.value) : undefined) ?? SETTING_DEFAULTS[key];
        });
          return out as Pick<SettingsShape, K>;
        }),
      listener,
      onError,
    );
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
