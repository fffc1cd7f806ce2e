/**
 * Fuzz: the role-play Markdown renderer on hostile text (card greetings and
 * model replies are untrusted). Rendered to static markup with React's own
 * server renderer, so what is checked is exactly what React would put in the
 * DOM: no crash, nothing but the fixed set of elements, every character of
 * the input shown as text (so never as markup), (time growth: RichText.linear.test.ts).
 */
import fc from 'fast-check';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { parseMessage, type InlineNode } from '../../domain/text/markdown';
import { INITIAL_VISIBLE_CHARS, RichText, type SentenceMark } from './RichText';

/** Elements RichText may produce, with the attributes each may carry. */
const ALLOWED: Record<string, readonly string[]> = {
  p: ['class'],
  br: [],
  em: ['class'],
  strong: [],
  code: ['class'],
  span: ['class'],
  mark: ['data-testid', 'data-statement-ids', 'title', 'class'],
  // The "Show more" row of a truncated text.
  div: ['data-testid', 'class'],
  button: ['type', 'class'],
};

const hostile = fc.constantFrom('<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><b>', '&amp;', '&#60;', '</p>', 'javascript:', '{{char}}', '\u0000', '\u202e');
const marker = fc.constantFrom('*', '**', '_', '"', '“', '”', '`', '\n', '\n\n', ' ', '\r\n');
const word = fc.constantFrom('she', 'said', 'Hi.', 'é', '😀', '1', 'snake_case');
const richText = fc.array(fc.oneof({ weight: 4, arbitrary: marker }, { weight: 3, arbitrary: word }, { weight: 1, arbitrary: hostile }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }), { maxLength: 30 }).map((parts) => parts.join(''));

function render(text: string, marks?: readonly SentenceMark[], deferLong = false): string {
  return renderToStaticMarkup(createElement(RichText, { text, marks, deferLong }));
}

function decode(s: string): string {
  return s.replace(/&(lt|gt|quot|#x27|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#x27': "'", '#39': "'", amp: '&' })[e]!);
}

/** Tag names and attribute names in static markup, and the text between tags. */
function inspect(html: string): { tags: { name: string; attrs: string[] }[]; text: string } {
  const tags: { name: string; attrs: string[] }[] = [];
  const text = html.replace(/<(\/?)([a-zA-Z0-9-]+)((?:\s+[a-zA-Z-]+(?:="[^"]*")?)*)\s*\/?>/g, (_, closing: string, name: string, attrs: string) => {
    if (!closing) tags.push({ name, attrs: [...attrs.matchAll(/([a-zA-Z-]+)(?:="[^"]*")?/g)].map((m) => m[1]!) });
    return '';
  });
  return { tags, text: decode(text) };
}

/** The text nodes of the parse, in order: what the reader should see. */
function parsedText(src: string): string {
  const walk = (nodes: InlineNode[]): string => nodes.map((n) => (n.type === 'text' ? n.text : walk(n.children))).join('');
  return parseMessage(src)
    .flatMap((p) => p.lines.map(walk))
    .join('');
}

/** Every non-blank line, in order, without the Markdown markers (which may or may not be markup). */
function linesWithoutMarkers(src: string): string {
  return parseMessage(src)
    .flatMap((p) => p.lineRanges.map((r) => src.slice(r.start, r.end)))
    .join('')
    .replace(/[*_`]/g, '');
}

const marksFor = (text: string) =>
  fc.array(
    fc.record({ a: fc.nat({ max: Math.max(0, text.length) }), b: fc.nat({ max: Math.max(0, text.length) }), id: fc.constantFrom('s1', 's2', '"><x>'), label: hostile }),
    { maxLength: 4 },
  ).map((ms) => ms.map(({ a, b, id, label }) => ({ start: Math.min(a, b), end: Math.max(a, b), id, label })));

const CASES_PER_RUN = 50;

/** No crash happened; `html` is `text` rendered: allowed elements only, every character shown as text. */
function checkRendered(text: string, html: string): void {
  const { tags, text: shown } = inspect(html);
  // Plain comparisons first (expect() per tag would dominate 10,000 cases); expect() reports a failure.
  for (const tag of tags) {
    const allowed = ALLOWED[tag.name];
    if (!allowed || tag.name === 'div' || tag.name === 'button') expect.fail(`element <${tag.name}> in ${html}`);
    for (const attr of tag.attrs) if (!allowed.includes(attr)) expect.fail(`attribute ${attr} on <${tag.name}> in ${html}`);
  }
  const want = parsedText(text);
  if (shown !== want) expect(shown).toBe(want);
  // Independent of the parser: nothing but markers was dropped, nothing added.
  const bare = shown.replace(/[*_`]/g, '');
  const source = linesWithoutMarkers(text);
  if (bare !== source) expect(bare).toBe(source);
}

describe('RichText fuzz', () => {
  it('renders 10,000 hostile texts: no crash, only allowed elements, all text shown as text', { timeout: 60_000 }, () => {
    const oneCase = richText.chain((text) => fc.tuple(fc.constant(text), marksFor(text)));
    // 200 runs × 50 texts: one render of 50 messages (as a chat shows them)
    // costs a fraction of 50 separate renders, so 10,000 cases take seconds.
    fc.assert(
      fc.property(fc.array(oneCase, { minLength: CASES_PER_RUN, maxLength: CASES_PER_RUN }), (cases) => {
        const html = renderToStaticMarkup(
          createElement(
            'div',
            null,
            cases.map(([text, marks], i) => createElement('section', { key: i }, createElement(RichText, { text, marks }))),
          ),
        );
        const parts = html.slice('<div><section>'.length, -'</section></div>'.length).split('</section><section>');
        expect(parts).toHaveLength(cases.length);
        parts.forEach((part, i) => checkRendered(cases[i]![0], part));
      }),
      { numRuns: 10_000 / CASES_PER_RUN },
    );
  });

  it('shows a long text in part, with "Show more", never the whole of it', () => {
    const text = 'She waits. “'.repeat(Math.ceil((3 * INITIAL_VISIBLE_CHARS) / 12));
    const { tags, text: shown } = inspect(render(text));
    expect(tags.filter((t) => t.name === 'button')).toHaveLength(1);
    expect(shown.length).toBeLessThan(INITIAL_VISIBLE_CHARS + 200);
    expect(shown.startsWith(text.slice(0, INITIAL_VISIBLE_CHARS - 1))).toBe(true);
    // In the chat a long text mounts empty and is drawn by the deferred render
    // right after (a static render is that first pass): nothing of it, no button.
    const first = inspect(render(text, undefined, true));
    expect(first.text).toBe('');
    expect(first.tags.filter((t) => t.name === 'button')).toHaveLength(0);
    expect(inspect(render('She waits.', undefined, true)).text).toBe('She waits.');
  });
});
