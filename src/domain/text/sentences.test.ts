import { afterEach, describe, expect, it } from 'vitest';
import { splitSentences, splitSentencesFallback } from './sentences';

const CASES: [string, string, string[]][] = [
  ['simple', 'Maren is a sailor. She fears deep water!', ['Maren is a sailor.', 'She fears deep water!']],
  ['abbreviation', 'Mr. Smith went home. He slept.', ['Mr. Smith went home.', 'He slept.']],
  ['initials', 'J. R. R. Tolkien wrote it. Then he rested.', ['J. R. R. Tolkien wrote it.', 'Then he rested.']],
  ['dialogue tag', '"Stop!" she said. Then she left.', ['"Stop!" she said.', 'Then she left.']],
  ['line breaks are hard breaks', 'Name: Maren\nAge: 30', ['Name: Maren', 'Age: 30']],
  ['CRLF and blank lines', 'One.\r\n\r\nTwo.', ['One.', 'Two.']],
  ['closing asterisk stays', '*She smiles.* Then she waves.', ['*She smiles.*', 'Then she waves.']],
  ['questions', 'Really? Yes.', ['Really?', 'Yes.']],
  ['no terminator', 'just a fragment', ['just a fragment']],
  ['decimal numbers', 'She is 1.7 m tall. Fine.', ['She is 1.7 m tall.', 'Fine.']],
];

describe('splitSentences (Intl.Segmenter)', () => {
  it.each(CASES)('%s', (_name, text, expected) => {
    expect(splitSentences(text)).toEqual(expected);
  });

  it('drops empty and whitespace-only input', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences('  \n\n ')).toEqual([]);
  });

  it('falls back instead of throwing on a bad locale tag', () => {
    expect(splitSentences('One. Two.', 'not a locale!!')).toEqual(['One.', 'Two.']);
  });
});

describe('splitSentencesFallback', () => {
  it.each(CASES)('%s', (_name, text, expected) => {
    expect(splitSentencesFallback(text)).toEqual(expected);
  });
});

describe('splitSentences without Intl.Segmenter', () => {
  const original = Object.getOwnPropertyDescriptor(Intl, 'Segmenter');
  afterEach(() => {
    if (original) Object.defineProperty(Intl, 'Segmenter', original);
  });

  it('uses the fallback', () => {
    Reflect.deleteProperty(Intl, 'Segmenter');
    expect('Segmenter' in Intl).toBe(false);
    expect(splitSentences('Mr. Smith sails. He fears deep water.')).toEqual([
      'Mr. Smith sails.',
      'He fears deep water.',
    ]);
  });
});

describe('macros at sentence starts', () => {
  it.each([
    ['Intl.Segmenter', splitSentences],
    ['fallback', splitSentencesFallback],
  ])('%s breaks before {{user}}', (_name, split) => {
    expect(split('{{user}} is a traveller. {{user}} is kind. {{char}} waits.')).toEqual([
      '{{user}} is a traveller.',
      '{{user}} is kind.',
      '{{char}} waits.',
    ]);
  });
});
