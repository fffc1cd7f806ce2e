/**
 * A small, safe Markdown subset for role-play messages: `*actions*` and
 * `_italics_`, `**bold**`, `` `code` ``, "quoted speech", paragraphs and line
 * breaks. It produces a tree of text nodes that remember their offsets in the
 * source, so the checker's sentence highlights (source ranges) can be laid
 * over formatted text. Nothing here ever becomes HTML: the renderer only
 * creates React elements from this tree.
 */

export type InlineNode =
  | { type: 'text'; text: string; start: number }
  | { type: 'em' | 'strong' | 'code' | 'quote'; children: InlineNode[] };

export interface Paragraph {
  /** Lines of a paragraph (rendered with line breaks between them). */
  lines: InlineNode[][];
}

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

/** Splits a message into paragraphs (blank lines) and lines, parsing inline marks. */
export function parseMessage(src: string): Paragraph[] {
  const paragraphs: Paragraph[] = [];
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

export interface Highlight {
  start: number;
  end: number;
  id: string;
}

/** Pieces of a text node split at highlight boundaries. */
export function splitByHighlights(text: string, start: number, highlights: readonly Highlight[]): { text: string; highlight: Highlight | null }[] {
  const end = start + text.length;
  const cuts = new Set<number>([start, end]);
  for (const h of highlights) {
    if (h.end <= start || h.start >= end) continue;
    cuts.add(Math.max(start, h.start));
    cuts.add(Math.min(end, h.end));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: { text: string; highlight: Highlight | null }[] = [];
  for (let k = 0; k < points.length - 1; k++) {
    const a = points[k]!;
    const b = points[k + 1]!;
    const h = highlights.find((x) => x.start <= a && x.end >= b) ?? null;
    out.push({ text: text.slice(a - start, b - start), highlight: h });
  }
  return out;
}
