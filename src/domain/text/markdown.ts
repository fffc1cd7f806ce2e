/**
 * A small, safe Markdown subset for role-play messages: `*actions*` and
 * `_italics_`, `**bold**`, `` `code` ``, "quoted speech", paragraphs and line
 * breaks. It produces a tree of text nodes that remember their offsets in the
 * source, so the checker's sentence highlights (source ranges) can be laid
 * over formatted text. Nothing here ever becomes HTML: the renderer only
 * creates React elements from this tree.
 *
 * Time is linear in the input. Card and model text is untrusted, and the
 * first version searched for each opener's closer from scratch, to the end of
 * the message: 50,000 `“` took 14 s. Here every search for a closer goes
 * through a {@link Finder} that remembers its last answer; a line is parsed
 * left to right (nested spans included), so searches start at positions that
 * never go back and each finder scans each character of the line at most
 * once. Nesting is bounded (a span cannot contain a span of its own kind, see
 * the tests), so the recursion visits each character a bounded number of
 * times. The trees are exactly those of the first version (a differential
 * property test holds them equal).
 */

export type InlineNode =
  | { type: 'text'; text: string; start: number }
  | { type: 'em' | 'strong' | 'code' | 'quote'; children: InlineNode[] };

/** Source offsets of one line, `end` exclusive (its newline is not part of it). */
export interface LineRange {
  start: number;
  end: number;
}

export interface Paragraph {
  /** Lines of a paragraph (rendered with line breaks between them). */
  lines: InlineNode[][];
  /** Where each of `lines` sits in the source (same order). */
  lineRanges: LineRange[];
}

const BACKTICK = 0x60;
const STAR = 0x2a;
const UNDERSCORE = 0x5f;
const STRAIGHT_QUOTE = 0x22;
const CURLY_OPEN = 0x201c;

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}]/u.test(c);
}

/**
 * First index at or after `from` where a search matches, or `src.length` when
 * none does. Remembers its last answer: for non-decreasing `from` the total
 * work over a whole message is one pass, however many times it is asked.
 */
class Finder {
  private lastFrom = Number.POSITIVE_INFINITY;
  private lastAt = -1;

  constructor(private readonly search: (from: number) => number) {}

  next(from: number): number {
    // Nothing matched in [lastFrom, lastAt), so the answer from any `from` in
    // that window is the same.
    if (from >= this.lastFrom && from <= this.lastAt) return this.lastAt;
    this.lastFrom = from;
    this.lastAt = this.search(from);
    return this.lastAt;
  }
}

/**
 * Everything the inline parser searches for in a message, each search
 * memoised (see {@link Finder}). Searches run past the end of the line being
 * parsed; the parser ignores answers beyond it. Lines are parsed in order, so
 * the memo holds across lines too: a line with an unmatched `“` does not
 * rescan the rest of the message.
 */
class MessageScanner {
  readonly backtick: Finder;
  readonly doubleStar: Finder;
  readonly straightQuote: Finder;
  readonly curlyClose: Finder;
  /** An `_` that can close italics: the next character is not a letter or digit. */
  readonly underscoreCloser: Finder;
  private readonly star: Finder;
  private readonly notStar: Finder;
  /** Memo of {@link starCloserFresh}: from `from`, the answer `at`, found in the run starting at `runStart`. */
  private fresh = { from: Number.POSITIVE_INFINITY, at: -1, runStart: -1 };

  constructor(readonly src: string) {
    const len = src.length;
    const indexOf = (needle: string) => (from: number) => {
      const at = src.indexOf(needle, from);
      return at === -1 ? len : at;
    };
    this.backtick = new Finder(indexOf('`'));
    this.doubleStar = new Finder(indexOf('**'));
    this.straightQuote = new Finder(indexOf('"'));
    this.curlyClose = new Finder(indexOf('”'));
    this.star = new Finder(indexOf('*'));
    this.underscoreCloser = new Finder((from) => {
      for (let k = src.indexOf('_', from); k !== -1; k = src.indexOf('_', k + 1)) {
        if (!isWordChar(src[k + 1])) return k;
      }
      return len;
    });
    this.notStar = new Finder((from) => {
      let k = from;
      while (k < len && src.charCodeAt(k) === STAR) k++;
      return k;
    });
  }

  /**
   * The closing `*` of `*italics*` when scanning from `s`: stars are taken in
   * pairs (a pair is bold, skipped), and the first star left alone at the end
   * of its run closes. So inside a run, only the run's length from `s` on
   * matters: odd → its last star closes, even → look further. (Runs never
   * cross a newline.)
   */
  starCloser(s: number): number {
    if (this.src.charCodeAt(s) !== STAR) return this.starCloserFresh(s);
    const runEnd = this.notStar.next(s);
    if ((runEnd - s) % 2 === 1) return runEnd - 1;
    return this.starCloserFresh(runEnd);
  }

