/**
 * Sentence splitting for persona extraction and the consistency checker.
 *
 * `Intl.Segmenter` (UAX #29 sentence rules, via ICU) is used when present; a
 * regex fallback covers runtimes without it. Both paths then go through the
 * same repair pass, because raw UAX #29 output has two habits that hurt
 * role-play text: it breaks after abbreviations ("Mr. | Smith") and after `!`/`?`
 * inside dialogue ('"Stop!" | she said.').
 */

/** Abbreviations that end with a period but rarely end a sentence (lower case, no dot). */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'st', 'jr', 'sr', 'prof', 'mt', 'vs', 'etc', 'e.g', 'i.e', 'approx',
  'no', 'vol', 'fig', 'inc', 'ltd', 'co', 'capt', 'col', 'gen', 'lt', 'sgt', 'rev', 'hon',
]);

type SegmenterCtor = new (
  locale: string,
  options: { granularity: 'sentence' },
) => { segment(text: string): Iterable<{ segment: string }> };

function nativeSegmenter(): SegmenterCtor | null {
  const ctor = (Intl as unknown as { Segmenter?: SegmenterCtor }).Segmenter;
  return typeof ctor === 'function' ? ctor : null;
}

/**
 * Split text into sentences: trimmed, empty ones dropped. Line breaks always end
 * a sentence (card text uses them as separators far more than as wrapping).
 *
 * @param locale BCP 47 tag passed to `Intl.Segmenter`; ignored by the fallback.
 */
export function splitSentences(text: string, locale = 'en'): string[] {
  const Segmenter = nativeSegmenter();
  if (!Segmenter) return splitSentencesFallback(text);
  const raw: string[] = [];
  try {
    let at = 0;
    for (const { segment } of new Segmenter(locale, { granularity: 'sentence' }).segment(maskMacros(text))) {
      // The mask keeps lengths, so offsets map straight back to the original.
      raw.push(text.slice(at, at + segment.length));
      at += segment.length;
    }
  } catch {
    // An unsupported locale tag throws RangeError; the rules we need are not
    // locale-specific enough to be worth failing over.
    return splitSentencesFallback(text);
  }
  return repair(raw);
}

/**
 * Hide `{{user}}`-style macros behind a capitalised word of the same length.
 * UAX #29 reads '. {{user}} is' as '. (lowercase…' and refuses to break there,
 * gluing "{{user}} is a traveller. {{user}} is kind." into one sentence.
 */
function maskMacros(text: string): string {
  return text.replace(/\{\{[^{}\n]*\}\}/g, (m) => `M${'m'.repeat(m.length - 1)}`);
}

/**
 * The splitter used when `Intl.Segmenter` is missing. Exported so both paths
 * can be tested on any runtime.
 */
export function splitSentencesFallback(text: string): string[] {
  const raw: string[] = [];
  // Terminator run, optional closing quotes/brackets, then whitespace. A line
  // break is handled separately as a hard break.
  const boundary = /[.!?…]+["'”’)\]*]*\s+/g;
  for (const line of text.split(/(?<=\r\n|\n|\r|\u2028|\u2029)/)) {
    let start = 0;
    for (const m of line.matchAll(boundary)) {
      const end = m.index + m[0].length;
      raw.push(line.slice(start, end));
      start = end;
    }
    if (start < line.length) raw.push(line.slice(start));
  }
  return repair(raw);
}

/** Merge false breaks (see module comment), then trim and drop empties. */
function repair(raw: string[]): string[] {
  const out: string[] = [];
  let hardBreakBefore = true;
  for (const piece of raw) {
    const trimmed = piece.trim();
    const endsWithHardBreak = /[\n\r\u2028\u2029]\s*$/.test(piece);
    if (!trimmed) {
      hardBreakBefore = hardBreakBefore || endsWithHardBreak;
      continue;
    }
    let current = trimmed;
    const prev = out.length > 0 ? out[out.length - 1] : undefined;
    if (prev !== undefined && !hardBreakBefore) {
      // ICU leaves a closing `*` or quote that follows the terminator at the
      // start of the next sentence ('*She smiles.| * Then'); give it back.
      const closer = leadingCloser(prev, current);
      if (closer) {
        out[out.length - 1] = prev + closer;
        current = current.slice(closer.length).trim();
        if (!current) {
          hardBreakBefore = endsWithHardBreak;
          continue;
        }
      }
    }
    const last = out.length > 0 ? out[out.length - 1] : undefined;
    if (last !== undefined && !hardBreakBefore && shouldMerge(last, current)) {
      out[out.length - 1] = `${last} ${current}`;
    } else {
      out.push(current);
    }
    hardBreakBefore = endsWithHardBreak;
  }
  return out;
}

/** The run of closing marks at the start of `next` that belongs to `prev`, or ''. */
function leadingCloser(prev: string, next: string): string {
  let taken = '';
  let before = prev;
  for (const ch of next) {
    const unbalanced = (mark: string) => before.split(mark).length % 2 === 0;
    const closes =
      '”’)]'.includes(ch) || ((ch === '*' || ch === '"' || ch === '_') && unbalanced(ch));
    if (!closes) break;
    taken += ch;
    before += ch;
  }
  return taken;
}

function shouldMerge(prev: string, next: string): boolean {
  // '"Stop!" she said.' — a sentence does not start in lower case.
  if (/^[\p{Ll}]/u.test(next)) return true;
  const lastWord = /(\S+)\.$/.exec(prev)?.[1];
  if (!lastWord) return false;
  const bare = lastWord.replace(/^[("'“‘[]+/, '').toLowerCase();
  // Initials such as "J. R. R. Tolkien".
  if (/^\p{Lu}$/u.test(lastWord)) return true;
  return ABBREVIATIONS.has(bare);
}
