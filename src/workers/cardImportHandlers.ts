/**
 * Card import off the main thread: the handler map served by
 * cardImport.worker.ts. All the work is the pure domain parser
 * (`parseCardFile`: PNG chunk scan and CRCs, base64, UTF-8, JSON.parse,
 * lenient coercion); this file only reads the file and turns the expected
 * failures (CardParseError) into data, so their `reason` survives the trip
 * (the RPC's error channel carries only `{name, message}`).
 *
 * What comes back is still unvalidated card data: the caller sends it through
 * the same validation path as a main-thread parse before anything is stored.
 */
import { CardParseError, parseCardFile } from '../domain/cards';
import type { CardImportApi, CardImportOutcome, CardImportProgress, CardImportRequest } from '../protocol/cardImport';
import type { RpcContext } from '../protocol/rpc';

export const cardImportHandlers = {
  /**
   * Reads and parses one card or lorebook file.
   * @throws only on bugs (anything but CardParseError); those cross as RPC errors.
   */
  parseCardFile: async ({ name, file }: CardImportRequest, ctx: RpcContext<CardImportProgress>): Promise<CardImportOutcome> => {
    ctx.progress({ phase: 'reading', bytes: file.size });
    const bytes = new Uint8Array(await file.arrayBuffer());
    ctx.progress({ phase: 'parsing', bytes: bytes.length });
    try {
      return { ok: true, result: parseCardFile(name, bytes) };
    } catch (e) {
      if (e instanceof CardParseError) return { ok: false, reason: e.reason, message: e.message };
      throw e;
    }
  },
} satisfies CardImportApi;

/**
 * Buffers to transfer with a reply: the PNG image kept as the avatar (a fresh
 * buffer from `stripCardChunks`, never touched again in the worker) moves to
 * the main thread instead of being copied.
 */
export function cardImportTransferables(message: unknown): ArrayBuffer[] {
  if (!message || typeof message !== 'object' || (message as { kind?: unknown }).kind !== 'result') return [];
  const outcome = (message as { result?: CardImportOutcome }).result;
  if (!outcome?.ok || outcome.result.kind !== 'card' || !outcome.result.image) return [];
  const buffer = outcome.result.image.buffer;
  return buffer instanceof ArrayBuffer ? [buffer] : [];
}
