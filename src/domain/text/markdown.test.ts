import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displayCut, highlightsByLine, IncrementalMarkdown, parseMessage, splitByHighlights, type InlineNode } from './markdown';
import { parseMessageReference } from './markdownReference';


const flat = (nodes: InlineNode[]): string => nodes.map((n) => (n.type === 'text' ? n.text : `<${n.type}>${flat(n.children)}</${n.type}>`)).join('');

describe('parseMessage', () => {
  it('parses role-play actions, bold, quotes and code', () => {
    const [p] = parseMessage('*smiles* "Hello," she said. **Really** `x*y`');
    expect(flat(p!.lines[0]!)).toBe('<em>smiles</em> <quote>"Hello,"</quote> she said. <strong>Really</strong> <code>x*y</code>');
  });

  it('keeps unclosed markers literal (mid-stream)', () => {
    const [p] = parseMessage('*she turns and');
    expect(flat(p!.lines[0]!)).toBe('*she turns and');
  });

  it('does not treat snake_case as italics', () => {
    expect(flat(parseMessage('a snake_case_name here')[0]!.lines[0]!)).toBe('a snake_case_name here');
  });

  it('splits paragraphs on blank lines and keeps single newlines as lines', () => {
    const ps = parseMessage('one\ntwo\n\nthree');
    expect(ps).toHaveLength(2);
    expect(ps[0]!.lines).toHaveLength(2);
  });

  it('never interprets HTML: tags stay text', () => {
    const [p] = parseMessage('<img src=x onerror=alert(1)> <script>');
    expect(p!.lines[0]).toEqual([{ type: 'text', text: '<img src=x onerror=alert(1)> <script>', start: 0 }]);
  });

  it('text nodes carry their source offsets', () => {
    const src = 'Hi. *waves* "Yes." Done.';
    const texts: { text: string; start: number }[] = [];
    const walk = (ns: InlineNode[]) => ns.forEach((n) => (n.type === 'text' ? texts.push(n) : walk(n.children)));
    walk(parseMessage(src)[0]!.lines[0]!);
    for (const t of texts) expect(src.slice(t.start, t.start + t.text.length)).toBe(t.text);
  });
});

describe('splitByHighlights', () => {
  it('cuts a text node at highlight edges', () => {
    const parts = splitByHighlights('hello world', 10, [{ start: 16, end: 30, id: 'a' }]);
    expect(parts).toEqual([
      { text: 'hello ', highlight: null },
      { text: 'world', highlight: { start: 16, end: 30, id: 'a' } },
    ]);
  });
  it('leaves text untouched without overlap', () => {
    expect(splitByHighlights('abc', 0, [{ start: 5, end: 9, id: 'x' }])).toEqual([{ text: 'abc', highlight: null }]);
  });
});

/** Markers and their neighbours, weighted towards the characters that make spans. */
const markdownChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('*', '_', '"', '“', '”', '`') },
  { weight: 3, arbitrary: fc.constantFrom('a', 'é', '1', ' ', '.') },
  { weight: 1, arbitrary: fc.constantFrom('\n', '\r', '\t', '😀', '<', '>', '&', '\u00a0') },
);
const markdownText = (maxLength: number) => fc.array(markdownChar, { maxLength }).map((cs) => cs.join(''));
const treesOf = (ps: { lines: InlineNode[][] }[]) => JSON.stringify(ps.map((p) => p.lines));

