/**
 * Every persisted setting: its type (a schema), its default, its label, and
 * how far a backup may change it. Reads, writes and restores all go through
 * this table; a key that is not here is not a setting (dropped on restore).
 *
 * Restore classes:
 * - `offer`: listed in the restore summary with old → new values, applied
 *   only when ticked.
 * - `guarded`: changes where the studio loads code and data from (the model
 *   source) — listed apart, with its own explicit tick and a warning.
 * - `never`: state of this browser (measurements, first-run flags); a backup
 *   from another machine must not overwrite it.
 * `secret: true` marks credentials (API keys of server engines, none yet):
 * always `guarded`, and their values are never shown, only "changed".
 */
import { DEFAULT_EMBEDDING_MODEL_ID, DEFAULT_NLI_MODEL_ID } from '../models/catalog';
import * as v from 'valibot';
import { isDeviceDecision, type CheckerDevicePreference, type DeviceDecision } from '../models/deviceChoice';
import { describeIssues, describeValue } from './issues';

/** Every persisted setting, with its type. Add keys to SETTING_SPECS (below), never ad hoc. */
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
export type RestoreClass = 'offer' | 'guarded' | 'never';

export interface SettingSpec<T> {
  schema: v.GenericSchema<unknown, T>;
  label: string;
  restore: RestoreClass;
  secret: boolean;
}

const spec = <T>(schema: v.GenericSchema<unknown, T>, label: string, restore: RestoreClass = 'offer', secret = false): SettingSpec<T> => ({
  schema,
  label,
  restore: secret ? 'guarded' : restore,
  secret,
});

/**
 * '' (the default source), an http(s) URL, or a path on the studio's own site
 * (`./models/`). Never `javascript:`, `data:` or `blob:`.
 */
const baseUrl = v.pipe(
  v.string(),
  v.maxLength(2048),
  v.check((s) => {
    if (s === '') return true;
    try {
      const { protocol } = new URL(s.trim(), 'https://studio.invalid/');
      return protocol === 'https:' || protocol === 'http:';
    } catch {
      return false;
    }
  }, 'expected an http(s) address or a path'),
);
const shortText = v.pipe(v.string(), v.maxLength(512));

/** IMPORTANT: the persisted settings contract; a key's schema may widen, never narrow, without a migration. */
export const SETTING_SPECS: { [K in SettingKey]-?: SettingSpec<NonNullable<SettingsShape[K]>> } = {
  theme: spec(v.picklist(['light', 'dark', 'system']), 'Theme'),
  guideDismissed: spec(v.boolean(), 'First-run guide dismissed'),
  samplesSeeded: spec(v.boolean(), 'Sample characters added', 'never'),
  userName: spec(shortText, 'Your name'),
  enginePreference: spec(v.picklist(['auto', 'webllm', 'transformers']), 'Engine'),
  modelBaseUrl: spec(baseUrl, 'Model source', 'guarded'),
  chatModelId: spec(shortText, 'Chat model (GPU)'),
  fallbackModelId: spec(shortText, 'Chat model (CPU)'),
  checkerEnabled: spec(v.boolean(), 'Consistency checker on'),
  contradictionThreshold: spec(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 'Contradiction threshold'),
  nliModelId: spec(shortText, 'Checker NLI model'),
  embeddingModelId: spec(shortText, 'Checker relevance model'),
  checkerDevice: spec(v.picklist(['auto', 'wasm', 'webgpu']), 'Checker device'),
  checkerDeviceDecisions: spec(v.array(v.custom<DeviceDecision>(isDeviceDecision)), 'Checker device measurements', 'never'),
};

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

export function isSettingKey(key: unknown): key is SettingKey {
  return typeof key === 'string' && Object.hasOwn(SETTING_SPECS, key);
}

/**
 * A stored or incoming setting value, checked against its key's schema: the
 * value, or undefined when it is not valid (the caller falls back to the
 * default). Lists keep their valid items (measurements from an older version).
 */
export function readSetting<K extends SettingKey>(key: K, value: unknown): SettingsShape[K] | undefined {
  if (key === 'checkerDeviceDecisions') {
    return (Array.isArray(value) ? value.filter(isDeviceDecision) : undefined) as SettingsShape[K] | undefined;
  }
  const result = v.safeParse(SETTING_SPECS[key].schema, value);
  return result.success ? (result.output as SettingsShape[K]) : undefined;
}

/** Why a value is not valid for `key`, in words (for restore summaries). */
export function settingProblem(key: SettingKey, value: unknown): string | null {
  const result = v.safeParse(SETTING_SPECS[key].schema, value);
  return result.success ? null : describeIssues(result.issues, key).join('; ');
}

export interface SettingChange {
  key: SettingKey;
  label: string;
  /** For display: "Hugging Face (default)", "on", "“Ada”", or "hidden" for secrets. */
  from: string;
  to: string;
  /** The incoming value (already valid for the key). */
  value: unknown;
  restore: Exclude<RestoreClass, 'never'>;
  secret: boolean;
}

/** A setting value for people. */
export function formatSettingValue(key: SettingKey, value: unknown): string {
  return formatValue(SETTING_SPECS[key], key, value);
}

function formatValue(specOf: SettingSpec<unknown>, key: string, value: unknown): string {
  if (specOf.secret) return value ? 'set (hidden)' : 'not set';
  if (key === 'modelBaseUrl' && value === '') return 'Hugging Face (default)';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'string') return value === '' ? '(empty)' : `“${value.length > 120 ? `${value.slice(0, 120)}…` : value}”`;
  if (typeof value === 'number') return String(value);
  return describeValue(value);
}

export interface SettingsPlan {
  /** Settings a backup would change, in SETTING_SPECS order; none is applied unless chosen. */
  changes: SettingChange[];
  /** Incoming settings left out, with why (unknown key, wrong type). */
  ignored: string[];
}

/**
 * What restoring `incoming` settings could change in `current`: one entry per
 * offered or guarded key whose value differs (a missing current value counts
 * as its default). Keys of class `never` are skipped without a word; unknown
 * keys and invalid values are listed in `ignored`.
 */
export function planSettings(
  current: Readonly<Record<string, unknown>>,
  incoming: readonly { key: string; value: unknown }[],
  specs: Readonly<Record<string, SettingSpec<unknown>>> = SETTING_SPECS,
): SettingsPlan {
  const ignored: string[] = [];
  const latest = new Map<SettingKey, unknown>();
  for (const { key, value } of incoming) {
    const keySpec = Object.hasOwn(specs, key) ? specs[key] : undefined;
    if (!keySpec) {
      ignored.push(`unknown setting “${key.slice(0, 80)}”`);
      continue;
    }
    if (keySpec.restore === 'never') continue;
    const result = v.safeParse(keySpec.schema, value);
    if (result.success) latest.set(key as SettingKey, value);
    else ignored.push(describeIssues(result.issues, key).join('; '));
  }
  const changes: SettingChange[] = [];
  for (const key of Object.keys(specs) as SettingKey[]) {
    if (!latest.has(key)) continue;
    const specOf = specs[key]!;
    const to = latest.get(key);
    const stored = v.safeParse(specOf.schema, current[key]);
    const from = stored.success ? stored.output : (SETTING_DEFAULTS as unknown as Partial<Record<string, unknown>>)[key];
    if (Object.is(from, to)) continue;
    changes.push({
      key,
      label: specOf.label,
      from: formatValue(specOf, key, from),
      to: formatValue(specOf, key, to),
      value: to,
      restore: specOf.restore === 'guarded' ? 'guarded' : 'offer',
      secret: specOf.secret,
    });
  }
  return { changes, ignored };
}
