/**
 * Main-thread client of the card import worker (workers/cardImport.worker.ts).
 *
 * A 14 MB PNG card (a 10 MB greeting) took 5.5 s of main-thread time to parse:
 * CRC over every chunk, base64 of the card chunk, JSON.parse, coercion. Files
 * from {@link OFF_THREAD_MIN_BYTES} up are parsed in a worker instead; smaller
 * ones (real cards are 0.3–5 MB PNGs, JSON cards a few KB) would pay more for
 * a worker start than they cost. The worker runs the same domain parser, so
 * the result is the same `ImportResult` either way, and it is terminated once
 * idle (nothing to keep between imports, and it may hold a big file's
 * strings). If the worker cannot run (no Worker, or it crashes), the file is
 * parsed here: slower, never lost.
 */
import { CardParseError, parseCardFile, type ImportResult } from '../domain/cards';
import type { CardImportApi, CardImportProgress } from '../protocol/cardImport';
import { WorkerHost, type WorkerLike } from './workerHost';
import { WorkerCrashedError } from './errors';

export type { CardImportProgress } from '../protocol/cardImport';

/**
 * Files this big or bigger go to the worker. The parse of a 5 MB PNG card
 * took 114 ms in Node here (load ~20, after the Latin-1 fix), so a 256 KB
 * file costs a few ms on the main thread: less than starting a module worker
 * is worth (its start-up was not measured separately).
 */
export const OFF_THREAD_MIN_BYTES = 256 * 1024;

export interface CardImportClientOptions {
  /** For tests: the worker to use (default: the real module worker). */
  createWorker?: () => WorkerLike;
  /** Smallest file parsed in the worker (default {@link OFF_THREAD_MIN_BYTES}). */
  minBytes?: number;
}

function defaultWorker(): WorkerLike {
  // IMPORTANT: keep this literal shape so Vite bundles the worker.
  return new Worker(new URL('../workers/cardImport.worker.ts', import.meta.url), { type: 'module' });
}

export class CardImportClient {
  private readonly host: WorkerHost<CardImportApi> | null;
  private readonly minBytes: number;

  constructor(options: CardImportClientOptions = {}) {
    const canSpawn = options.createWorker !== undefined || typeof Worker !== 'undefined';
    this.host = canSpawn ? new WorkerHost<CardImportApi>(options.createWorker ?? defaultWorker) : null;
    this.minBytes = options.minBytes ?? OFF_THREAD_MIN_BYTES;
  }

  /**
   * Parses a picked file (see `parseCardFile` in domain/cards): in the worker
   * when it is big, here otherwise.
   *
   * @throws {CardParseError} as `parseCardFile` (the reason survives the worker).
   */
  async parse(file: File, options: { onProgress?: (progress: CardImportProgress) => void } = {}): Promise<ImportResult> {
    if (!this.host || file.size < this.minBytes) return parseHere(file);
    const host = this.host;
    let outcome;
    try {
      outcome = await host.call('parseCardFile', { name: file.name, file }, { onProgress: options.onProgress });
    } catch (e) {
      if (e instanceof WorkerCrashedError) return parseHere(file);
      throw e;
    } finally {
      if (host.pendingCount === 0) host.terminate();
    }
    if (!outcome.ok) throw new CardParseError(outcome.reason, outcome.message);
    return outcome.result;
  }
}

async function parseHere(file: File): Promise<ImportResult> {
  return parseCardFile(file.name, new Uint8Array(await file.arrayBuffer()));
}

let shared: CardImportClient | null = null;

/** The app's client (one worker at most, spawned on demand). */
export function cardImportClient(): CardImportClient {
  shared ??= new CardImportClient();
  return shared;
}
