/**
 * The token estimate corrected by what a server reports.
 *
 * `estimateTokens` is tuned for the catalog's tokenizers (±25%); a server can
 * run any model, with any tokenizer and chat template (a small-vocabulary
 * model can take twice the estimate). Its `usage.prompt_tokens` says what the
 * last prompt really cost, so the next prompt is budgeted with the ratio
 * real ÷ estimated of the last one: a long chat is trimmed to what fits the
 * server's context, not to what the estimate thinks fits.
 */
import { MESSAGE_OVERHEAD_TOKENS } from './assemble';

/** Prompts smaller than this (estimated tokens) say too little about a tokenizer to calibrate on. */
export const MIN_CALIBRATION_TOKENS = 64;
/** The ratio is kept within these bounds: a usage count outside them is a server quirk, not a tokenizer. */
export const CALIBRATION_BOUNDS = { min: 0.5, max: 4 } as const;

/** A token counter and per-message overhead for {@link assemblePrompt}, scaled by a ratio. */
export interface CalibratedCounting {
  countTokens: (text: string) => number;
  messageOverheadTokens: number;
  /** The ratio applied (1 = the plain estimate). */
  ratio: number;
}

/**
 * `estimate` scaled by `ratio` (rounded up), with the per-message overhead
 * scaled alike; the plain estimate at 1. Every view that must agree with a
 * calibrated prompt (the chat's context line) counts with this.
 */
export function scaledCounting(ratio: number, estimate: (text: string) => number): CalibratedCounting {
  if (ratio === 1 || !Number.isFinite(ratio) || ratio <= 0) return { countTokens: estimate, messageOverheadTokens: MESSAGE_OVERHEAD_TOKENS, ratio: 1 };
  return {
    countTokens: (text) => Math.ceil(estimate(text) * ratio),
    messageOverheadTokens: Math.ceil(MESSAGE_OVERHEAD_TOKENS * ratio),
    ratio,
  };
}

/**
 * Ratios of real to estimated prompt tokens, one per model (key: whatever
 * names a model and its tokenizer, e.g. engine kind + model id).
 */
export class TokenCalibration {
  private readonly ratios = new Map<string, number>();
  private readonly listeners = new Set<() => void>();

  /**
   * Calls `listener` whenever a ratio changes (a view that counts with it
   * redraws). An arrow property, so it can be passed on unbound.
   * @returns unsubscribe.
   */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /**
   * Records what a prompt really cost. Ignored when either count is not a
   * usable number or the prompt is too small to tell.
   * @param counted the prompt's token count as assembled (AssembledPrompt.tokenCount)
   * @param real the server's `usage.prompt_tokens` for that prompt
   * @param ratioUsed the ratio `counted` was made with ({@link CalibratedCounting.ratio})
   */
  observe(key: string, counted: number, real: number, ratioUsed = 1): void {
    const estimated = counted / ratioUsed;
    if (!Number.isFinite(estimated) || !Number.isFinite(real) || estimated < MIN_CALIBRATION_TOKENS || real <= 0) return;
    const ratio = Math.min(CALIBRATION_BOUNDS.max, Math.max(CALIBRATION_BOUNDS.min, real / estimated));
    if (this.ratios.get(key) === ratio) return;
    this.ratios.set(key, ratio);
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // A view that fails to redraw must not break the turn that observed the ratio.
      }
    }
  }

  /** The last ratio for `key`, 1 when none was observed. */
  ratio(key: string): number {
    return this.ratios.get(key) ?? 1;
  }

  /** Counting for the next prompt of `key`: `estimate` scaled by the last ratio (rounded up). */
  counting(key: string, estimate: (text: string) => number): CalibratedCounting {
    return scaledCounting(this.ratio(key), estimate);
  }
}
