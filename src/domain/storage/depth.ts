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
 * Most objects and arrays {@link valueDepthExceeds} visits before it calls a
 * value too large. A JSON container takes at least two characters, so a 20 MiB
 * card holds at most ~10 million; the budget only binds on values that did not
 * come from JSON (a shared subtree in an IndexedDB record is visited once per
 * reference).
 */
export const MAX_VISITED_NODES = 16_000_000;

/**
 * True when a value nests objects/arrays more than `limit` levels deep (a
 * scalar is depth 0, `{}` is 1), or is a graph too large to walk. Iterative,
 * with an explicit stack and no per-node allocation; a cyclic value (IndexedDB's
 * structured clone allows cycles) always exceeds the limit, so it ends. Blobs
 * and other non-plain objects are leaves: only JSON-like structure nests.
 */
export function valueDepthExceeds(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  if (!isContainer(value)) return false;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  let visited = 0;
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > limit || ++visited > MAX_VISITED_NODES) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (isContainer(child)) {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null && (Array.isArray(value) || isPlainObject(value));
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
