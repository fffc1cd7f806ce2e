/**
 * The one sentence splitter: persona extraction splits card text with it
 * (splitSentences), and the consistency checker segments replies with it as
 * they stream in, token by token (StreamingSentenceSegmenter).
 *
 * The checker scores a sentence the moment it is complete, so segmentation
 * must (1) emit a sentence as soon as its end is certain and (2) never change
 * its mind: the sentences, indices and offsets must be the same whether the
 * text arrives whole or in any chunking. Both follow from one design: every
 * boundary decision is a pure function of the text up to a bounded lookahead,
 * and a decision whose lookahead has not arrived yet is postponed, never guessed.
 * Each character is examined a bounded number of times: linear in the text,
 * whatever it holds (card text is untrusted).
 *
 * Rules (English-first, tuned for role-play prose with *actions* and "quotes"):
 * - A line break always ends a sentence (paragraphs, dialogue lines, lists,
 *   card fields like "Name: Maren"): \n, \r, U+2028, U+2029.
 * - A run of terminal punctuation (. ! ? … ‽), then any closers
 *   (" ' ” ’ » ) ] } * _ 」 』), then whitespace, ends a sentence after the
 *   closers: `"Hello." She…` → `"Hello."` | `She…`; `*smiles.* Then` →
 *   `*smiles.*` | `Then`. No whitespace, no boundary: "3.5", "Hi!?", `."She`.
 * - Unless the next visible character is a lowercase letter: the sentence goes
 *   on (`"Really?" she asked.`, `I was... thinking`). Hence the emission delay:
 *   a sentence ending in "." is emitted when the next visible character (or a
 *   line break, or flush) arrives.
 * - Ellipsis ("..." or "…") follows the same rule: mid-sentence before a
 *   lowercase word, a boundary before a capital (`Well... I suppose so.` →
 *   `Well...` | `I suppose so.`). For NLI the fragment is neutral, harmless.
 * - A single "." after a known abbreviation (ABBREVIATIONS: titles such as
 *   Mr, Mrs, Dr, Prof, Capt; e.g, i.e, vs, cf…) or a single capital initial
 *   (`J. R. R. Tolkien`) does not end a sentence, nor does a list number at
 *   the start of a sentence (`1. First`). Known misses: `…the Dr. Then` and
 *   `Plan B. Then` stay one sentence unless a line break follows.
 * - An action that opens a sentence and closes without terminal punctuation is
 *   a sentence of its own before a non-lowercase word: `*smiles* Hello.` →
 *   `*smiles*` | `Hello.`; `*smiles* and nods.` stays whole.
 * - A span with no letter or digit never becomes a sentence: a punctuation
 *   boundary is skipped (so `... Hello` stays one), a line break drops it (`***`).
 * - CJK 。！？ are not boundaries (they take no following space); only line breaks split CJK text.
 */

/** `feed()` was called on a StreamingSentenceSegmenter after `flush()`. */
export class SegmenterClosedError extends Error {
  override name = 'SegmenterClosedError';
  constructor() {
    super('The segmenter was flushed; call reset() before feeding a new reply.');
  }
}

export interface SegmentedSentence {
  /** 0-based position among the reply's sentences. */
  index: number;
  /** Offset of the first non-whitespace character in the full reply text. */
  start: number;
  /** Offset just past the last non-whitespace character: text = reply.slice(start, end). */
  end: number;
  text: string;
}

const TERMINALS = new Set(['.', '!', '?', '…', '‽']);
const CLOSERS = new Set(['"', "'", '”', '’', '»', ')', ']', '}', '*', '_', '」', '』']);
/** Characters that may precede an abbreviation: start of a quote, action or bracket. */
const OPENERS = new Set(['"', "'", '“', '‘', '«', '(', '[', '{', '*', '_']);

/**
 * Lowercase, without the final ".": matched against the word before a single
 * ".". Left out on purpose, because before a capital they usually end a
 * sentence: "no" (a whole reply in role-play: "No. Get out."), "etc", and the
 * company suffixes "inc", "ltd", "co".
 */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'sr', 'jr', 'capt', 'lt', 'sgt', 'col', 'gen', 'rev', 'hon', 'mt',
  'vs', 'e.g', 'i.e', 'cf', 'approx', 'fig', 'vol',
]);

