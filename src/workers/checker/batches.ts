/** What NLI scoring and embeddings share: length-sorted batches, and the error a cancelled batch loop throws. */

/** What a cancelled call rejects with. The name is what crosses the worker boundary (serializeError keeps it). */
export function abortError(): Error {
  const e = new Error('The check was cancelled.');
  e.name = 'AbortError';
  return e;
}

/**
 * Splits indices into batches of `batchSize`, after sorting by `length(i)`
 * (stable), so each padded batch holds similar lengths.
 */
export function lengthSortedBatches(count: number, length: (i: number) => number, batchSize: number): number[][] {
  const order = Array.from({ length: count }, (_, i) => i);
  const lengths = order.map(length);
  order.sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}
