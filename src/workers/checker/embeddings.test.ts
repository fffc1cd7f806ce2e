import { describe, expect, it } from 'vitest';
import { loadedStubHandlers as loaded, recordingContext as ctx } from '../../test/stubCheckerRuntime';
import { EMBED_BATCH_SIZE, meanPoolNormalize, transferablesOf } from './embeddings';

describe('embeddings', () => {
  it('embed() mean-pools over unmasked tokens, normalises, keeps order across batches', async () => {
    const { handlers, runtime } = await loaded();
    const before = runtime.log.embedBatches.length;
    const texts = Array.from({ length: EMBED_BATCH_SIZE + 5 }, (_, i) =>
      i % 2 ? `amber eyes glow ${'softly '.repeat(i % 4)}` : 'deep water',
    );
    const out = await handlers.embed({ texts }, ctx());
    expect(runtime.log.embedBatches.length - before).toBe(2);
    expect(out).toHaveLength(texts.length);
    for (const v of out) expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    // Same text → same vector, whatever batch or padding it landed in.
    const water = out.filter((_, i) => i % 2 === 0);
    for (const v of water) expect([...v]).toEqual([...water[0]!]);
  });

  it('meanPoolNormalize ignores padded tokens', () => {
    // batch 2 × tokens 2 × dim 2; row 1's second token is padding with huge values.
    const data = new Float32Array([1, 0, 0, 1, 3, 4, 999, 999]);
    const mask = new BigInt64Array([1n, 1n, 1n, 0n]);
    const [a, b] = meanPoolNormalize({ data, dims: [2, 2, 2] }, mask);
    expect(a![0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(a![1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect([...b!].map((x) => Number(x.toFixed(6)))).toEqual([0.6, 0.8]);
  });
});

describe('transferablesOf', () => {
  it('lists each vector buffer of an embed result once, nothing for other messages', () => {
    const a = new Float32Array(4);
    const b = new Float32Array(4);
    const shared = new Float32Array(8);
    const msg = { kind: 'result', id: 1, result: [a, b, shared.subarray(0, 4), shared.subarray(4)] };
    expect(transferablesOf(msg)).toEqual([a.buffer, b.buffer, shared.buffer]);
    expect(transferablesOf({ kind: 'result', id: 2, result: [{ contradiction: 1 }] })).toEqual([]);
    expect(transferablesOf({ kind: 'progress', id: 3, progress: a })).toEqual([]);
  });
});
