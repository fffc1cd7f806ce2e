/**
 * Time growth of the SSE decoder on hostile streams. A `.linear.test` file:
 * run alone (vitest project `linear`).
 */
import { describe, expect, it } from 'vitest';
import { LINEAR_GROWTH_BOUND, repeatTo, timeGrowth } from '../test/linearity';
import { SseDecoder } from './sse';

/** Feeds the input one character at a time: the worst cut a network can make. */
function bytewise(input: string): number {
  const d = new SseDecoder(10_000_000);
  let events = 0;
  for (let i = 0; i < input.length; i++) events += d.push(input[i]!).length;
  return events + d.end().length;
}

describe('SseDecoder time is linear in its input', () => {
  it.each([
    ['one long line, byte by byte', 'x'],
    ['many tiny events', 'data: a\n\n'],
    ['keep-alive comments', ':\n'],
    ['bare carriage returns', '\r'],
  ])('%s: 10× the input costs about 10× the time', (_name, unit) => {
    const growth = timeGrowth(bytewise, (n) => repeatTo(unit, n), 2_000, LINEAR_GROWTH_BOUND);
    expect(growth.ratio, `${growth.smallMs.toFixed(3)} ms → ${growth.largeMs.toFixed(3)} ms`).toBeLessThanOrEqual(LINEAR_GROWTH_BOUND);
  });
});
