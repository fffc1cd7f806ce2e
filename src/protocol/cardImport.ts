/**
 * The API of the card import worker (workers/cardImport.worker.ts), which
 * engines/CardImportClient.ts calls through the typed RPC for big card files.
 */
import type { CardParseReason, ImportResult } from '../domain/cards';
import type { RpcContext } from './rpc';

export interface CardImportRequest {
  /** For messages and lorebook names only; the format is sniffed from the bytes. */
  name: string;
  /** The picked file itself (a Blob crosses postMessage without copying its bytes). */
  file: Blob;
}

/** CardParseError crosses as data, so its `reason` survives (the RPC's error channel carries only name and message). */
export type CardImportOutcome = { ok: true; result: ImportResult } | { ok: false; reason: CardParseReason; message: string };

export type CardImportPhase = 'reading' | 'parsing';

export interface CardImportProgress {
  phase: CardImportPhase;
  bytes: number;
}

// A type alias, not an interface: the RPC's handler-map constraint needs an implicit index signature.
export type CardImportApi = {
  /**
   * Reads and parses one card or lorebook file.
   * @throws only on bugs (anything but CardParseError); those cross as RPC errors.
   */
  parseCardFile(request: CardImportRequest, ctx: RpcContext<CardImportProgress>): Promise<CardImportOutcome>;
};