const LOWERCASE = /\p{Ll}/u;
const UPPERCASE = /^\p{Lu}$/u;
const ALNUM = /[\p{L}\p{N}]/u;
const WORD_OR_DOT = /[\p{L}\p{N}.]/u;
const DIGITS = /^\p{N}+$/u;

function isSpace(ch: string): boolean {
  return ch.trim() === '' && ch !== '';
}

function isLineBreak(ch: string | undefined): boolean {
  return ch === '\n' || ch === '\r' || ch === '\u2028' || ch === '\u2029';
}

/** A boundary decision at a scan position. */
type Decision =
  /** The sentence ends at `end` (exclusive); scanning resumes at `next`. */
  | { kind: 'break'; end: number; next: number }
  /** No boundary here; resume scanning at `next`. */
  | { kind: 'none'; next: number }
  /** The lookahead the decision needs has not arrived yet. */
  | { kind: 'wait' };

/**
 * Feed text deltas with `feed()`; each call returns the sentences completed by
 * that delta. `flush()` at the end of the reply returns the rest.
 *
 * Cost: the segmenter keeps the whole reply (offsets are global and replies are
 * a few KB), and each character is examined a bounded number of times: what a
 * decision needs about the current sentence (where its visible text starts,
 * whether it has a letter yet, where an opening action closes) is kept as it
 * is scanned, never searched for again.
 */
export class StreamingSentenceSegmenter {
  private text = '';
  /** Next position to examine. */
  private pos = 0;
  /** Where the current (unfinished) sentence began, possibly on whitespace. */
  private sentenceStart = 0;
  /** First non-whitespace position of the current sentence scanned so far; -1 while none. */
  private visibleStart = -1;
  /** The current sentence has a letter or digit among its scanned characters. */
  private hasAlnum = false;
  /** First "*" after an opening "*" of the current sentence; -1 until asked for. */
  private actionClose = -1;
  private nextIndex = 0;
  private closed = false;

  /**
   * Appends a delta and returns the sentences it completed (possibly none).
   * @throws {SegmenterClosedError} after flush(), until reset().
   */
  feed(delta: string): SegmentedSentence[] {
    if (this.closed) throw new SegmenterClosedError();
    this.text += delta;
    return this.scan(false);
  }

  /** Ends the reply: resolves pending decisions as end-of-text and emits the remainder. Idempotent. */
  flush(): SegmentedSentence[] {
    if (this.closed) return [];
    const out = this.scan(true);
    const last = this.emit(this.sentenceStart, this.text.length);
    if (last) out.push(last);
    this.startSentence(this.text.length);
    this.closed = true;
    return out;
  }

  /** Forgets everything, ready for a new reply (e.g. a swipe). */
  reset(): void {
    this.text = '';
    this.pos = 0;
    this.startSentence(0);
    this.nextIndex = 0;
    this.closed = false;
  }

  /** The full text fed so far. */
  get fullText(): string {
    return this.text;
  }

  private startSentence(at: number): void {
    this.sentenceStart = at;
    this.visibleStart = -1;
    this.hasAlnum = false;
    this.actionClose = -1;
  }

  private scan(final: boolean): SegmentedSentence[] {
    const out: SegmentedSentence[] = [];
    while (this.pos < this.text.length) {
      // Every character of a sentence passes here except the terminals and
      // closers a decision steps over, which are neither spaces nor letters.
      const ch = this.text[this.pos]!;
      if (this.visibleStart < 0 && !isSpace(ch)) this.visibleStart = this.pos;
      if (!this.hasAlnum && ALNUM.test(ch)) this.hasAlnum = true;
      const d = this.decide(this.pos, final);
      if (d.kind === 'wait') break;
      if (d.kind === 'break') {
        const s = this.emit(this.sentenceStart, d.end);
        if (s) out.push(s);
        this.startSentence(d.next);
      }
      this.pos = d.next;
    }
    return out;
  }

  /** Emits [from, to) trimmed, unless it holds no letter or digit (then it is dropped). */
  private emit(from: number, to: number): SegmentedSentence | null {
    const [start, end] = trimSpan(this.text, from, to);
    if (start >= end) return null;
    const text = this.text.slice(start, end);
    if (!ALNUM.test(text)) return null;
    return { index: this.nextIndex++, start, end, text };
  }

