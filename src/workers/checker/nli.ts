/**
 * NLI scoring: which logits column is which label, softmax, and running
 * pairs through the cross-encoder in length-sorted batches.
 */
import type { NliLabelColumns, NliPair, NliProbs } from '../../protocol/checker';
import { EngineError, ModelLoadError } from '../../protocol/errors';
import { abortError, lengthSortedBatches } from './batches';
import type { NliSession } from './runtime';

/**
 * NLI pairs per model call. Pairs are sorted by length first, so a batch pads
 * to similar lengths. 16 keeps one call at ~0.6 s on the slowest measured
 * setup (~25 pairs/s, NOTES.md): cancellation and other queued work (the next
 * sentence, a relevance request) wait at most that long, while per-call
 * overhead stays amortised. A live sentence has ≤ 40 pairs (full APC) or ≤ 20
 * (pruned), i.e. 1–3 calls.
 */
export const NLI_BATCH_SIZE = 16;

/**
 * Finds the contradiction / entailment / neutral columns in `id2label`
 * (case-insensitive, e.g. `CONTRADICTION`, `entailment`).
 * @throws {ModelLoadError} (reason `unsupported`) when contradiction or entailment is missing.
 */
export function labelColumns(id2label: Readonly<Record<string, string>>): NliLabelColumns {
  const find = (name: string): number => {
    for (const [index, label] of Object.entries(id2label)) {
      if (label.trim().toLowerCase() === name) return Number(index);
    }
    return -1;
  };
  const out = { contradiction: find('contradiction'), entailment: find('entailment'), neutral: find('neutral') };
  if (out.contradiction < 0 || out.entailment < 0) {
    throw new ModelLoadError(`Not an NLI model: id2label is ${JSON.stringify(id2label)}`, {
      reason: 'unsupported',
      userMessage: 'This model is not an NLI (contradiction / entailment) model.',
    });
  }
  return out;
}

/** Softmax of one logits row, mapped to labels. */
export function nliProbsFromLogits(row: ArrayLike<number>, columns: NliLabelColumns): NliProbs {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]!);
  const exps: number[] = [];
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    const e = Math.exp(row[i]! - max);
    exps.push(e);
    sum += e;
  }
  const contradiction = exps[columns.contradiction]! / sum;
  const entailment = exps[columns.entailment]! / sum;
  const neutral = columns.neutral >= 0 ? exps[columns.neutral]! / sum : Math.max(0, 1 - contradiction - entailment);
  return { contradiction, entailment, neutral };
}

/**
 * NLI probabilities per pair, in input order, in length-sorted batches of
 * NLI_BATCH_SIZE; an aborted `signal` stops between batches.
 * @throws an AbortError when cancelled; EngineError when the logits have the wrong shape.
 */
export async function scoreNli(
  session: NliSession,
  columns: NliLabelColumns,
  pairs: readonly NliPair[],
  signal?: AbortSignal,
): Promise<NliProbs[]> {
  const out = new Array<NliProbs>(pairs.length);
  const batches = lengthSortedBatches(
    pairs.length,
    (i) => pairs[i]!.premise.length + pairs[i]!.hypothesis.length,
    NLI_BATCH_SIZE,
  );
  for (const batch of batches) {
    if (signal?.aborted) throw abortError();
    const logits = await session.logits(
      batch.map((i) => pairs[i]!.premise),
      batch.map((i) => pairs[i]!.hypothesis),
    );
    const [rows, cols] = logits.dims as [number, number];
    if (logits.dims.length !== 2 || rows !== batch.length) {
      throw new EngineError(`NLI logits have shape [${logits.dims.join(', ')}] for ${batch.length} pairs`);
    }
    batch.forEach((pairIndex, row) => {
      const slice = Array.from({ length: cols }, (_, c) => Number(logits.data[row * cols + c]));
      out[pairIndex] = nliProbsFromLogits(slice, columns);
    });
  }
  return out;
}
