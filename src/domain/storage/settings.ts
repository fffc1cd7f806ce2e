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
 * `secret: true` marks credentials (the server engine's API key): always
 * `guarded`, their values never shown, only "changed", and left out of a
 * backup unless the writer ticks "include secrets" (db/backup.ts).
 */
import { DEFAULT_EMBEDDING_MODEL_ID, DEFAULT_NLI_MODEL_ID } from '../models/catalog';
import * as v from 'valibot';
import { isDeviceDecision, type CheckerDevicePreference, type DeviceDecision } from '../models/deviceChoice';
import { describeIssues, describeValue } from './issues';
import { MAX_PERSONAS, MAX_PERSONA_DESCRIPTION_CHARS, MAX_PERSONA_NAME_CHARS, type UserPersona } from '../userPersona';

/** Every persisted setting, with its type. Add keys to SETTING_SPECS (below), never ad hoc. */
export interface SettingsShape {
  theme: 'light' | 'dark' | 'system';
  guideDismissed: boolean;
  samplesSeeded: boolean;
  userName: string;
  /** The user's personas (issue 13 §5); `userName` is who the user is without one. */
  personas: UserPersona[];
  /** The persona new chats and chats without their own use; '' = none (plain `userName`). */
  defaultPersonaId: string;
  /** Engine the user chose; 'auto' follows WebGPU detection; 'server' is the OpenAI-compatible server engine (opt-in). */
  enginePreference: 'auto' | 'webllm' | 'transformers' | 'server';
  /** Self-hosted model base URL; empty → Hugging Face. */
  modelBaseUrl: string;
  chatModelId: string;
  fallbackModelId: string;
  /** The OpenAI-compatible server's base URL (e.g. http://127.0.0.1:8080/v1); '' = none configured. */
  serverBaseUrl: string;
  /** Its API key ('' = none). A secret: kept in this browser, out of backups by default. */
  serverApiKey: string;
  /** The server's model to chat with. */
  serverModelId: string;
  /** The context window (tokens) prompts are fitted into on the server. */
  serverContextSize: number;
  /** Sampling fields only some servers take; each 0 = not sent. */
  serverSampling: ServerSamplingSetting;
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
  /** How the library sidebar is ordered. */
  librarySort: 'edited' | 'used' | 'name';
  /** Ids of starred characters, listed first in the library. */
  favouriteCharacters: string[];
}

/** Extra sampling for servers that take it (llama.cpp, vLLM, KoboldCpp); 0 = not sent. */
export interface ServerSamplingSetting {
  minP: number;
  topK: number;
  frequencyPenalty: number;
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

/** '' (no server) or an absolute http(s) URL without credentials: where prompts are sent. */
const serverUrl = v.pipe(
  v.string(),
  v.maxLength(2048),
  v.check((s) => {
    if (s === '') return true;
    try {
      const url = new URL(s.trim());
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
    } catch {
      return false;
    }
  }, 'expected an http(s) address'),
);

const serverSampling = v.object({
  minP: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  topK: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000)),
  frequencyPenalty: v.pipe(v.number(), v.minValue(-2), v.maxValue(2)),
});

const personaList = v.pipe(
  v.array(
    v.object({
      id: v.pipe(v.string(), v.nonEmpty(), v.maxLength(200)),
      name: v.pipe(v.string(), v.maxLength(MAX_PERSONA_NAME_CHARS)),
      description: v.pipe(v.string(), v.maxLength(MAX_PERSONA_DESCRIPTION_CHARS)),
    }),
  ),
  v.maxLength(MAX_PERSONAS),
  v.check((list) => new Set(list.map((p) => p.id)).size === list.length, 'two personas share an id'),
);

