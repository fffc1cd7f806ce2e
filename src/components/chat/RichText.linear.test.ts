/**
 * Time growth of the role-play Markdown renderer on generated adversarial
 * patterns. A `.linear.test` file: run on its own, one file at a time, after
 * the other unit tests (vitest project `linear`).
 */
import fc from 'fast-check';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { LINEAR_GROWTH_BOUND, repeatTo, timeGrowth } from '../../test/linearity';
import { parseMessage } from '../../domain/text/markdown';
import { RichText } from './RichText';

function render(text: string): string {
  return renderToStaticMarkup(createElement(RichText, { text }));
}

describe('RichText time', () => {
  it('renders in time linear in the input, on generated adversarial patterns', { timeout: 120_000 }, () => {
    const unit = fc.array(fc.constantFrom('*', '_', '“', '”', '"', '`', 'a', ' ', '\n'), { minLength: 1, maxLength: 6 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(unit, (u) => {
        // 500 → 5,000 characters: below the display cap, so all of it renders.
        const growth = timeGrowth((t) => render(t), (n) => repeatTo(u, n), 500, LINEAR_GROWTH_BOUND);
        expect(growth.ratio, `${JSON.stringify(u)}: ${growth.smallMs.toFixed(3)} → ${growth.largeMs.toFixed(3)} ms`).toBeLessThanOrEqual(LINEAR_GROWTH_BOUND);
      }),
      { numRuns: 6 },
    );
  });

  it('parses in time linear in the input, on generated adversarial patterns', { timeout: 120_000 }, () => {
    const unit = fc.array(fc.constantFrom('*', '**', '_', '“', '”', '"', '`', 'a', ' ', '\n'), { minLength: 1, maxLength: 8 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(unit, (u) => {
        const growth = timeGrowth(parseMessage, (n) => repeatTo(u, n), 2_000, LINEAR_GROWTH_BOUND);
        expect(growth.ratio, `${JSON.stringify(u)}: ${growth.smallMs.toFixed(3)} → ${growth.largeMs.toFixed(3)} ms`).toBeLessThanOrEqual(LINEAR_GROWTH_BOUND);
      }),
      { numRuns: 12 },
    );
  });
});
