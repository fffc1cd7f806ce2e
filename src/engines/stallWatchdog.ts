/**
 * Notices a worker that silently stopped answering (killed by the browser,
 * hung in a loop, wedged driver) so a call does not wait forever.
 *
 * While work is pending the owner's `ping` runs every `pingEveryMs`, and every
 * message of any kind from the worker (pong, progress, result, error, a
 * foreign protocol's reply) is reported through `alive()`. When nothing at all
 * has arrived for `timeoutMs`, `stalled` runs once. No timer exists while
 * nothing is pending, so an idle app has no wake-ups.
 *
 * Silence is counted in timer ticks, not read from a clock: a laptop that
 * sleeps, a background tab whose timers the browser throttles (to once a
 * minute in Chrome after a while) or a clock change only slow the count down;
 * they never make a healthy worker look dead. The price is granularity: a
 * worker is declared stalled between `timeoutMs` and `timeoutMs + pingEveryMs`
 * after its last message (exactly `timeoutMs` after the work started if it
 * never sent anything), and later still in a throttled background tab.
 *
 * No wire format here: rpcClient.ts sends the pings (`ping`/`pong` of protocol/rpc.ts).
 */

export interface StallOptions {
  /** Ping interval while work is pending. */
  pingEveryMs: number;
  /** Silence (no message of any kind) after which the worker is declared stalled. */
  timeoutMs: number;
}

/**
 * Ping interval the engines use. A ping is one tiny message, sent only while a
 * call is pending; 5 s keeps a worker that is merely waiting (a download
 * between progress events) visibly alive and adds at most 5 s to the detection
 * time, which is small next to any timeout worth having (≥ 60 s).
 */
export const DEFAULT_PING_EVERY_MS = 5_000;

export interface StallWatchdogHooks {
  /** Sends one ping to the worker. */
  ping(): void;
  /** The worker sent nothing for `silentMs` (≥ timeoutMs) while work was pending. */
  stalled(silentMs: number): void;
}

export class StallWatchdog {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private silentMs = 0;
  private heard = false;
  private stopped = false;
  private readonly options: StallOptions;
  private readonly hooks: StallWatchdogHooks;
  /** The silence allowed now: options.timeoutMs unless a pending call asked for more. */
  private timeoutMs: number;

  constructor(options: StallOptions, hooks: StallWatchdogHooks) {
    if (!(options.pingEveryMs > 0) || !(options.timeoutMs > 0)) {
      throw new RangeError(`Stall watchdog needs positive intervals, got ${JSON.stringify(options)}.`);
    }
    this.options = options;
    this.hooks = hooks;
    this.timeoutMs = options.timeoutMs;
  }

  /**
   * Changes the silence allowed from now on (the owner raises it while a call
   * known to run long without a word is pending, and sets it back after).
   * Silence already counted still counts.
   * @throws RangeError when `ms` is not positive.
   */
  setTimeoutMs(ms: number): void {
    if (!(ms > 0)) throw new RangeError(`Stall timeout must be positive, got ${ms}.`);
    this.timeoutMs = ms;
  }

  /** Work is pending: start counting from zero. No-op while already running or after stop(). */
  start(): void {
    if (this.timer !== null || this.stopped) return;
    this.silentMs = 0;
    this.heard = false;
    this.schedule();
  }

  /** Nothing is pending: clears the timer until the next start(). */
  pause(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Any message from the worker. Only sets a flag: no timer churn per streamed token. */
  alive(): void {
    this.heard = true;
  }

  /** For good (the worker is gone or the connection closed). */
  stop(): void {
    this.stopped = true;
    this.pause();
  }

  private schedule(): void {
    const delay = Math.max(1, Math.min(this.options.pingEveryMs, this.timeoutMs - this.silentMs));
    this.timer = setTimeout(() => this.tick(delay), delay);
  }

  private tick(elapsed: number): void {
    this.timer = null;
    if (this.heard) {
      this.heard = false;
      this.silentMs = 0;
    } else {
      this.silentMs += elapsed;
    }
    if (this.silentMs >= this.timeoutMs) {
      // Whoever handles the stall decides what runs next (pending calls are
      // usually rejected, which pauses us; a new call starts a fresh count).
      this.hooks.stalled(this.silentMs);
      return;
    }
    this.hooks.ping();
    // Guard against hooks that re-entered start()/stop().
    if (!this.stopped && this.timer === null) this.schedule();
  }
}
