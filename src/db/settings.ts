import { DEFAULT_EMBEDDING_MODEL_ID, DEFAULT_NLI_MODEL_ID } from '../domain/models/catalog';
import type { CheckerDevicePreference, DeviceDecision } from '../domain/models/deviceChoice';
import type { StudioDb } from './database';
import { guardWrite } from './errors';

/** Every persisted setting, with its type. Add keys here, never ad hoc. */
export interface SettingsShape {
  theme: 'light' | 'dark' | 'system';
  guideDismissed: boolean;
  samplesSeeded: boolean;
  userName: string;
  /** Engine the user chose; 'auto' follows WebGPU detection. */
  enginePreference: 'auto' | 'webllm' | 'transformers';
  /** Self-hosted model base URL; empty → Hugging Face. */
  modelBaseUrl: string;
  chatModelId: string;
  fallbackModelId: string;
  checkerEnabled: boolean;
  contradictionThreshold: number;
  nliModelId: string;
  embeddingModelId: string;
  /** 'auto' measures wasm against WebGPU once; a saved 'wasm' (the old default) stays an explicit choice. */
  checkerDevice: CheckerDevicePreference;
  /**
   * The checker's measured 'auto' decisions, newest first (services/checkerDevice.ts).
   * A cache, not a choice: optional, with no entry in SETTING_DEFAULTS.
   */
  checkerDeviceDecisions?: DeviceDecision[];
}

export type SettingKey = keyof SettingsShape;

/** What a setting is until the user sets it. The one place defaults are written. */
export const SETTING_DEFAULTS: Readonly<Required<Omit<SettingsShape, 'checkerDeviceDecisions'>>> = Object.freeze({
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
  nliModelId: DEFAULT_NLI_MODEL_ID,
  embeddingModelId: DEFAULT_EMBEDDING_MODEL_ID,
  checkerDevice: 'auto',
});

type Defaulted = keyof typeof SETTING_DEFAULTS;

export class SettingsRepository {
  constructor(private readonly db: StudioDb) {}

  async get<K extends SettingKey>(key: K): Promise<SettingsShape[K] | undefined> {
    const row = await this.db.settings.get(key);
    return row?.value as SettingsShape[K] | undefined;
  }

  /** The setting, or its default when it was never set. */
  async read<K extends Defaulted>(key: K): Promise<SettingsShape[K]> {
    return (await this.get(key)) ?? SETTING_DEFAULTS[key];
  }

  async set<K extends SettingKey>(key: K, value: SettingsShape[K]): Promise<void> {
    await guardWrite(() => this.db.settings.put({ key, value }));
  }

  /** Writes several settings in one transaction (all or none). */
  async setMany(values: Partial<SettingsShape>): Promise<void> {
    const rows = Object.entries(values).map(([key, value]) => ({ key, value }));
    await guardWrite(() => this.db.settings.bulkPut(rows));
  }

  async all(): Promise<Partial<SettingsShape>> {
    const rows = await this.db.settings.toArray();
    return Object.fromEntries(rows.map((r) => [r.key, r.value])) as Partial<SettingsShape>;
  }
}