  /** {@link starCloser} from a position that is not inside a run of stars. */
  private starCloserFresh(from: number): number {
    const memo = this.fresh;
    // Every run between memo.from and memo.runStart was even: same answer.
    if (from >= memo.from && from <= memo.runStart) return memo.at;
    const len = this.src.length;
    let k = from;
    for (;;) {
      const runStart = this.star.next(k);
      if (runStart >= len) {
        this.fresh = { from, at: len, runStart: len };
        return len;
      }
      const runEnd = this.notStar.next(runStart);
      if ((runEnd - runStart) % 2 === 1) {
        this.fresh = { from, at: runEnd - 1, runStart };
        return runEnd - 1;
      }
      k = runEnd;
    }
  }
}

/** Parses `[from, to)` of one line (no newlines). */
function parseInline(scan: MessageScanner, from: number, to: number): InlineNode[] {
  const src = scan.src;
  const out: InlineNode[] = [];
  // Plain text since the last span; flushed when a span starts and at the end.
  let textStart = from;
  let i = from;
  while (i < to) {
    const c = src.charCodeAt(i);
    let node: InlineNode | null = null;
    let next = i;
    // Code spans are literal inside.
    if (c === BACKTICK) {
      const close = scan.backtick.next(i + 1);
      if (close < to) {
        node = { type: 'code', children: [{ type: 'text', text: src.slice(i + 1, close), start: i + 1 }] };
        next = close + 1;
      }
    }
    if (node === null && c === STAR && src.charCodeAt(i + 1) === STAR) {
      const close = scan.doubleStar.next(i + 2);
      if (close + 2 <= to && close > i + 2) {
        node = { type: 'strong', children: parseInline(scan, i + 2, close) };
        next = close + 2;
      }
    }
    if (node === null && (c === STAR || (c === UNDERSCORE && !isWordChar(src[i - 1])))) {
      const close = c === STAR ? scan.starCloser(i + 1) : scan.underscoreCloser.next(i + 1);
      if (close < to && close > i + 1) {
        node = { type: 'em', children: parseInline(scan, i + 1, close) };
        next = close + 1;
      }
    }
    if (node === null && (c === STRAIGHT_QUOTE || c === CURLY_OPEN)) {
      const close = (c === STRAIGHT_QUOTE ? scan.straightQuote : scan.curlyClose).next(i + 1);
      if (close < to && close > i + 1) {
        // The quote marks stay visible: they are part of the prose.
        const children: InlineNode[] = [{ type: 'text', text: src[i]!, start: i }];
        for (const child of parseInline(scan, i + 1, close)) children.push(child);
        children.push({ type: 'text', text: src[close]!, start: close });
        node = { type: 'quote', children };
        next = close + 1;
      }
    }
    if (node === null) {
      i++;
      continue;
    }
    if (i > textStart) out.push({ type: 'text', text: src.slice(textStart, i), start: textStart });
    out.push(node);
    i = next;
    textStart = next;
  }
  if (to > textStart) out.push({ type: 'text', text: src.slice(textStart, to), start: textStart });
  return out;
}