/** IMPORTANT: the persisted settings contract; a key's schema may widen, never narrow, without a migration. */
export const SETTING_SPECS: { [K in SettingKey]-?: SettingSpec<NonNullable<SettingsShape[K]>> } = {
  theme: spec(v.picklist(['light', 'dark', 'system']), 'Theme'),
  guideDismissed: spec(v.boolean(), 'First-run guide dismissed'),
  samplesSeeded: spec(v.boolean(), 'Sample characters added', 'never'),
  userName: spec(shortText, 'Your name'),
  personas: spec(personaList, 'Your personas'),
  defaultPersonaId: spec(v.pipe(v.string(), v.maxLength(200)), 'Default persona'),
  enginePreference: spec(v.picklist(['auto', 'webllm', 'transformers', 'server']), 'Engine'),
  modelBaseUrl: spec(baseUrl, 'Model source', 'guarded'),
  chatModelId: spec(shortText, 'Chat model (GPU)'),
  fallbackModelId: spec(shortText, 'Chat model (CPU)'),
  // Where prompts go: a backup may not redirect them without its own tick.
  serverBaseUrl: spec(serverUrl, 'Server address', 'guarded'),
  serverApiKey: spec(v.pipe(v.string(), v.maxLength(1024)), 'Server API key', 'guarded', true),
  serverModelId: spec(shortText, 'Server model'),
  serverContextSize: spec(v.pipe(v.number(), v.integer(), v.minValue(256), v.maxValue(2_000_000)), 'Server context size'),
  serverSampling: spec(serverSampling, 'Server extra sampling'),
  checkerEnabled: spec(v.boolean(), 'Consistency checker on'),
  contradictionThreshold: spec(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 'Contradiction threshold'),
  nliModelId: spec(shortText, 'Checker NLI model'),
  embeddingModelId: spec(shortText, 'Checker relevance model'),
  checkerDevice: spec(v.picklist(['auto', 'wasm', 'webgpu']), 'Checker device'),
  checkerDeviceDecisions: spec(v.array(v.custom<DeviceDecision>(isDeviceDecision)), 'Checker device measurements', 'never'),
  librarySort: spec(v.picklist(['edited', 'used', 'name']), 'Library order'),
  favouriteCharacters: spec(v.pipe(v.array(v.pipe(v.string(), v.maxLength(128))), v.maxLength(100_000)), 'Favourite characters'),
};

/** What a setting is until the user sets it. The one place defaults are written. */
export const SETTING_DEFAULTS: Readonly<Required<Omit<SettingsShape, 'checkerDeviceDecisions'>>> = Object.freeze({
  theme: 'system',
  guideDismissed: false,
  samplesSeeded: false,
  userName: 'You',
  personas: Object.freeze([]) as unknown as UserPersona[],
  defaultPersonaId: '',
  enginePreference: 'auto',
  modelBaseUrl: '',
  chatModelId: '',
  fallbackModelId: '',
  serverBaseUrl: '',
  serverApiKey: '',
  serverModelId: '',
  serverContextSize: 4096,
  serverSampling: Object.freeze({ minP: 0, topK: 0, frequencyPenalty: 0 }),
  checkerEnabled: true,
  contradictionThreshold: 0.5,
  nliModelId: DEFAULT_NLI_MODEL_ID,
  embeddingModelId: DEFAULT_EMBEDDING_MODEL_ID,
  checkerDevice: 'auto',
  librarySort: 'edited',
  favouriteCharacters: Object.freeze([]) as unknown as string[],
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
  if (key === 'serverBaseUrl' && value === '') return 'none';
  if (key === 'serverSampling' && typeof value === 'object' && value !== null) {
    const { minP, topK, frequencyPenalty } = value as ServerSamplingSetting;
    const set = [minP ? `min_p ${minP}` : '', topK ? `top_k ${topK}` : '', frequencyPenalty ? `frequency_penalty ${frequencyPenalty}` : ''].filter(Boolean);
    return set.length ? set.join(', ') : 'none';
  }
  if (key === 'personas' && Array.isArray(value)) {
    const names = (value as UserPersona[]).map((p) => p.name || '(unnamed)');
    return names.length === 0 ? 'none' : `${names.length}: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`;
  }
  if (key === 'defaultPersonaId' && value === '') return 'none (your name)';
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
    if (Object.is(from, to) || (typeof to === 'object' && to !== null && JSON.stringify(from) === JSON.stringify(to))) continue;
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
