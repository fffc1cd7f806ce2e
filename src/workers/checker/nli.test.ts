import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../protocol/errors';
import {
  STUB_LOAD_REQUEST as request,
  createStubRuntime,
  loadedStubHandlers as loaded,
  recordingContext as ctx,
  ruleLabel,
} from '../../test/stubCheckerRuntime';
import { lengthSortedBatches } from './batches';
import { createCheckerHandlers } from './handlers';
import { NLI_BATCH_SIZE, labelColumns, nliProbsFromLogits } from './nli';

describe('label mapping', () => {
  it('reads columns from id2label, case-insensitively, whatever the order', () => {
    expect(labelColumns({ 0: 'contradiction', 1: 'entailment', 2: 'neutral' })).toEqual({
      contradiction: 0,
      entailment: 1,
      neutral: 2,
    });
    expect(labelColumns({ 0: 'ENTAILMENT', 1: 'NEUTRAL', 2: 'CONTRADICTION' })).toEqual({
      contradiction: 2,
      entailment: 0,
      neutral: 1,
    });
    expect(labelColumns({ 0: 'entailment', 1: 'contradiction' })).toEqual({ contradiction: 1, entailment: 0, neutral: -1 });
  });

  it('rejects a model without NLI labels', () => {
    expect(() => labelColumns({ 0: 'LABEL_0', 1: 'LABEL_1' })).toThrow(ModelLoadError);
  });

  it('softmaxes a row into labelled probabilities', () => {
    const p = nliProbsFromLogits([3, -3, -3], { contradiction: 2, entailment: 0, neutral: 1 });
    expect(p.entailment).toBeCloseTo(Math.exp(6) / (Math.exp(6) + 2), 10);
    expect(p.contradiction).toBeCloseTo(1 / (Math.exp(6) + 2), 10);
    expect(p.contradiction + p.entailment + p.neutral).toBeCloseTo(1, 12);
    const two = nliProbsFromLogits([0, 0], { contradiction: 1, entailment: 0, neutral: -1 });
    expect(two).toEqual({ contradiction: 0.5, entailment: 0.5, neutral: 0 });
  });

  it('nli() maps a model whose labels are in an unusual order', async () => {
    // The stub's id2label is {0: ENTAILMENT, 1: NEUTRAL, 2: CONTRADICTION}.
    const { handlers, result } = await loaded();
    expect(result.labelColumns).toEqual({ contradiction: 2, entailment: 0, neutral: 1 });
    const [c, e, n] = await handlers.nli(
      {
        pairs: [
          { premise: 'Maren is afraid of deep water.', hypothesis: 'Maren is not afraid of deep water.' },
          { premise: 'Maren is afraid of deep water.', hypothesis: 'Maren stays away from the deep water.' },
          { premise: 'Maren is afraid of deep water.', hypothesis: 'The weather is nice today.' },
        ],
      },
      ctx(),
    );
    expect(c!.contradiction).toBeGreaterThan(0.99);
    expect(e!.entailment).toBeGreaterThan(0.99);
    expect(n!.neutral).toBeGreaterThan(0.99);
  });
});

describe('batching', () => {
  it('sorts by length, batches, and covers every index once', () => {
    const lengths = [5, 1, 4, 1, 3, 2];
    const batches = lengthSortedBatches(lengths.length, (i) => lengths[i]!, 4);
    expect(batches).toEqual([
      [1, 3, 5, 4],
      [2, 0],
    ]);
  });

  it('nli() keeps input order across length-sorted batches', async () => {
    const { handlers, runtime } = await loaded();
    const before = runtime.log.nliBatches.length;
    const pairs = Array.from({ length: 37 }, (_, i) => {
      const pad = ' really'.repeat((i * 7) % 11);
      // Every third pair is a contradiction; its position must survive sorting.
      return i % 3 === 0
        ? { premise: `She loves the sea${pad}.`, hypothesis: `She does not love the sea ${i}.` }
        : { premise: `She loves the sea${pad}.`, hypothesis: `The weather is nice ${i}.` };
    });
    const out = await handlers.nli({ pairs }, ctx());
    expect(out).toHaveLength(37);
    out.forEach((p, i) => {
      const want = ruleLabel(pairs[i]!.premise, pairs[i]!.hypothesis);
      expect(want).toBe(i % 3 === 0 ? 'contradiction' : 'neutral');
      expect(p[want]).toBeGreaterThan(0.99);
    });
    const batches = runtime.log.nliBatches.slice(before);
    expect(batches.map((b) => b.premises.length)).toEqual([NLI_BATCH_SIZE, NLI_BATCH_SIZE, 37 - 2 * NLI_BATCH_SIZE]);
    // Lengths never decrease across the batch sequence: padding is minimal.
    const lens = batches.flatMap((b) => b.premises.map((p, i) => p.length + b.hypotheses[i]!.length));
    expect([...lens].sort((a, b) => a - b)).toEqual(lens);
  });

  it('cancelling stops between batches with an AbortError', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The first batch is held until after the abort (warm-up is off, so it is the nli call's).
    const runtime = createStubRuntime({ nliGate: () => gate });
    const handlers = createCheckerHandlers(runtime);
    await handlers.load({ ...request, warmUp: false }, ctx());
    const controller = new AbortController();
    const pairs = Array.from({ length: 3 * NLI_BATCH_SIZE }, () => ({ premise: 'a sea', hypothesis: 'the sea' }));
    const p = handlers.nli({ pairs }, ctx(controller.signal));
    await new Promise((r) => setTimeout(r, 0));
    controller.abort();
    release();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(runtime.log.nliBatches.length).toBe(1);
  });
});
