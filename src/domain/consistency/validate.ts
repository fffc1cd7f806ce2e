import { ConsistencyInputError } from './errors';

/**
 * Softmax and cosine outputs can overshoot their range by a rounding error;
 * anything beyond this is a caller bug, not float noise.
 */
const FLOAT_SLACK = 1e-9;

/**
 * Returns `x` clamped to [0, 1].
 * @throws {ConsistencyInputError} when `x` is not finite or is outside [0, 1] by more than float noise.
 */
export function checkProbability(name: string, x: number): number {
  if (!Number.isFinite(x) || x < -FLOAT_SLACK || x > 1 + FLOAT_SLACK) {
    throw new ConsistencyInputError(`${name} must be a probability in [0, 1], got ${x}`);
  }
  return Math.min(1, Math.max(0, x));
}

/** @throws {ConsistencyInputError} when `n` is not an integer ≥ `min`. */
export function checkInteger(name: string, n: number, min: number): number {
  if (!Number.isInteger(n) || n < min) {
    throw new ConsistencyInputError(`${name} must be an integer ≥ ${min}, got ${n}`);
  }
  return n;
}
