/**
 * Relevance r = P(statement is relevant to the user's turn), from the cosine
 * similarity of their sentence embeddings. The paper trains a relevance
 * discriminator; in the browser a small embedding model plus a calibration
 * curve is what fits, so this file owns that curve.
 */
import { ConsistencyInputError } from './errors';

/**
 * Cosine at which r = 0.5, for MiniLM-type embeddings (Xenova/all-MiniLM-L6-v2).
 * Unrelated sentence pairs sit around 0.0–0.2 and paraphrases at 0.6 and up;
 * a question and the fact that answers it ("What do you do for a living?" vs
 * "Aria is a blacksmith.") typically land in between, around 0.3–0.5, and
 * should count as relevant, so the midpoint sits at the low end of that band.
 */
export const RELEVANCE_MIDPOINT_COS = 0.35;

/**
 * Logistic temperature, in cosine units. 0.08 puts r ≈ 0.13 at cos 0.2
 * (top of the unrelated band), r ≈ 0.01 at cos 0, r ≈ 0.96 at cos 0.6.
 */
export const RELEVANCE_TEMPERATURE_COS = 0.08;

export interface RelevanceCalibration {
  /** Cosine where r = 0.5. */
  midpointCos: number;
  /** Width of the transition, in cosine units (> 0). */
  temperatureCos: number;
}

export const DEFAULT_RELEVANCE_CALIBRATION: Readonly<RelevanceCalibration> = Object.freeze({
  midpointCos: RELEVANCE_MIDPOINT_COS,
  temperatureCos: RELEVANCE_TEMPERATURE_COS,
});

/**
 * Starting points per embedding model. IMPORTANT: not measured here (the
 * weights can't be downloaded on the build machines); they follow the models'
 * published similarity ranges. bge-small-en-v1.5 squeezes cosines upwards
 * (unrelated pairs ≈ 0.4–0.6), so its curve sits higher and is narrower.
 * Tune with real pairs before trusting the absolute numbers.
 */
export const RELEVANCE_CALIBRATIONS: Readonly<Record<string, Readonly<RelevanceCalibration>>> = Object.freeze({
  'Xenova/all-MiniLM-L6-v2': DEFAULT_RELEVANCE_CALIBRATION,
  'Xenova/bge-small-en-v1.5': Object.freeze({ midpointCos: 0.68, temperatureCos: 0.05 }),
});

/** The calibration for an embedding model id, falling back to the MiniLM default. */
export function calibrationFor(embeddingModelId: string): Readonly<RelevanceCalibration> {
  return RELEVANCE_CALIBRATIONS[embeddingModelId] ?? DEFAULT_RELEVANCE_CALIBRATION;
}

/**
 * Cosine similarity of two vectors of the same length. A zero vector has no
 * direction, so its similarity to anything is 0 (irrelevant), not NaN.
 * @throws {ConsistencyInputError} when the lengths differ or a component is not finite.
 */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new ConsistencyInputError(`cosine of vectors of different lengths (${a.length} vs ${b.length})`);
  }
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (!Number.isFinite(dot) || !Number.isFinite(na) || !Number.isFinite(nb)) {
    throw new ConsistencyInputError('cosine of a vector with a non-finite component');
  }
  if (na === 0 || nb === 0) return 0;
  // Rounding can push |cos| a hair past 1 for parallel vectors.
  return Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
}

/**
 * r = 1 / (1 + exp(−(cos − c0) / T)), with cos clamped to [−1, 1] first so a
 * rounding error can't matter. Monotone increasing; 0.5 at c0.
 * @throws {ConsistencyInputError} when cos is NaN or the temperature is not > 0.
 */
export function relevanceFromCosine(
  cos: number,
  calibration: Readonly<RelevanceCalibration> = DEFAULT_RELEVANCE_CALIBRATION,
): number {
  if (Number.isNaN(cos)) throw new ConsistencyInputError('cosine is NaN');
  const { midpointCos, temperatureCos } = calibration;
  if (!(temperatureCos > 0) || !Number.isFinite(temperatureCos) || !Number.isFinite(midpointCos)) {
    throw new ConsistencyInputError(`bad relevance calibration ${midpointCos}/${temperatureCos}`);
  }
  const c = Math.max(-1, Math.min(1, cos));
  const r = 1 / (1 + Math.exp(-(c - midpointCos) / temperatureCos));
  return Math.max(0, Math.min(1, r));
}

