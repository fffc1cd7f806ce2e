/**
 * Text helpers the role detectors share (assistant voice, echo, speaking for
 * the user). Every function is one pass over its input: replies are untrusted
 * and may be huge.
 */

/** Longest evidence string a flag carries (the stored schema allows 1000). */
export const EVIDENCE_MAX_CHARS = 200;

/** Lower case, curly quotes straightened, whitespace collapsed: what lexical cues match against. */
export function normalizeForCues(text: string): string {
  return text
    .toLowerCase()
    .replace(/[‘’ʼ`]/g, "'")
    .replace(/[“”«»]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Words of `text`, lower case: runs of letters, digits and inner apostrophes
 * ("don't" stays one word). Linear.
 */
export function wordsOf(text: string): string[] {
  const out: string[] = [];
  const re = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
  for (const m of text.toLowerCase().matchAll(re)) out.push(m[0].replace(/’/g, "'"));
  return out;
}

/** `text` cut to `max` characters on a word boundary when one is near, with an ellipsis. */
export function clip(text: string, max = EVIDENCE_MAX_CHARS): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

/** A sentence of the reply as the detectors see it (offsets into the reply text). */
export interface RoleSentence {
  index: number;
  start: number;
  end: number;
  text: string;
}

/**
 * Index of the sentence holding `offset` (or the first one after it), found
 * from `from` onwards: callers walk offsets in increasing order, so a whole
 * scan stays linear. -1 when no sentence starts at or after it.
 */
export function sentenceAt(sentences: readonly RoleSentence[], offset: number, from = 0): number {
  for (let i = Math.max(0, from); i < sentences.length; i++) {
    if (offset < sentences[i]!.end) return i;
  }
  return -1;
}
