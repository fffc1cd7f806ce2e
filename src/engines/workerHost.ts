/**
 * Owns one worker behind an RPC client: spawns it lazily, respawns it after a
 * crash or a forced stop, and implements "cancel twice" — the first
 * `interrupt()` asks in-flight calls to stop (their AbortSignal fires), the
 * second terminates the worker and rejects what is still pending.
 *
 * With `stall`, a worker that sends nothing at all for `timeoutMs` while calls
 * are pending is handled like a crash: pending calls reject with
 * WorkerStalledError, the worker is terminated (it may be spinning and holding
 * memory) and the next call spawns a fresh one.
 *
 * The UI never sees this; engines do.
 */
import { WorkerCrashedError } from '../protocol/errors';
import type { PayloadOf, ProgressOf, ResultOf, RpcEndpoint, RpcHandlers, RpcMethod } from '../protocol/rpc';
import { createRpcClient, type CallOptions, type RpcClient } from './rpcClient';
import type { StallOptions } from './stallWatchdog';

export interface WorkerLike extends RpcEndpoint {
  terminate(): void;
}

export interface WorkerHostOptions {
  /**
   * Called after the worker crashed or stalled (a WorkerStalledError); pending
   * calls are already rejected and the worker terminated.
   */
  onCrash?: (error: WorkerCrashedError) => void;
  /** Stall watchdog for every worker this host spawns; off when absent. */
  stall?: StallOptions;
}

export type InterruptOutcome = 'idle' | 'cancelled' | 'terminated';

export class WorkerHost<H extends RpcHandlers> {
  private worker: WorkerLike | null = null;
  private client: RpcClient<H> | null = null;
  private cancelRequested = false;
  private readonly factory: () => WorkerLike;
  private readonly options: WorkerHostOptions;

  constructor(factory: () => WorkerLike, options: WorkerHostOptions = {}) {
    this.factory = factory;
    this.options = options;
  }

  /** True while a worker exists (it may have no model loaded). */
  get alive(): boolean {
    return this.worker !== null;
  }

  get pendingCount(): number {
    return this.client?.pendingCount ?? 0;
  }

  call<M extends RpcMethod<H>>(
    method: M,
    payload: PayloadOf<H, M>,
    options?: CallOptions<ProgressOf<H, M>>,
  ): Promise<ResultOf<H, M>> {
    const client = this.ensure();
    const settled = () => {
      if (this.client === client && client.pendingCount === 0) this.cancelRequested = false;
    };
    const promise = client.call(method, payload, options);
    promise.then(settled, settled);
    return promise;
  }

  /**
   * First call: cooperative cancel of every in-flight call. Second call while
   * calls are still pending: terminate the worker; pending calls reject with
   * `reason()`. The next `call` spawns a fresh worker.
   */
  interrupt(reason: () => Error): InterruptOutcome {
    if (!this.client || this.client.pendingCount === 0) return 'idle';
    if (!this.cancelRequested) {
      this.cancelRequested = true;
      this.client.cancelAll();
      return 'cancelled';
    }
    this.terminate(reason());
    return 'terminated';
  }

  /** Kills the worker now; pending calls reject with `reason`. */
  terminate(reason: Error = new WorkerCrashedError('The worker was stopped.')): void {
    const worker = this.worker;
    const client = this.client;
    this.worker = null;
    this.client = null;
    this.cancelRequested = false;
    client?.dispose(reason);
    worker?.terminate();
  }

  private ensure(): RpcClient<H> {
    if (this.client) return this.client;
    const worker = this.factory();
    const client = createRpcClient<H>(worker, {
      stall: this.options.stall,
      onCrash: (error) => {
        // State inside the worker is unknown after an uncaught error, and a
        // stalled worker is dead or spinning: drop it either way.
        if (this.client === client) this.terminate(error);
        this.options.onCrash?.(error);
      },
    });
    this.worker = worker;
    this.client = client;
    return client;
  }
}
