import { describe, expect, it } from 'vitest';
import {
  asSentence,
  indefiniteArticle,
  isPluralPhrase,
  lowerTitleCase,
  startsWithVerb,
  thirdPerson,
  withArticle,
} from './english';

describe('withArticle', () => {
  it.each([
    ['black sundress', 'a black sundress'],
    ['elf', 'an elf'],
    ['amber eyes', 'amber eyes'],
    ['pink hair', 'pink hair'],
    ['white teeth', 'white teeth'],
    ['the guardian', 'the guardian'],
    ['her mother’s ring', 'her mother’s ring'],
    ['two swords', 'two swords'],
    ['scar on her cheek', 'a scar on her cheek'],
    ['unicorn', 'a unicorn'],
    ['hourglass figure', 'an hourglass figure'],
    ['leather armor', 'leather armor'],
    ['glass', 'a glass'],
  ])('%s → %s', (phrase, expected) => {
    expect(withArticle(phrase)).toBe(expected);
  });
});

describe('small heuristics', () => {
  it('indefiniteArticle follows the first sound for common cases', () => {
    expect(indefiniteArticle('owl')).toBe('an');
    expect(indefiniteArticle('European')).toBe('a');
    expect(indefiniteArticle('honest')).toBe('an');
  });

  it('isPluralPhrase', () => {
    expect(isPluralPhrase('pink lips')).toBe(true);
    expect(isPluralPhrase('kindness')).toBe(false);
    expect(isPluralPhrase('feet')).toBe(true);
  });

  it('startsWithVerb tells predicates from adjectives', () => {
    expect(startsWithVerb('assists {{user}} with code')).toBe(true);
    expect(startsWithVerb('can fly')).toBe(true);
    expect(startsWithVerb('never lies')).toBe(true);
    expect(startsWithVerb('curious')).toBe(false);
    expect(startsWithVerb('careless')).toBe(false);
    expect(startsWithVerb('kind-hearted')).toBe(false);
  });

  it('lowerTitleCase only touches Title Case', () => {
    expect(lowerTitleCase('Quick-Witted')).toBe('quick-witted');
    expect(lowerTitleCase('Cool')).toBe('cool');
    expect(lowerTitleCase('NASA pilot')).toBe('NASA pilot');
    expect(lowerTitleCase('loves Eldoria')).toBe('loves Eldoria');
  });

  it('thirdPerson', () => {
    expect(thirdPerson('like')).toBe('likes');
    expect(thirdPerson('hates')).toBe('hates');
    expect(thirdPerson('fear')).toBe('fears');
  });

  it('asSentence capitalises and ends with one period', () => {
    expect(asSentence('maren is brave')).toBe('Maren is brave.');
    expect(asSentence('Maren is brave!')).toBe('Maren is brave.');
    expect(asSentence('Maren is brave;')).toBe('Maren is brave.');
    expect(asSentence('  Maren   is brave. ')).toBe('Maren is brave.');
  });
});
