/**
 * Parsing of the community attribute formats found inside card descriptions:
 *
 * - SillyTavern/"Boostyle" W++: `[Seraphina's body= "pink hair", "amber eyes"]`
 * - classic W++: `[character("Seraphina") { Body("pink hair" + "amber eyes") }]`
 * - PList: `[Seraphina: caring, protective; Seraphina's body: pink hair]`
 *
 * This module only splits text into key/value pairs and list items; turning
 * them into sentences is `extract.ts`'s job.
 */

/** One piece of a bracket block: an attribute pair or free prose. */
export type BlockSegment =
  | { kind: 'attribute'; key: string; value: string }
  | { kind: 'prose'; text: string };

/** Longest key (in words) still read as an attribute name rather than prose. */
const MAX_KEY_WORDS = 5;

const OPEN_QUOTES = '"“';
const CLOSE_QUOTES = '"”';

/**
 * Split on any of `separators` at nesting depth 0, outside double quotes and
 * parentheses, so `"likes tea; hates coffee"` stays one piece.
 */
export function splitTopLevel(text: string, separators: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of text) {
    if (quoted) {
      if (CLOSE_QUOTES.includes(ch)) quoted = false;
    } else if (OPEN_QUOTES.includes(ch)) {
      quoted = true;
    } else if (ch === '(' || ch === '{') {
      depth++;
    } else if ((ch === ')' || ch === '}') && depth > 0) {
      depth--;
    } else if (depth === 0 && separators.includes(ch)) {
      out.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Index of the first `=` or `:` outside quotes and parentheses, or -1. */
function separatorIndex(segment: string): number {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < segment.length; i++) {
    const ch = segment.charAt(i);
    if (quoted) {
      if (CLOSE_QUOTES.includes(ch)) quoted = false;
    } else if (OPEN_QUOTES.includes(ch)) {
      quoted = true;
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')' && depth > 0) {
      depth--;
    } else if (depth === 0 && (ch === '=' || ch === ':')) {
      return i;
    }
  }
  return -1;
}

/** True when `key` looks like an attribute name, not the start of a sentence. */
export function isPlausibleKey(key: string): boolean {
  const k = key.trim();
  if (!k || /[.!?"“”*]/.test(k)) return false;
  return k.split(/\s+/).length <= MAX_KEY_WORDS;
}

/** Split `Key: value` / `Key= value` into its parts, or null when it is prose. */
export function splitKeyValue(segment: string): { key: string; value: string } | null {
  const at = separatorIndex(segment);
  if (at <= 0) return null;
  const key = segment.slice(0, at).trim();
  const value = segment.slice(at + 1).trim();
  if (!isPlausibleKey(key) || !value) return null;
  return { key, value };
}

const CLASSIC_WPP = /([\p{L}][\p{L}\p{N}' _-]*?)\s*\(\s*((?:"[^"]*"|“[^”]*”)(?:\s*[+,]\s*(?:"[^"]*"|“[^”]*”))*)\s*\)/gu;

/**
 * Parse the inside of one `[...]` block into attribute and prose segments.
 * Classic W++ (`Key("a" + "b")`) is recognised by its quoted call syntax.
 */
export function parseBlock(content: string): BlockSegment[] {
  const classic = [...content.matchAll(CLASSIC_WPP)];
  if (classic.length > 0) {
    return classic
      .map((m) => ({ kind: 'attribute' as const, key: (m[1] ?? '').trim(), value: m[2] ?? '' }))
      // The header `character("Name")` names the character; it is not a fact.
      .filter((s) => !/^(?:character|char|name)$/i.test(s.key));
  }
  return splitTopLevel(content, ';\n').map((segment): BlockSegment => {
    const kv = splitKeyValue(segment);
    return kv ? { kind: 'attribute', ...kv } : { kind: 'prose', text: segment };
  });
}

/**
 * Split an attribute value into list items. Quoted items win when present
 * (`"pink hair", "amber eyes"`); otherwise split on commas and `+`, and, when
 * `splitAnd`, on "and"/"or" between single words ("smart, wary and quick-witted").
 */
export function splitValueItems(value: string, splitAnd: boolean): string[] {
  const quoted = [...value.matchAll(/"([^"]*)"|“([^”]*)”/g)].map((m) => (m[1] ?? m[2] ?? '').trim());
  const items = quoted.length > 0 ? quoted : splitTopLevel(value, ',+');
  const out: string[] = [];
  for (const raw of items) {
    // Only "wary and quick-witted" splits; "loves tea and cake" or "salt and
    // pepper hair" is one item.
    const pieces = raw.split(/\s+(?:and|or|&)\s+/i);
    const singleWords = pieces.every((p) => !/\s/.test(p.trim().replace(/^(?:and|or|&)\s+/i, '')));
    const parts = splitAnd && quoted.length === 0 && singleWords ? pieces : [raw];
    for (const part of parts) {
      const item = part
        .trim()
        .replace(/^(?:and|or|&)\s+/i, '')
        .replace(/^["'“‘*]+|["'”’*]+$/g, '')
        .replace(/^\((.*)\)$/, '$1')
        .replace(/[.;]+$/, '')
        .replace(/(\S)\(/g, '$1 (')
        .trim();
      if (item) out.push(item);
    }
  }
  return out;
}
