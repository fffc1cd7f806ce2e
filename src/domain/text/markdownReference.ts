/**
 * TEST ORACLE — never imported by the app. The role-play Markdown parser as it
 * was before it was made linear (commit 99bffc2), kept verbatim so the
 * differential tests can check that the linear parser in markdown.ts gives
 * the same tree on every input, and that the linearity test does catch a
 * quadratic parser. It is quadratic: 20,000 `*` take seconds.
 */
import type { InlineNode, Paragraph } from './markdown';

const QUOTE_PAIRS: Record<string, string> = { '"': '"', '“': '”' };

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}]/u.test(c);
}

/** Parses one line (no newlines) starting at `offset` in the source. */
function parseInline(src: string, from: number, to: number): InlineNode[] {
  const out: InlineNode[] = [];
  let textStart = from;
  const flush = (end: number) => {
    if (end > textStart) out.push({ type: 'text', text: src.slice(textStart, end), start: textStart });
  };
  let i = from;
  while (i < to) {
    const c = src[i]!;
    // Code spans are literal inside.
    if (c === '`') {
      const close = src.indexOf('`', i + 1);
      if (close !== -1 && close < to) {
        flush(i);
        out.push({ type: 'code', children: [{ type: 'text', text: src.slice(i + 1, close), start: i + 1 }] });
        i = close + 1;
        textStart = i;
        continue;
      }
    }
    if (c === '*' && src[i + 1] === '*') {
      const close = src.indexOf('**', i + 2);
      if (close !== -1 && close + 2 <= to && close > i + 2) {
        flush(i);
        out.push({ type: 'strong', children: parseInline(src, i + 2, close) });
        i = close + 2;
        textStart = i;
        continue;
      }
    }
    if (c === '*' || (c === '_' && !isWordChar(src[i - 1]))) {
      let close = -1;
      for (let j = i + 1; j < to; j++) {
        if (src[j] === c) {
          if (c === '_' && isWordChar(src[j + 1])) continue;
          if (c === '*' && src[j + 1] === '*') {
            j++;
            continue;
          }
          close = j;
          break;
        }
      }
      if (close > i + 1) {
        flush(i);
        out.push({ type: 'em', children: parseInline(src, i + 1, close) });
        i = close + 1;
        textStart = i;
        continue;
      }
    }
    const closeQuote = QUOTE_PAIRS[c];
    if (closeQuote) {
      const close = src.indexOf(closeQuote, i + 1);
      if (close !== -1 && close < to && close > i + 1) {
        flush(i);
        // The quote marks stay visible: they are part of the prose.
        out.push({ type: 'quote', children: [{ type: 'text', text: c, start: i }, ...parseInline(src, i + 1, close), { type: 'text', text: closeQuote, start: close }] });
        i = close + 1;
        textStart = i;
        continue;
      }
    }
    i++;
  }
  flush(to);
  return out;
}

/** The old `parseMessage` (without line ranges, which it never had). */
export function parseMessageReference(src: string): Pick<Paragraph, 'lines'>[] {
  const paragraphs: Pick<Paragraph, 'lines'>[] = [];
  let lines: InlineNode[][] = [];
  let pos = 0;
  while (pos <= src.length) {
    const nl = src.indexOf('\n', pos);
    const end = nl === -1 ? src.length : nl;
    if (src.slice(pos, end).trim() === '') {
      if (lines.length) paragraphs.push({ lines });
      lines = [];
    } else {
      lines.push(parseInline(src, pos, end));
    }
    if (nl === -1) break;
    pos = nl + 1;
  }
  if (lines.length) paragraphs.push({ lines });
  return paragraphs;
}
