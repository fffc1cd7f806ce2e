/** Named errors of the consistency checker's pure core, so callers can branch on the kind. */

/** A probability, similarity or option was out of range (NaN, negative, > 1, mismatched lengths). */
export class ConsistencyInputError extends RangeError {
  override name = 'ConsistencyInputError';
}