describe('parseMessage is the first parser, made linear', () => {
  it('gives the same tree as the quadratic reference parser on any text', () => {
    fc.assert(
      fc.property(fc.oneof(markdownText(12), markdownText(60), fc.string({ maxLength: 40 })), (src) => {
        const got = treesOf(parseMessage(src));
        const want = treesOf(parseMessageReference(src));
        if (got !== want) expect(got).toBe(want);
      }),
      { numRuns: 20_000 },
    );
  });

  it('keeps line ranges that match the source', () => {
    fc.assert(
      fc.property(markdownText(80), (src) => {
        for (const p of parseMessage(src)) {
          expect(p.lineRanges).toHaveLength(p.lines.length);
          for (const r of p.lineRanges) {
            expect(src.slice(r.start, r.end)).not.toContain('\n');
            expect(src.slice(r.start, r.end).trim()).not.toBe('');
          }
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('nests spans only a few levels deep, so hostile input cannot overflow the stack', () => {
    const depth = (nodes: InlineNode[]): number => Math.max(0, ...nodes.map((n) => (n.type === 'text' ? 0 : 1 + depth(n.children))));
    const attempts = ['“**_*"`x`"*_**”', '*_“"**x**"”_*', '“'.repeat(5000) + '”'.repeat(5000), '*_'.repeat(5000) + '_*'.repeat(5000)];
    for (const src of attempts) {
      const max = Math.max(...parseMessage(src).flatMap((p) => p.lines.map(depth)));
      expect(max).toBeLessThanOrEqual(7);
    }
  });
});

describe('IncrementalMarkdown', () => {
  it('gives the same paragraphs as a full parse for every prefix, in any order of updates', () => {
    fc.assert(
      fc.property(markdownText(80), fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), (src, cuts) => {
        const inc = new IncrementalMarkdown();
        for (const c of cuts) {
          const prefix = src.slice(0, c % (src.length + 1));
          expect(inc.update(prefix)).toEqual(parseMessage(prefix));
        }
        expect(inc.update(src)).toEqual(parseMessage(src));
      }),
      { numRuns: 3_000 },
    );
  });

  it('parses a finished line once: its nodes keep their identity while the text grows', () => {
    const inc = new IncrementalMarkdown();
    const first = inc.update('*waves* "Hi."\nShe turns');
    const line0 = first[0]!.lines[0]!;
    const tail0 = first[0]!.lines[1]!;
    const next = inc.update('*waves* "Hi."\nShe turns and *smiles*.\n\nNew paragraph');
    expect(next[0]!.lines[0]).toBe(line0);
    expect(next[0]!.lines[1]).not.toBe(tail0);
    expect(next).toHaveLength(2);
    // The first paragraph is closed (a complete blank line follows): the same object from now on.
    const closed = next[0]!;
    expect(inc.update('*waves* "Hi."\nShe turns and *smiles*.\n\nNew paragraph grows')[0]).toBe(closed);
    // An edit before the last newline is a different text: parsed afresh.
    const edited = inc.update('*waved* "Hi."\nShe turns');
    expect(edited[0]!.lines[0]).not.toBe(line0);
    expect(edited).toEqual(parseMessage('*waved* "Hi."\nShe turns'));
  });

  it('reuses finished lines when going back to a prefix (a deferred render of an older text)', () => {
    const inc = new IncrementalMarkdown();
    const long = inc.update('one *a*\ntwo *b*\nthree');
    const back = inc.update('one *a*\ntwo');
    expect(back[0]!.lines[0]).toBe(long[0]!.lines[0]);
    expect(back).toEqual(parseMessage('one *a*\ntwo'));
  });
});

describe('displayCut', () => {
  it('cuts at a line break in the last quarter of the budget', () => {
    const text = 'a'.repeat(90) + '\n' + 'b'.repeat(100);
    expect(displayCut(text, 100)).toBe(90);
    expect(displayCut('short', 100)).toBe(5);
  });
  it('cuts at the budget when no line break is near, never inside a surrogate pair', () => {
    expect(displayCut('a'.repeat(300), 100)).toBe(100);
    const emoji = 'a'.repeat(99) + '😀' + 'b'.repeat(10);
    expect(displayCut(emoji, 100)).toBe(99);
  });
});

describe('highlightsByLine', () => {
  it('puts each highlight in every line it touches', () => {
    const ranges = [
      { start: 0, end: 5 },
      { start: 6, end: 10 },
      { start: 12, end: 20 },
    ];
    const a = { start: 3, end: 8, id: 'a' };
    const b = { start: 13, end: 14, id: 'b' };
    const c = { start: 10, end: 12, id: 'c' };
    expect(highlightsByLine(ranges, [a, b, c])).toEqual([[a], [a], [b]]);
  });
});
