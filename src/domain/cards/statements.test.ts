import { describe, expect, it } from 'vitest';
import { emptyCardData } from '../character';
import { parseCardJson } from './parse';
import { MAX_CARD_STATEMENTS, STATEMENTS_EXTENSION_KEY, takeStatements, withStatements } from './statements';
import { cardToJsonText } from './write';

describe('statements inside a card', () => {
  it('survive V3 JSON export → parse, and leave other extensions as they were', () => {
    const card = { ...emptyCardData('Maren Holt'), extensions: { depth_prompt: { depth: 4 } } };
    const out = withStatements(card, [
      { text: 'Maren Holt likes tea.', enabled: true },
      { text: 'Maren Holt is afraid of deep water.', enabled: false },
      { text: '  ', enabled: true },
    ]);
    const parsed = parseCardJson(JSON.parse(cardToJsonText(out)));
    const taken = takeStatements(parsed.card);
    expect(taken.statements).toEqual([
      { text: 'Maren Holt likes tea.', enabled: true },
      { text: 'Maren Holt is afraid of deep water.', enabled: false },
    ]);
    expect(taken.card.extensions).toEqual({ depth_prompt: { depth: 4 } });
  });

  it('writes no key for a character without statements and replaces an old list', () => {
    const card = { ...emptyCardData('A'), extensions: { [STATEMENTS_EXTENSION_KEY]: [{ text: 'old' }] } };
    expect(withStatements(card, []).extensions).toEqual({});
    expect(withStatements(card, [{ text: 'A is new.', enabled: true }]).extensions[STATEMENTS_EXTENSION_KEY]).toEqual([{ text: 'A is new.', enabled: true }]);
  });

  it('reads hostile lists safely: wrong shapes skipped, repeats once, length and count capped', () => {
    const card = {
      ...emptyCardData('A'),
      extensions: { [STATEMENTS_EXTENSION_KEY]: [null, 5, { text: 7 }, { text: 'A is here.' }, { text: 'A is here.' }, { text: 'x'.repeat(1001) }, { text: 'A hides.', enabled: 'no' }] },
    };
    expect(takeStatements(card).statements).toEqual([
      { text: 'A is here.', enabled: true },
      { text: 'A hides.', enabled: true },
    ]);
    const many = { ...emptyCardData('A'), extensions: { [STATEMENTS_EXTENSION_KEY]: Array.from({ length: 2000 }, (_, i) => ({ text: `A has ${i} cats.` })) } };
    expect(takeStatements(many).statements).toHaveLength(MAX_CARD_STATEMENTS);
    expect(takeStatements({ ...emptyCardData('A'), extensions: { [STATEMENTS_EXTENSION_KEY]: 'nope' } })).toEqual({ card: emptyCardData('A'), statements: [] });
  });
});
