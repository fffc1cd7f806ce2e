import { describe, expect, it } from 'vitest';
import {
  SegmenterClosedError,
  StreamingSentenceSegmenter,
  segmentSentences,
  splitSentences,
  type SegmentedSentence,
} from './sentences';

const texts = (t: string) => segmentSentences(t).map((s) => s.text);

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

/** Deterministic PRNG (mulberry32) so a failing chunking can be replayed from its seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function streamInChunks(text: string, seed: number, maxChunk: number): SegmentedSentence[] {
  const rand = mulberry32(seed);
  const seg = new StreamingSentenceSegmenter();
  const out: SegmentedSentence[] = [];
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(rand() * maxChunk);
    out.push(...seg.feed(text.slice(i, i + n)));
    i += n;
  }
  out.push(...seg.flush());
  return out;
}

describe('segmentSentences', () => {
  it('splits on terminal punctuation followed by whitespace', () => {
    expect(texts('I forge swords. I hate the sea! Do you? Fine…  Go.')).toEqual([
      'I forge swords.',
      'I hate the sea!',
      'Do you?',
      'Fine…',
      'Go.',
    ]);
  });

  it('keeps closing quotes and asterisks with their sentence', () => {
    expect(texts('"Hello." She smiles.')).toEqual(['"Hello."', 'She smiles.']);
    expect(texts('*smiles.* Then she waves.')).toEqual(['*smiles.*', 'Then she waves.']);
    expect(texts('“Stay back!” The blade rises.')).toEqual(['“Stay back!”', 'The blade rises.']);
    expect(texts('*She laughs. "You think so?"* Maybe.')).toEqual(['*She laughs.', '"You think so?"*', 'Maybe.']);
  });

  it('continues a sentence when a lowercase word follows', () => {
    expect(texts('"Really?" she asked. "Yes!" He grinned.')).toEqual(['"Really?" she asked.', '"Yes!"', 'He grinned.']);
  });

  it('does not split abbreviations, initials, decimals or list numbers', () => {
    expect(texts('Mr. Smith met Dr. Jones. It cost 3.5 gold.')).toEqual(['Mr. Smith met Dr. Jones.', 'It cost 3.5 gold.']);
    expect(texts('Use a blade, e.g. Fang of Dusk. Or not.')).toEqual(['Use a blade, e.g. Fang of Dusk.', 'Or not.']);
    expect(texts('J. R. R. Tolkien wrote it. Right.')).toEqual(['J. R. R. Tolkien wrote it.', 'Right.']);
    expect(texts('*Mrs. Hale nods.* Good.')).toEqual(['*Mrs. Hale nods.*', 'Good.']);
    expect(texts('1. First you knock. 2. Then you wait.')).toEqual(['1. First you knock.', '2. Then you wait.']);
    expect(texts('It cost 3. Then more.')).toEqual(['It cost 3.', 'Then more.']);
  });

  it('handles ellipses: mid-sentence before lowercase, a boundary before a capital', () => {
    expect(texts('I was... thinking. Well... I suppose so.')).toEqual(['I was... thinking.', 'Well...', 'I suppose so.']);
    expect(texts('Wait… what? No.')).toEqual(['Wait… what?', 'No.']);
    expect(texts('... Hello there.')).toEqual(['... Hello there.']);
  });

  it('breaks at every newline and drops spans without letters or digits', () => {
    expect(texts('*She turns away*\n"Leave."\n\n***\nDone')).toEqual(['*She turns away*', '"Leave."', 'Done']);
    expect(texts('A line with no stop\nAnother')).toEqual(['A line with no stop', 'Another']);
    expect(texts('Dr.\nWho')).toEqual(['Dr.', 'Who']);
    expect(texts('Hi.\r\nThere.')).toEqual(['Hi.', 'There.']);
  });

  it('makes an opening action without punctuation its own sentence', () => {
    expect(texts('*smiles warmly* Hello there.')).toEqual(['*smiles warmly*', 'Hello there.']);
    expect(texts('*smiles* "Come in."')).toEqual(['*smiles*', '"Come in."']);
    expect(texts('*nods* and leaves.')).toEqual(['*nods* and leaves.']);
    expect(texts('"Hi," *she waves* "come in."')).toEqual(['"Hi," *she waves* "come in."']);
    expect(texts('**Bold** Move.')).toEqual(['**Bold** Move.']);
  });

  it('does not split without whitespace after the punctuation', () => {
    expect(texts('What?!Really. Ok')).toEqual(['What?!Really.', 'Ok']);
    expect(texts('"Hi."She left.')).toEqual(['"Hi."She left.']);
  });

  it('gives trimmed offsets into the full text and consecutive indices', () => {
    const text = '  *smiles.*  "Hello."\n\n She waits…   ';
    const out = segmentSentences(text);
    expect(out).toEqual([
      { index: 0, start: 2, end: 11, text: '*smiles.*' },
      { index: 1, start: 13, end: 21, text: '"Hello."' },
      { index: 2, start: 24, end: 34, text: 'She waits…' },
    ]);
    for (const s of out) expect(text.slice(s.start, s.end)).toBe(s.text);
  });

  it('returns nothing for empty or blank text', () => {
    expect(segmentSentences('')).toEqual([]);
    expect(segmentSentences(' \n\n  ')).toEqual([]);
  });
});

describe('StreamingSentenceSegmenter', () => {
  it('emits a sentence once the next visible character shows it is finished', () => {
    const seg = new StreamingSentenceSegmenter();
    expect(seg.feed('Hello there.')).toEqual([]);
    expect(seg.feed(' ')).toEqual([]);
    expect(seg.feed('S')).toEqual([{ index: 0, start: 0, end: 12, text: 'Hello there.' }]);
    expect(seg.feed('he nods!\n').map((s) => s.text)).toEqual(['She nods!']);
    expect(seg.feed('Done')).toEqual([]);
    expect(seg.flush()).toEqual([{ index: 2, start: 23, end: 27, text: 'Done' }]);
    expect(seg.flush()).toEqual([]);
  });

  it('waits through closers that might be followed by more', () => {
    const seg = new StreamingSentenceSegmenter();
    expect(seg.feed('*smiles.')).toEqual([]);
    expect(seg.feed('*')).toEqual([]);
    expect(seg.feed(' T').map((s) => s.text)).toEqual(['*smiles.*']);
  });

  it('throws when fed after flush, until reset', () => {
    const seg = new StreamingSentenceSegmenter();
    seg.feed('One.');
    expect(seg.flush().map((s) => s.text)).toEqual(['One.']);
    expect(() => seg.feed('More')).toThrow(SegmenterClosedError);
    seg.reset();
    expect(seg.feed('Two. T').map((s) => ({ index: s.index, text: s.text }))).toEqual([{ index: 0, text: 'Two.' }]);
    expect(seg.fullText).toBe('Two. T');
  });

  const corpus = [
    '*She leans against the anvil, arms crossed.* "You want a sword? Mr. Hale said you\'d come." *Her eyes narrow.* "I don\'t work for free... not even for Dr. Vance."\n\nShe turns away. The forge hisses!',
    '"Really?" she asked, tilting her head. "I thought you hated the sea." *smiles.* Then, quietly: "Well... I suppose so."',
    'Aria is 3.5 feet tall, e.g. shorter than most. J. R. R. Tolkien would agree?! *shrugs* ok.\n1. First\n2. Second…   Third.',
    '*nods* “Fine.” ‘Then go.’ (He left.) [OOC: brb.] _sigh_ Done!!! ***\n\n***\nThe end',
    'No punctuation at all and some trailing space   ',
    '  \n  Leading blank lines.\r\nWindows line. Last one without stop',
  ];

  it('gives the same sentences streamed in any chunking as all at once', () => {
    for (const text of corpus) {
      const whole = segmentSentences(text);
      for (const s of whole) expect(text.slice(s.start, s.end)).toBe(s.text);
      for (let seed = 1; seed <= 40; seed++) {
        expect(streamInChunks(text, seed, 1 + (seed % 9))).toEqual(whole);
      }
      expect(streamInChunks(text, 0, 1)).toEqual(whole);
    }
  });

  it('is chunking-invariant on random texts built from tricky fragments', () => {
    const fragments = ['Mr.', ' ', ' ', '*', '"', '...', '…', 'Hello', 'she', '\n', '!', '?', '3.5', 'e.g.', 'J.', '.', ')', '“', '”', 'The', '1.', '**'];
    for (let seed = 1; seed <= 60; seed++) {
      const rand = mulberry32(seed * 7919);
      let text = '';
      for (let i = 0; i < 60; i++) text += fragments[Math.floor(rand() * fragments.length)];
      const whole = segmentSentences(text);
      whole.forEach((s, i) => {
        expect(s.index).toBe(i);
        expect(text.slice(s.start, s.end)).toBe(s.text);
        expect(s.text).toBe(s.text.trim());
      });
      for (const maxChunk of [1, 3, 7]) expect(streamInChunks(text, seed, maxChunk)).toEqual(whole);
    }
  });

  it('segments the role-play corpus as intended', () => {
    expect(texts(corpus[0]!)).toEqual([
      '*She leans against the anvil, arms crossed.*',
      '"You want a sword?',
      'Mr. Hale said you\'d come."',
      '*Her eyes narrow.*',
      '"I don\'t work for free... not even for Dr. Vance."',
      'She turns away.',
      'The forge hisses!',
    ]);
  });
});

describe('splitSentences (whole texts: card fields, descriptions)', () => {
  it.each(CASES)('%s', (_name, text, expected) => {
    expect(splitSentences(text)).toEqual(expected);
  });

  it('drops empty and whitespace-only input', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences('  \n\n ')).toEqual([]);
  });

  it('breaks before {{user}} and {{char}} at sentence starts', () => {
    expect(splitSentences('{{user}} is a traveller. {{user}} is kind. {{char}} waits.')).toEqual([
      '{{user}} is a traveller.',
      '{{user}} is kind.',
      '{{char}} waits.',
    ]);
  });

  it('treats every kind of line break as one', () => {
    expect(splitSentences('Old Mac line\rNext\u2028Third\u2029Fourth')).toEqual(['Old Mac line', 'Next', 'Third', 'Fourth']);
  });

  it('one abbreviation list: titles hold, role-play words that end sentences do not', () => {
    // "No." is a whole reply in role-play, "etc." and company suffixes usually end a sentence.
    expect(splitSentences('No. Get out of my forge.')).toEqual(['No.', 'Get out of my forge.']);
    expect(splitSentences('Swords, axes, etc. Everything is for sale.')).toEqual(['Swords, axes, etc.', 'Everything is for sale.']);
    expect(splitSentences('She works for Hale & Co. They pay well.')).toEqual(['She works for Hale & Co.', 'They pay well.']);
    expect(splitSentences('The Hon. Lady Grey reads Vol. 2 of the saga. Then she sleeps.')).toEqual([
      'The Hon. Lady Grey reads Vol. 2 of the saga.',
      'Then she sleeps.',
    ]);
  });
});
