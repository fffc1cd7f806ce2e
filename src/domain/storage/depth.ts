/**
 * Nesting limits for untrusted JSON, checked without recursion.
 *
 * Why: a card or backup nested 10,000 levels deep parses, and IndexedDB stores
 * it, but the studio's own export (`JSON.stringify`) then throws a RangeError,
 * and any recursive walk of it can overflow the stack. Both checks here are
 * loops over an explicit stack: linear in the input, constant call depth.
 */

/**
 * Deepest nesting of objects/arrays accepted anywhere in a card or backup.
 * Real cards nest a handful of levels (extensions of tools such as RisuAI or
 * Chub reach ~10); a backup adds 4 levels around a card. 128 leaves ample room
 * while staying far below where JSON.stringify overflows (thousands).
 */
export const MAX_JSON_DEPTH = 128;

const OPEN_BRACE = 0x7b; // {
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACE = 0x7d; // }
const CLOSE_BRACKET = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * True when JSON text nests objects/arrays more than `limit` levels deep
 * (brackets inside strings do not count). One pass over the text, stopping at
 * the first level past the limit; malformed text is left for JSON.parse to name.
 */
export function jsonTextDepthExceeds(text: string, limit: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/**
 * True when a value nests objects/arrays more than `limit` levels deep (a
 * scalar is depth 0, `{}` is 1). Iterative; each object is visited once, so
 * shared or cyclic references (IndexedDB's structured clone allows both) cost
 * nothing extra and cannot loop.
 */
export function valueDepthExceeds(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const seen = new Set<object>();
  const stack: [object, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > limit) return true;
    if (seen.has(node)) continue;
    seen.add(node);
    // Blobs and other non-plain objects are leaves: only JSON-like structure nests.
    const children = Array.isArray(node) ? node : isPlainObject(node) ? Object.values(node) : [];
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
