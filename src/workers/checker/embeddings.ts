/**
 * Sentence embeddings: mean pooling + L2 normalisation of the embedding
 * model's token states, in length-sorted batches, and the transfer list that
 * moves the vectors to the main thread without copying them.
 */
import { EngineError } from '../../protocol/errors';
import { abortError, lengthSortedBatches } from './batches';
import type { EmbeddingSession, RawTensor } from './runtime';

/** Texts per embedding call (same reasoning as NLI_BATCH_SIZE; the embedding model is ~3× smaller). */
export const EMBED_BATCH_SIZE = 32;

/**
 * Mean over the unmasked tokens of each row, then L2-normalised (what
 * sentence-transformers' MiniLM does). Each vector owns its buffer, so it can
 * be transferred.
 * @throws {EngineError} when `hidden` is not `[batch, tokens, dim]`.
 */
export function meanPoolNormalize(hidden: RawTensor, mask: ArrayLike<number | bigint>): Float32Array[] {
  const [batch, tokens, dim] = hidden.dims as [number, number, number];
  if (hidden.dims.length !== 3) throw new EngineError(`Expected [batch, tokens, dim] hidden states, got [${hidden.dims.join(', ')}]`);
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const v = new Float32Array(dim);
    let count = 0;
    for (let t = 0; t < tokens; t++) {
      if (Number(mask[b * tokens + t]) === 0) continue;
      count++;
      const base = (b * tokens + t) * dim;
      for (let d = 0; d < dim; d++) v[d]! += hidden.data[base + d]!;
    }
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      v[d] = count > 0 ? v[d]! / count : 0;
      norm += v[d]! * v[d]!;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (let d = 0; d < dim; d++) v[d] = v[d]! / norm;
    out.push(v);
  }
  return out;
}

/**
 * Embeddings of `texts`, in input order, in length-sorted batches of
 * EMBED_BATCH_SIZE; an aborted `signal` stops between batches.
 * @throws an AbortError when cancelled; EngineError when the output has the wrong shape.
 */
export async function embedTexts(
  session: EmbeddingSession,
  texts: readonly string[],
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  const out = new Array<Float32Array>(texts.length);
  for (const batch of lengthSortedBatches(texts.length, (i) => texts[i]!.length, EMBED_BATCH_SIZE)) {
    if (signal?.aborted) throw abortError();
    const h = await session.hiddenStates(batch.map((i) => texts[i]!));
    if (h.dims[0] !== batch.length) {
      throw new EngineError(`Embedding output has shape [${h.dims.join(', ')}] for ${batch.length} texts`);
    }
    meanPoolNormalize(h, h.mask).forEach((v, row) => {
      out[batch[row]!] = v;
    });
  }
  return out;
}

/**
 * The buffers to transfer with a worker reply: every ArrayBuffer behind a
 * typed array in a result that is a typed array or an array of them (embed's
 * Float32Array[]). Deduplicated: listing a buffer twice throws DataCloneError.
 */
export function transferablesOf(message: unknown): ArrayBuffer[] {
  if (!message || typeof message !== 'object' || (message as { kind?: unknown }).kind !== 'result') return [];
  const result = (message as { result?: unknown }).result;
  const views = Array.isArray(result) ? result : [result];
  const buffers = new Set<ArrayBuffer>();
  for (const v of views) {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) buffers.add(v.buffer);
  }
  return [...buffers];
}
