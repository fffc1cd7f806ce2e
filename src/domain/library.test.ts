import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emptyCardData, type Character } from './character';
import { shortDescription } from './library';

const withDescription = (description: string): Character => ({ id: 'x', card: { ...emptyCardData('N'), description }, avatar: null, statements: [], createdAt: 0, updatedAt: 0 });

/** The obvious definition, kept as the reference the bounded version must match. */
function reference(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 80 ? `${t.slice(0, 80)}…` : t;
}

describe('shortDescription', () => {
  it('matches the whole-text definition on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '\t', 'é', '\u00a0'), maxLength: 300 }), (text) => {
        expect(shortDescription(withDescription(text))).toBe(reference(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('falls back to personality, then scenario', () => {
    const c = withDescription('');
    expect(shortDescription({ ...c, card: { ...c.card, personality: '  Quiet  and   kind ' } })).toBe('Quiet and kind');
  });
});
