/**
 * The server engine's use-cases: its configuration (read from the settings
 * table, the one source), listing a server's models, and choosing one. No React.
 */
import { repos } from '../db';
import type { ServerSamplingSetting, SettingsShape } from '../domain/storage/settings';
import { SETTING_DEFAULTS } from '../domain/storage/settings';
import { listServerModels, type ServerConfig, type ServerModel } from '../engines/OpenAiEngine';
import { normalizeBaseUrl } from '../engines/openaiProtocol';

export type { ServerModel };

/** The server engine's configuration as stored. */
export function serverConfigFrom(s: Partial<SettingsShape>): ServerConfig {
  return {
    baseUrl: s.serverBaseUrl ?? SETTING_DEFAULTS.serverBaseUrl,
    apiKey: s.serverApiKey ?? SETTING_DEFAULTS.serverApiKey,
    contextSize: s.serverContextSize ?? SETTING_DEFAULTS.serverContextSize,
    extras: s.serverSampling ?? SETTING_DEFAULTS.serverSampling,
  };
}

export async function readServerConfig(): Promise<ServerConfig> {
  return serverConfigFrom(await repos.settings.all());
}

/**
 * What Connect shows: the server's models (empty when it has no list).
 * @throws the named ServerEngineError subclasses (engines/serverErrors.ts).
 */
export function connectToServer(baseUrl: string, apiKey: string, signal?: AbortSignal): Promise<ServerModel[]> {
  return listServerModels({ baseUrl, apiKey }, { signal });
}

export interface ServerChoice {
  baseUrl: string;
  apiKey: string;
  modelId: string;
  contextSize: number;
  sampling: ServerSamplingSetting;
}

/**
 * Stores the writer's server, model and sampling, and makes the server the
 * engine, in one transaction.
 * @throws ServerUrlError for a base URL that is not http(s); RecordInvalidError; StorageFullError.
 */
export async function saveServerChoice(choice: ServerChoice): Promise<ServerConfig> {
  normalizeBaseUrl(choice.baseUrl);
  await repos.settings.setMany({
    serverBaseUrl: choice.baseUrl.trim(),
    serverApiKey: choice.apiKey.trim(),
    serverModelId: choice.modelId.trim(),
    serverContextSize: choice.contextSize,
    serverSampling: choice.sampling,
    enginePreference: 'server',
  });
  return { baseUrl: choice.baseUrl.trim(), apiKey: choice.apiKey.trim(), contextSize: choice.contextSize, extras: choice.sampling };
}
