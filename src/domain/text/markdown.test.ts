import { describe, expect, it } from 'vitest';
import { parseMessage, splitByHighlights, type InlineNode } from './markdown';

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