/** A knot of a piecewise-linear calibration: at cosine `cos`, relevance `r`. */
export type CalibrationKnot = readonly [cos: number, r: number];

/**
 * Piecewise-linear alternative for calibrations fitted from labelled pairs
 * (e.g. isotonic regression). Linear between knots, flat beyond the ends.
 * @throws {ConsistencyInputError} when there are no knots, the cosines are not
 * strictly increasing, r is not a probability or not non-decreasing (a
 * relevance curve must be monotone), or cos is NaN.
 */
export function relevancePiecewise(cos: number, knots: readonly CalibrationKnot[]): number {
  if (Number.isNaN(cos)) throw new ConsistencyInputError('cosine is NaN');
  if (knots.length === 0) throw new ConsistencyInputError('piecewise calibration needs at least one knot');
  for (let i = 0; i < knots.length; i++) {
    const [c, r] = knots[i]!;
    if (!Number.isFinite(c) || !(r >= 0 && r <= 1)) {
      throw new ConsistencyInputError(`bad calibration knot (${c}, ${r})`);
    }
    if (i > 0) {
      const [pc, pr] = knots[i - 1]!;
      if (!(c > pc) || r < pr) throw new ConsistencyInputError('calibration knots must be increasing in cos and non-decreasing in r');
    }
  }
  const first = knots[0]!;
  const last = knots[knots.length - 1]!;
  if (cos <= first[0]) return first[1];
  if (cos >= last[0]) return last[1];
  for (let i = 1; i < knots.length; i++) {
    const [c1, r1] = knots[i]!;
    if (cos <= c1) {
      const [c0, r0] = knots[i - 1]!;
      return r0 + ((r1 - r0) * (cos - c0)) / (c1 - c0);
    }
  }
  return last[1];
}

/**
 * The story so far as context for relevance (issue 13 §4). APC's r(s) is
 * P(statement s is relevant to the user's turn). In a long chat the turn
 * often points back at events that only the "Story so far" summary still
 * holds ("Did you keep your promise?"), so r is also judged against the end
 * of that summary, discounted:
 *
 *   r(s) = max(r(s, turn), STORY_RELEVANCE_WEIGHT · r(s, story tail))
 *
 * The story can only add relevance — a statement the turn asks for stays as
 * relevant as the turn makes it — and on its own makes a statement at most
 * half relevant: enough to be planned for NLI among the top statements by r
 * (pruning.ts) and to count as kept when the reply shows it (≥
 * KEPT_MIN_RELEVANCE), while a reply that leaves it out loses at most half
 * of its APC_s. The summary is context only: never a premise, never a
 * hypothesis, never flagged (the checker scores reply sentences against
 * statements, nothing else).
 */
export const STORY_RELEVANCE_WEIGHT = 0.5;

/**
 * Characters of the story so far that relevance reads: its end, where the
 * events a turn is most likely to point back at are. An embedding of a whole
 * 4,000-character summary says little about any one event in it.
 */
export const STORY_TAIL_CHARS = 400;

/**
 * The last `maxChars` of `story`, from a sentence start when the cut falls
 * inside one ('' for no story). Linear.
 */
export function storyTail(story: string, maxChars: number = STORY_TAIL_CHARS): string {
  const text = story.trim();
  if (text.length <= maxChars) return text;
  const tail = text.slice(text.length - maxChars);
  // Start after the first sentence end or line break, when one leaves text to read.
  const boundary = /[.!?…]["'”’)\]]*\s+|\n+/.exec(tail);
  const start = boundary && boundary.index + boundary[0].length < tail.length ? boundary.index + boundary[0].length : 0;
  return tail.slice(start).trim();
}

/**
 * r per statement from the turn's and the story tail's (see
 * STORY_RELEVANCE_WEIGHT); the turn's alone when there is no story.
 */
export function relevanceWithStory(
  turn: ReadonlyMap<string, number>,
  story: ReadonlyMap<string, number> | null,
  weight: number = STORY_RELEVANCE_WEIGHT,
): Map<string, number> {
  const out = new Map(turn);
  if (!story) return out;
  for (const [id, r] of story) out.set(id, Math.max(out.get(id) ?? 0, weight * r));
  return out;
}
