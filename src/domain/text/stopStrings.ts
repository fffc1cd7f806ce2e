/**
 * Cuts a text stream at the first stop string, without ever emitting a stop
 * string (or part of one) to the reader: a tail that could be the beginning of
 * a stop string is held back until the next delta decides it.
 *
 * Pure, so both sides use it: the transformers.js chat worker, and WebLlmEngine
 * on the main thread (WebLLM passes a stop string's start through before it
 * trims it, so its deltas need the same filter).
 */
export class StopStringFilter {
  private readonly stops: string[];
  private held = '';
  private emitted = '';
  private done = false;

  constructor(stops: readonly string[]) {
    this.stops = [...new Set(stops.filter((s) => s.length > 0))];
  }

  /** Everything emitted so far (the reply text). */
  get text(): string {
    return this.emitted;
  }

  /** True once a stop string was seen. */
  get stopped(): boolean {
    return this.done;
  }

  /**
   * Feeds one delta.
   * @returns the text that is now safe to show, and whether a stop string ended the reply.
   */
  push(delta: string): { emit: string; stopped: boolean } {
    if (this.done) return { emit: '', stopped: true };
    const buffer = this.held + delta;
    let cut = -1;
    for (const stop of this.stops) {
      const at = buffer.indexOf(stop);
      if (at !== -1 && (cut === -1 || at < cut)) cut = at;
    }
    if (cut !== -1) {
      this.done = true;
      this.held = '';
      return { emit: this.take(buffer.slice(0, cut)), stopped: true };
    }
    const hold = this.longestPartialSuffix(buffer);
    this.held = buffer.slice(buffer.length - hold);
    return { emit: this.take(buffer.slice(0, buffer.length - hold)), stopped: false };
  }

  /** End of stream without a stop string: releases the held tail. */
  flush(): string {
    if (this.done) return '';
    const rest = this.held;
    this.held = '';
    return this.take(rest);
  }

  private take(text: string): string {
    this.emitted += text;
    return text;
  }

  /** Length of the longest suffix of `buffer` that is a proper prefix of a stop string. */
  private longestPartialSuffix(buffer: string): number {
    let best = 0;
    for (const stop of this.stops) {
      const max = Math.min(stop.length - 1, buffer.length);
      for (let k = max; k > best; k--) {
        if (buffer.endsWith(stop.slice(0, k))) {
          best = k;
          break;
        }
      }
    }
    return best;
  }
}