/** JavaScript's white space and line terminators: what `String.prototype.trim` removes. */
function isSpace(c: number): boolean {
  return (
    c === 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** A line of nothing but white space separates paragraphs. (No slice per line: a message may be all newlines.) */
function isBlank(src: string, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (!isSpace(src.charCodeAt(k))) return false;
  return true;
}

/** Splits a message into paragraphs (blank lines) and lines, parsing inline marks. */
export function parseMessage(src: string): Paragraph[] {
  return new IncrementalMarkdown().update(src);
}

/** A non-blank line. It is its own LineRange in `Paragraph.lineRanges` (no copy per line). */
interface LineRecord extends LineRange {
  nodes: InlineNode[];
  /** A blank line (or several) comes between this line and the previous one. */
  breakBefore: boolean;
}

/**
 * Parses a message that grows (a streamed reply, a field shown a chunk at a
 * time): lines that ended before the last newline are parsed once and kept;
 * only the open last line is parsed again. Inline marks never span lines, so
 * a finished line's tree never changes. Finished lines keep their
 * `InlineNode[]` identity across updates, and closed paragraphs (followed by
 * a complete blank line) their `Paragraph` identity, which lets the renderer
 * skip them.
 *
 * Any other change (an edit, a swipe) costs one full parse. Going back to a
 * prefix of the last text (a deferred render showing an older value) reuses
 * the lines it still contains. Each update also compares the kept prefix
 * with the new text (a native string comparison, ~0.3 ms for 200 KB here).
 */
export class IncrementalMarkdown {
  private text = '';
  /** Non-blank finished lines (each ends before a newline at index `end`). */
  private done: LineRecord[] = [];
  /** Where the open last line starts: just after the last newline. */
  private stable = 0;
  /** Paragraphs that can no longer change, and the `done` lines they span. */
  private closed: { paragraph: Paragraph; to: number }[] = [];
  private result: Paragraph[] | null = null;

  /** The paragraphs of `text`, reusing what is still valid from the previous call. */
  update(text: string): Paragraph[] {
    if (text === this.text && this.result) return this.result;
    this.keepValidLines(text);
    // One scanner per update: lines are parsed in order, so its memos hold.
    const scan = new MessageScanner(text);
    let pos = this.stable;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl === -1) break;
      const line = this.line(scan, pos, nl);
      if (line) this.done.push(line);
      pos = nl + 1;
    }
    this.stable = pos;
    this.closeParagraphs();
    const tail = this.line(scan, pos, text.length);
    const open = this.openFrom();
    const paragraphs = this.closed.map((c) => c.paragraph);
    const current = paragraph(this.done, open, this.done.length);
    if (tail && (tail.breakBefore || current.lines.length === 0)) {
      if (current.lines.length) paragraphs.push(current);
      paragraphs.push({ lines: [tail.nodes], lineRanges: [tail] });
    } else {
      if (tail) {
        current.lines.push(tail.nodes);
        current.lineRanges.push(tail);
      }
      if (current.lines.length) paragraphs.push(current);
    }
    this.text = text;
    this.result = paragraphs;
    return paragraphs;
  }

  private openFrom(): number {
    return this.closed.at(-1)?.to ?? 0;
  }

  /** Closes every paragraph that a blank line has ended: a later line starts after one, or one is complete at the end. */
  private closeParagraphs(): void {
    const done = this.done;
    let from = this.openFrom();
    for (let k = from + 1; k < done.length; k++) {
      if (done[k]!.breakBefore) {
        this.closed.push({ paragraph: paragraph(done, from, k), to: k });
        from = k;
      }
    }
    if (from < done.length && this.stable > done.at(-1)!.end + 1) {
      this.closed.push({ paragraph: paragraph(done, from, done.length), to: done.length });
    }
  }

  private line(scan: MessageScanner, start: number, end: number): LineRecord | null {
    if (isBlank(scan.src, start, end)) return null;
    const last = this.done.at(-1);
    // Lines between the last record and this one were all blank.
    return { start, end, nodes: parseInline(scan, start, end), breakBefore: last !== undefined && start > last.end + 1 };
  }

  /** Drops the finished lines (and closed paragraphs) that `text` no longer has unchanged. */
  private keepValidLines(text: string): void {
    const stable = this.stable;
    if (stable === 0) return;
    if (text.length >= stable && text.startsWith(this.text.slice(0, stable))) return;
    if (!this.text.startsWith(text)) {
      this.done = [];
      this.closed = [];
      this.stable = 0;
      return;
    }
    // A prefix: keep the lines whose newline is still there.
    let n = this.done.length;
    while (n > 0 && this.done[n - 1]!.end >= text.length) n--;
    this.done = this.done.slice(0, n);
    this.stable = text.lastIndexOf('\n') + 1;
    const closed = this.closed;
    while (closed.length && closed.at(-1)!.to > n) closed.pop();
    // The last one stays closed only while the blank line after it is still complete.
    const last = closed.at(-1);
    if (last && last.to === n && !(n > 0 && this.stable > this.done[n - 1]!.end + 1)) closed.pop();
  }
}

/** The paragraph of `done[from..to)` (new arrays; the line records are shared). */
function paragraph(done: readonly LineRecord[], from: number, to: number): Paragraph {
  const lines: InlineNode[][] = [];
  const lineRanges: LineRange[] = [];
  for (let k = from; k < to; k++) {
    lines.push(done[k]!.nodes);
    lineRanges.push(done[k]!);
  }
  return { lines, lineRanges };
}

/**
 * Where the text of a long field is cut for display, at most `limit`
 * characters in: at the last line break in the last quarter of the budget
 * when there is one (so no line is shown half), never inside a surrogate pair.
 */
export function displayCut(text: string, limit: number): number {
  if (text.length <= limit) return text.length;
  const nl = text.lastIndexOf('\n', limit - 1);
  if (nl >= limit * 0.75) return nl;
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
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

/**
 * Highlights sorted by start, bucketed by the lines they touch (a highlight
 * spanning lines is in each). O(highlights × log lines + lines).
 */
export function highlightsByLine<H extends Highlight>(ranges: readonly LineRange[], highlights: readonly H[]): H[][] {
  const buckets: H[][] = ranges.map(() => []);
  if (highlights.length === 0 || ranges.length === 0) return buckets;
  for (const h of highlights) {
    // First line whose end is past h.start (lines are in source order).
    let lo = 0;
    let hi = ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ranges[mid]!.end <= h.start) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < ranges.length && ranges[k]!.start < h.end; k++) {
      if (h.end > ranges[k]!.start && h.start < ranges[k]!.end) buckets[k]!.push(h);
    }
  }
  return buckets;
}
