import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { emptyCardData, type Character } from './character';
import { freezeKeys, libraryTags, shortDescription, sortCharacters, sortKeysOf } from './library';

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

describe('library order', () => {
  const ch = (id: string, name: string, updatedAt: number) => ({ id, name, updatedAt });
  const a = ch('a', 'Bram', 30);
  const b = ch('b', 'alma', 10);
  const c = ch('c', 'Cora', 20);
  const used = new Map([['b', 99], ['c', 5]]);
  const keys = (x: ReturnType<typeof ch>) => sortKeysOf(x, used);

  it('sorts by edit, use or name, favourites first, ties by name', () => {
    const ids = (list: ReturnType<typeof ch>[]) => list.map((x) => x.id).join('');
    expect(ids(sortCharacters([a, b, c], 'edited', new Set(), keys))).toBe('acb');
    expect(ids(sortCharacters([a, b, c], 'used', new Set(), keys))).toBe('bca');
    expect(ids(sortCharacters([a, b, c], 'name', new Set(), keys))).toBe('bac');
    expect(ids(sortCharacters([a, b, c], 'name', new Set(['c']), keys))).toBe('cba');
    expect(ids(sortCharacters([ch('y', 'Same', 1), ch('x', 'Same', 1)], 'edited', new Set(), keys))).toBe('xy');
  });

  it('keeps a saving character in its place until the list is sorted again', () => {
    const before = new Map([a, b, c].map((x) => [x.id, keys(x)]));
    // Cora autosaves: her updatedAt jumps above everyone's.
    const saved = ch('c', 'Cora', 100);
    const now = new Map([a, b, saved].map((x) => [x.id, keys(x)]));
    const frozen = freezeKeys(before, now, false);
    expect(sortCharacters([a, b, saved], 'edited', new Set(), (x) => frozen.get(x.id)!).map((x) => x.id)).toEqual(['a', 'c', 'b']);
    const resorted = freezeKeys(frozen, now, true);
    expect(sortCharacters([a, b, saved], 'edited', new Set(), (x) => resorted.get(x.id)!).map((x) => x.id)).toEqual(['c', 'a', 'b']);
  });

  it('lists every tag once, case-folded', () => {
    const t = (tags: string[]) => ({ tags });
    expect(libraryTags([t(['Fantasy', 'sea ']), t(['fantasy', '', 'Noir'])])).toEqual(['fantasy', 'noir', 'sea']);
  });
});
