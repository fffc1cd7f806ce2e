/**
 * The app's one token calibration (domain/prompt/calibration.ts): a chat
 * turn on a server records what each prompt really cost into it, and the
 * views that must agree with that prompt — the chat's context line, the
 * summarizer's plan of what the next prompt drops — count with the same
 * ratio. No React, no stores.
 */
import { estimateTokens, TokenCalibration, scaledCounting, type CalibratedCounting } from '../domain/prompt';
import type { ChatEngine } from '../engines/ChatEngine';

/** Shared by the app's chat turns (chatTurn.ts), the context line and the summarizer. */
export const tokenCalibration = new TokenCalibration();

/**
 * Which ratio a prompt on `engine` running `modelId` is counted with: a
 * server's model (its tokenizer is unknown to the studio); null for the
 * in-browser engines, whose models are the catalog's that the estimate is tuned for.
 */
export function calibrationKey(engine: Pick<ChatEngine, 'kind'>, modelId: string | null): string | null {
  return engine.kind === 'server' ? `server:${modelId ?? ''}` : null;
}

/** The engine's loaded model, as calibration keys name it. */
export function engineModelId(engine: Pick<ChatEngine, 'status'>): string | null {
  return 'modelId' in engine.status ? (engine.status.modelId ?? null) : null;
}

/** The ratio prompts on `engine` are counted with now (1: the plain estimate). */
export function calibrationRatio(engine: Pick<ChatEngine, 'kind' | 'status'> | null | undefined, calibration: TokenCalibration = tokenCalibration): number {
  return engine ? ratioOf(engine.kind, engineModelId(engine), calibration) : 1;
}

/** The ratio for a model of an engine kind (what a view subscribed to the calibration reads). */
export function ratioOf(kind: ChatEngine['kind'], modelId: string | null, calibration: TokenCalibration = tokenCalibration): number {
  const key = calibrationKey({ kind }, modelId);
  return key ? calibration.ratio(key) : 1;
}

/** How prompts on `engine` are counted now: the estimate scaled by its ratio. */
export function countingFor(engine: Pick<ChatEngine, 'kind' | 'status'> | null | undefined, calibration: TokenCalibration = tokenCalibration): CalibratedCounting {
  return scaledCounting(calibrationRatio(engine, calibration), estimateTokens);
}
