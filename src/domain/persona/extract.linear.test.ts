/**
 * Time growth of the statement extractor on hostile descriptions (a `.linear`
 * test: run alone by the vitest project `linear`). Clause and list splitting
 * must stay one pass over the words, whatever the shape of the text.
 */
import { describe, expect, it } from 'vitest';
import { emptyCardData } from '../character';
import { LINEAR_GROWTH_BOUND, repeatTo, timeGrowth } from '../../test/linearity';
import { extractStatements } from './extract';

const extract = (description: string) => extractStatements({ ...emptyCardData('Captain Anne Bonny'), description });

const UNITS: Record<string, string> = {
  'one endless list': 'rum, ',
  'and chains': 'drinks rum and ',
  'semicolons with pronouns': 'she drinks tea; ',
  'lower-case semicolon tails': '; such as ',
  'commas and conjunctions in one sentence': 'Anne is kind, brave and ',
  'pronoun clauses': ', and her eyes are grey',
  'titles without a name': 'Captain Captain ',
  'quotes and brackets': '"[Anne: ',
};

describe('extractStatements time is linear in the description', () => {
  it.each(Object.entries(UNITS))('%s: 10× the input costs about 10× the time', (_name, unit) => {
    const growth = timeGrowth(extract, (n) => `Anne ${repeatTo(unit, n)}.`, 2_000, LINEAR_GROWTH_BOUND);
    expect(growth.ratio, `${growth.smallMs.toFixed(3)} ms → ${growth.largeMs.toFixed(3)} ms`).toBeLessThanOrEqual(LINEAR_GROWTH_BOUND);
  });
});
