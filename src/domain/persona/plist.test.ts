import { describe, expect, it } from 'vitest';
import { parseBlock, splitKeyValue, splitTopLevel, splitValueItems } from './plist';

describe('parseBlock', () => {
  it('reads SillyTavern W++ (`Name\'s body= "a", "b"`)', () => {
    expect(parseBlock('Seraphina\'s body= "pink hair", "amber eyes"')).toEqual([
      { kind: 'attribute', key: "Seraphina's body", value: '"pink hair", "amber eyes"' },
    ]);
  });

  it('reads PList segments separated by semicolons', () => {
    expect(parseBlock('Seraphina: caring, protective; body: pink hair')).toEqual([
      { kind: 'attribute', key: 'Seraphina', value: 'caring, protective' },
      { kind: 'attribute', key: 'body', value: 'pink hair' },
    ]);
  });

  it('reads classic W++ and skips the character() header', () => {
    const block = 'character("Maren")\n{\nSpecies("Human")\nMind("stubborn" + "loyal")\n}';
    expect(parseBlock(block)).toEqual([
      { kind: 'attribute', key: 'Species', value: '"Human"' },
      { kind: 'attribute', key: 'Mind', value: '"stubborn" + "loyal"' },
    ]);
  });

  it('keeps separators inside quotes', () => {
    expect(parseBlock('likes= "tea; with milk", "maps"')).toEqual([
      { kind: 'attribute', key: 'likes', value: '"tea; with milk", "maps"' },
    ]);
  });

  it('treats a segment without a plausible key as prose', () => {
    expect(parseBlock('Maren is kind. She says: "hi"')).toEqual([
      { kind: 'prose', text: 'Maren is kind. She says: "hi"' },
    ]);
  });
});

describe('splitKeyValue', () => {
  it('rejects long keys and empty values', () => {
    expect(splitKeyValue('this is far too long to be a key: value')).toBeNull();
    expect(splitKeyValue('Age:')).toBeNull();
    expect(splitKeyValue('Age: 30')).toEqual({ key: 'Age', value: '30' });
  });
});

describe('splitValueItems', () => {
  it('prefers quoted items', () => {
    expect(splitValueItems('"pink hair", "long, wavy hair"', false)).toEqual(['pink hair', 'long, wavy hair']);
  });

  it('splits unquoted lists on commas and +', () => {
    expect(splitValueItems('tea + maps, old boats.', false)).toEqual(['tea', 'maps', 'old boats']);
  });

  it('splits a final "and" only between single words when asked', () => {
    expect(splitValueItems('smart, wary and quick-witted', true)).toEqual(['smart', 'wary', 'quick-witted']);
    expect(splitValueItems('loves tea and cake', true)).toEqual(['loves tea and cake']);
    expect(splitValueItems('black and white fur', false)).toEqual(['black and white fur']);
  });

  it('keeps parentheses together and strips wrapping ones', () => {
    expect(splitValueItems('pink hair(long, wavy), (shy)', false)).toEqual(['pink hair (long, wavy)', 'shy']);
  });

  it('splitTopLevel ignores separators in parentheses', () => {
    expect(splitTopLevel('a (b; c); d', ';')).toEqual(['a (b; c)', 'd']);
  });
});