  private decide(i: number, final: boolean): Decision {
    const t = this.text;
    const ch = t[i]!;
    if (isLineBreak(ch)) return { kind: 'break', end: i, next: i + 1 };

    if (TERMINALS.has(ch)) {
      let j = i;
      while (j < t.length && TERMINALS.has(t[j]!)) j++;
      let k = j;
      while (k < t.length && CLOSERS.has(t[k]!)) k++;
      if (k === t.length) return final ? { kind: 'break', end: k, next: k } : { kind: 'wait' };
      if (!isSpace(t[k]!)) return { kind: 'none', next: k };
      const look = this.lookahead(k, final);
      if (look === 'wait') return { kind: 'wait' };
      if (look === 'newline' || look === 'end') return { kind: 'break', end: k, next: k };
      if (look === 'lowercase') return { kind: 'none', next: k };
      const run = t.slice(i, j);
      if (run === '.' && k === j && this.isAbbreviationBefore(i)) return { kind: 'none', next: k };
      // [i, k) holds terminals and closers only: no letter there either.
      if (!this.hasAlnum) return { kind: 'none', next: k };
      return { kind: 'break', end: k, next: k };
    }

    if (ch === '*' && this.closesOpeningAction(i)) {
      const k = i + 1;
      if (k === t.length) return final ? { kind: 'break', end: k, next: k } : { kind: 'wait' };
      if (!isSpace(t[k]!)) return { kind: 'none', next: k };
      const look = this.lookahead(k, final);
      if (look === 'wait') return { kind: 'wait' };
      if (look === 'lowercase') return { kind: 'none', next: k };
      return { kind: 'break', end: k, next: k };
    }

    return { kind: 'none', next: i + 1 };
  }

  /** Classifies the first character after the horizontal whitespace starting at `k`. */
  private lookahead(k: number, final: boolean): 'wait' | 'end' | 'newline' | 'lowercase' | 'other' {
    const t = this.text;
    let m = k;
    while (m < t.length && !isLineBreak(t[m]) && isSpace(t[m]!)) m++;
    if (m === t.length) return final ? 'end' : 'wait';
    if (isLineBreak(t[m])) return 'newline';
    return LOWERCASE.test(t[m]!) ? 'lowercase' : 'other';
  }

  /** Is the single "." at `dot` the end of an abbreviation, an initial, or a leading list number? */
  private isAbbreviationBefore(dot: number): boolean {
    const t = this.text;
    let p = dot;
    while (p > this.sentenceStart && WORD_OR_DOT.test(t[p - 1]!)) p--;
    const before = p > 0 ? t[p - 1]! : '';
    if (before !== '' && !isSpace(before) && !OPENERS.has(before)) return false;
    const word = t.slice(p, dot).replace(/^\.+/, '');
    if (word === '') return false;
    if (ABBREVIATIONS.has(word.toLowerCase())) return true;
    if (UPPERCASE.test(word)) return true;
    // "1. First" — only at the start of the sentence, or "It cost 3. Then" would stick.
    return this.visibleStart === p && DIGITS.test(word);
  }

  /**
   * Is the "*" at `i` the closing mark of an action that opens the current
   * sentence (`*smiles*`)? Bold (`**`) and asterisks after a space are not.
   */
  private closesOpeningAction(i: number): boolean {
    const t = this.text;
    const start = this.visibleStart;
    if (start < 0 || start >= i - 1 || t[start] !== '*' || t[start + 1] === '*') return false;
    if (isSpace(t[i - 1]!)) return false;
    // The text only grows, so the first "*" after the opening one stays put.
    if (this.actionClose < 0) this.actionClose = t.indexOf('*', start + 1);
    return this.actionClose === i;
  }
}

/** [from, to) shrunk to exclude leading and trailing whitespace. */
function trimSpan(text: string, from: number, to: number): [number, number] {
  let s = from;
  let e = to;
  while (s < e && isSpace(text[s]!)) s++;
  while (e > s && isSpace(text[e - 1]!)) e--;
  return [s, e];
}

/** Segments a whole reply at once; identical to streaming it in any chunks. */
export function segmentSentences(text: string): SegmentedSentence[] {
  const seg = new StreamingSentenceSegmenter();
  return [...seg.feed(text), ...seg.flush()];
}

/**
 * The sentences of a whole text (card descriptions, persona fields): the
 * texts of segmentSentences, trimmed, in order.
 */
export function splitSentences(text: string): string[] {
  return segmentSentences(text).map((s) => s.text);
}
