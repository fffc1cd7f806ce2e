/**
 * Time growth of the Markdown parser on adversarial input. A `.linear.test`
 * file: run on its own, one file at a time, after the other unit tests
 * (vitest project `linear`), so no other test competes for the CPU it times.
 */
import { describe, expect, it } from 'vitest';
import { LINEAR_GROWTH_BOUND as LINEAR_BOUND, repeatTo, timeGrowth } from '../../test/linearity';
import { IncrementalMarkdown, parseMessage } from './markdown';
import { parseMessageReference } from './markdownReference';

/** Inputs that made the first parser quadratic: unmatched openers, long runs, nesting. */
const ADVERSARIAL_UNITS: Record<string, string> = {
  'curly quotes “': '“',
  'stars *': '*',
  'star quartets': '**** ',
  'straight quotes "': '"',
  backticks: '`',
  'underscores _a': '_a',
  'open quote per line': '“\n',
  'nested openers': '*_“"`',
  'closers before openers': '”*_ _*“',
  'bold runs': '**a',
};

describe('parseMessage time is linear in its input', () => {
  it.each(Object.entries(ADVERSARIAL_UNITS))('%s: 10× the input costs about 10× the time', (_name, unit) => {
    const growth = timeGrowth(parseMessage, (n) => repeatTo(unit, n), 2_000, LINEAR_BOUND);
    expect(growth.ratio, `${growth.smallMs.toFixed(3)} ms → ${growth.largeMs.toFixed(3)} ms`).toBeLessThanOrEqual(LINEAR_BOUND);
  });

  it('the same measure catches the quadratic reference parser (the test can fail)', { timeout: 60_000 }, () => {
    // Smaller sizes: the reference takes seconds at 20,000 “.
    const growth = timeGrowth(parseMessageReference, (n) => repeatTo('“', n), 600, LINEAR_BOUND);
    expect(growth.ratio).toBeGreaterThan(LINEAR_BOUND * 2);
  });

  it('a streamed text costs linear time per update: finished lines are not parsed again', () => {
    // 100 updates whatever the size: the total grows with the size, not its square.
    const stream = (text: string) => {
      const inc = new IncrementalMarkdown();
      const step = Math.ceil(text.length / 100);
      for (let end = step; end < text.length + step; end += step) inc.update(text.slice(0, end));
    };
    const prose = 'She *smiles* and says "hello" to **you**.\n';
    const growth = timeGrowth(stream, (n) => repeatTo(prose, n), 2_000, LINEAR_BOUND);
    expect(growth.ratio, `${growth.smallMs.toFixed(3)} ms → ${growth.largeMs.toFixed(3)} ms`).toBeLessThanOrEqual(LINEAR_BOUND);
  });
});
