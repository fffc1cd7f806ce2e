import { describe, expect, it } from 'vitest';
import { LruCache, hash64, hashText, nliPairKey, type NliPairKeyParts } from './cache';
import { ConsistencyInputError } from './errors';

describe('hash64', () => {
  it('is 16 hex digits and stable (pinned values: stored keys must survive upgrades)', () => {
    expect(hash64('')).toBe('488bdcb81aee8d83');
    expect(hash64('a')).toBe('501c2ba782c97901');
    expect(hash64('In Character')).toBe('b0c425d9e94be737');
    expect(hashText('a')).toBe(hash64('a'));
  });

  it('agrees with the published cyrb53 in its low 53 bits', () => {
    // cyrb53('a') = 7929297801672961 in the reference implementation.
    const h = BigInt('0x' + hash64('a'));
    expect(h & ((1n << 53n) - 1n)).toBe(7929297801672961n);
  });

  it('changes with the seed and with one character', () => {
    expect(hash64('a', 1)).not.toBe(hash64('a'));
    expect(hash64('Aria fears the sea.')).not.toBe(hash64('Aria fears the sea!'));
  });

  it('has no collisions over a few thousand similar strings', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(hash64(`sentence ${i}`));
    expect(seen.size).toBe(5000);
  });
});

describe('nliPairKey', () => {
  const base: NliPairKeyParts = {
    modelId: 'Xenova/nli-deberta-v3-xsmall',
    statementId: 'st-1',
    statementVersion: 2,
    statementText: 'Aria is afraid of the sea.',
    sentenceText: 'I dive into the waves laughing.',
  };

  it('is deterministic', () => {
    expect(nliPairKey(base)).toBe(nliPairKey({ ...base }));
    expect(nliPairKey(base)).toMatch(/^nli:[0-9a-f]{16}$/);
  });

  it('changes when any part changes', () => {
    const k = nliPairKey(base);
    expect(nliPairKey({ ...base, modelId: 'Xenova/nli-deberta-v3-small' })).not.toBe(k);
    expect(nliPairKey({ ...base, statementId: 'st-2' })).not.toBe(k);
    expect(nliPairKey({ ...base, statementVersion: 3 })).not.toBe(k);
    expect(nliPairKey({ ...base, statementText: 'Aria loves the sea.' })).not.toBe(k);
    expect(nliPairKey({ ...base, sentenceText: 'I stay on the shore.' })).not.toBe(k);
  });

  it('does not confuse text moved between parts', () => {
    const a = nliPairKey({ ...base, statementText: 'ab', sentenceText: 'c' });
    const b = nliPairKey({ ...base, statementText: 'a', sentenceText: 'bc' });
    expect(a).not.toBe(b);
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry and reports it', () => {
    const c = new LruCache<string, number>(2);
    expect(c.set('a', 1)).toEqual([]);
    c.set('b', 2);
    expect(c.set('c', 3)).toEqual([['a', 1]]);
    expect(c.keys()).toEqual(['b', 'c']);
    expect(c.get('a')).toBeUndefined();
  });

  it('counts get and re-set as use, but not peek or has', () => {
    const c = new LruCache<string, number>(3);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    expect(c.get('a')).toBe(1); // order b, c, a
    expect(c.peek('b')).toBe(2);
    expect(c.has('b')).toBe(true);
    c.set('c', 30); // order b, a, c
    expect(c.keys()).toEqual(['b', 'a', 'c']);
    expect(c.set('d', 4)).toEqual([['b', 2]]);
    expect(c.keys()).toEqual(['a', 'c', 'd']);
    expect(c.get('c')).toBe(30);
    expect(c.size).toBe(3);
  });

  it('stores falsy values', () => {
    const c = new LruCache<string, number | null>(2);
    c.set('zero', 0);
    c.set('null', null);
    expect(c.get('zero')).toBe(0);
    expect(c.get('null')).toBeNull();
    expect(c.keys()).toEqual(['zero', 'null']);
  });

  it('deletes and clears', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.delete('a')).toBe(true);
    expect(c.delete('a')).toBe(false);
    c.clear();
    expect(c.size).toBe(0);
  });

  it('rejects a size below 1', () => {
    expect(() => new LruCache(0)).toThrow(ConsistencyInputError);
    expect(() => new LruCache(1.5)).toThrow(ConsistencyInputError);
  });
});
