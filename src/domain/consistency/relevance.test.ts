import { describe, expect, it } from 'vitest';
import { ConsistencyInputError } from './errors';
import {
  DEFAULT_RELEVANCE_CALIBRATION,
  RELEVANCE_MIDPOINT_COS,
  RELEVANCE_TEMPERATURE_COS,
  calibrationFor,
  cosine,
  relevanceFromCosine,
  relevancePiecewise,
  relevanceWithStory,
  STORY_RELEVANCE_WEIGHT,
  STORY_TAIL_CHARS,
  storyTail,
} from './relevance';

describe('cosine', () => {
  it('computes hand-checked values', () => {
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(cosine([1, 0], [-1, 0])).toBe(-1);
    expect(cosine([3, 4], [4, 3])).toBeCloseTo(24 / 25, 12);
  });

  it('accepts Float32Array and mixes', () => {
    expect(cosine(new Float32Array([3, 4]), [4, 3])).toBeCloseTo(0.96, 6);
  });

  it('never leaves [−1, 1] and treats a zero vector as unrelated', () => {
    const v = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
    expect(cosine(v, v)).toBeLessThanOrEqual(1);
    expect(cosine([0, 0], [1, 1])).toBe(0);
  });

  it('throws on mismatched lengths or non-finite components', () => {
    expect(() => cosine([1, 2], [1, 2, 3])).toThrow(ConsistencyInputError);
    expect(() => cosine([Number.NaN, 1], [1, 1])).toThrow(ConsistencyInputError);
  });
});

describe('relevanceFromCosine', () => {
  it('is 0.5 at the midpoint', () => {
    expect(relevanceFromCosine(RELEVANCE_MIDPOINT_COS)).toBe(0.5);
    expect(RELEVANCE_MIDPOINT_COS).toBe(0.35);
    expect(RELEVANCE_TEMPERATURE_COS).toBe(0.08);
  });

  it('matches hand-computed points of 1/(1 + exp(−(cos − 0.35)/0.08))', () => {
    // cos .2: exp(1.875) = 6.5208 → 1/7.5208
    expect(relevanceFromCosine(0.2)).toBeCloseTo(0.13297, 4);
    // cos 0: exp(4.375) = 79.436 → 1/80.436
    expect(relevanceFromCosine(0)).toBeCloseTo(0.012432, 5);
    // cos .6: exp(−3.125) = 0.043937 → 1/1.043937
    expect(relevanceFromCosine(0.6)).toBeCloseTo(0.95791, 4);
  });

  it('is monotone increasing over [−1, 1]', () => {
    let prev = -1;
    for (let c = -1; c <= 1.0001; c += 0.01) {
      const r = relevanceFromCosine(c);
      expect(r).toBeGreaterThanOrEqual(prev);
      prev = r;
    }
  });

  it('stays in [0, 1] and clamps cosines outside [−1, 1]', () => {
    expect(relevanceFromCosine(1)).toBeCloseTo(0.999704, 5);
    expect(relevanceFromCosine(-1)).toBeLessThan(1e-7);
    expect(relevanceFromCosine(5)).toBe(relevanceFromCosine(1));
    expect(relevanceFromCosine(-5)).toBe(relevanceFromCosine(-1));
    expect(relevanceFromCosine(Number.POSITIVE_INFINITY)).toBe(relevanceFromCosine(1));
  });

  it('follows a custom calibration', () => {
    expect(relevanceFromCosine(0.68, calibrationFor('Xenova/bge-small-en-v1.5'))).toBe(0.5);
    expect(calibrationFor('unknown/model')).toBe(DEFAULT_RELEVANCE_CALIBRATION);
  });

  it('throws on NaN or a non-positive temperature', () => {
    expect(() => relevanceFromCosine(Number.NaN)).toThrow(ConsistencyInputError);
    expect(() => relevanceFromCosine(0.3, { midpointCos: 0.3, temperatureCos: 0 })).toThrow(ConsistencyInputError);
  });
});

describe('relevancePiecewise', () => {
  const knots = [
    [0.1, 0],
    [0.3, 0.2],
    [0.6, 1],
  ] as const;

  it('interpolates linearly and is flat beyond the ends', () => {
    expect(relevancePiecewise(0.2, knots)).toBeCloseTo(0.1, 12);
    // .2 + .8 · (.15 / .3)
    expect(relevancePiecewise(0.45, knots)).toBeCloseTo(0.6, 12);
    expect(relevancePiecewise(-1, knots)).toBe(0);
    expect(relevancePiecewise(0.3, knots)).toBe(0.2);
    expect(relevancePiecewise(0.9, knots)).toBe(1);
  });

  it('rejects non-monotone or empty calibrations', () => {
    expect(() => relevancePiecewise(0.2, [])).toThrow(ConsistencyInputError);
    expect(() => relevancePiecewise(0.2, [[0.3, 0.2], [0.1, 0.5]])).toThrow(ConsistencyInputError);
    expect(() => relevancePiecewise(0.2, [[0.1, 0.5], [0.3, 0.2]])).toThrow(ConsistencyInputError);
    expect(() => relevancePiecewise(0.2, [[0.1, 1.5]])).toThrow(ConsistencyInputError);
    expect(() => relevancePiecewise(Number.NaN, knots)).toThrow(ConsistencyInputError);
  });
});

describe('the story so far as relevance context', () => {
  it('reads the end of the story, from a sentence start, bounded', () => {
    expect(storyTail('')).toBe('');
    expect(storyTail('  Short story.  ')).toBe('Short story.');
    const story = `${'They walked along the shore for hours. '.repeat(30)}At dusk Maren lit the lamp.`;
    const tail = storyTail(story);
    expect(tail.length).toBeLessThanOrEqual(STORY_TAIL_CHARS);
    expect(tail.endsWith('At dusk Maren lit the lamp.')).toBe(true);
    expect(tail.startsWith('They walked')).toBe(true);
    // No sentence boundary in the tail: the plain cut.
    expect(storyTail('x'.repeat(1000), 10)).toBe('x'.repeat(10));
  });

  it('only adds relevance, discounted: the turn’s r stands, the story’s counts at most by its weight', () => {
    const turn = new Map([
      ['asked', 0.9],
      ['told', 0.02],
      ['neither', 0.01],
    ]);
    const story = new Map([
      ['asked', 0.1],
      ['told', 0.98],
      ['neither', 0.0],
    ]);
    const r = relevanceWithStory(turn, story);
    expect(r.get('asked')).toBe(0.9);
    expect(r.get('told')).toBeCloseTo(0.98 * STORY_RELEVANCE_WEIGHT);
    expect(r.get('neither')).toBe(0.01);
    expect(relevanceWithStory(turn, null)).toEqual(turn);
  });
});
