/**
 * Lorebook (world info) activation: which entries of a card's character book
 * enter the prompt for the current turn.
 *
 * Rules (V2/V3 character book semantics, with the choices made here):
 * - disabled entries never; `constant` entries always;
 * - otherwise an entry fires when any key occurs in the last `scan_depth`
 *   history messages (default {@link DEFAULT_SCAN_DEPTH});
 * - plain keys match case-insensitively unless `case_sensitive`, on word
 *   boundaries, allowing a plural/possessive ending ("shadowfang" matches
 *   "Shadowfangs", "forest" does not match "forestry"); spaces in a key match
 *   any whitespace;
 * - a key written `/pattern/flags` is a regular expression (always — this is
 *   how SillyTavern exports them in V2 books that have no `use_regex` field);
 *   with `use_regex` any key is a pattern. `i` is added unless
 *   `case_sensitive`; `g`/`y` are dropped (stateful). Invalid patterns never
 *   match and never throw;
 * - `selective` entries also need one of `secondary_keys` (the V2 "AND ANY"
 *   logic; SillyTavern's other selective logics in `extensions` are ignored);
 * - with `recursive_scanning`, activated entries' content is scanned too;
 * - `extensions.probability` is ignored: the prompt must be reproducible.
 * Result order is `insertion_order` ascending (ties keep book order); the
 * book's own `token_budget`, when set, drops entries lowest priority first.
 */
import type { Lorebook, LorebookEntry } from '../character';
import { resolveMacros, type MacroNames } from '../text/macros';

/** Messages scanned for keys when the book does not say. */
export const DEFAULT_SCAN_DEPTH = 4;

/** An entry that fired, with its content ready for the prompt. */
export interface ActiveLoreEntry {
  entry: LorebookEntry;
  /** Content with macros resolved. */
  content: string;
  /** `countTokens(content)`. */
  tokens: number;
}

/** What {@link activateLorebook} returns. */
export interface LoreActivation {
  /** Entries in prompt order (insertion_order ascending). */
  active: ActiveLoreEntry[];
  /** Entries that fired but did not fit the book's `token_budget`. */
  overBookBudget: LorebookEntry[];
}

/** Inputs to {@link activateLorebook}. */
export interface LoreScanInput {
  /** Texts of the chat history, oldest first; the last `scan_depth` are scanned. */
  history: string[];
  names: MacroNames;
  countTokens: (text: string) => number;
}

/**
 * Parse a `/pattern/flags` key into a RegExp, or null when the key is not in
 * that form or does not compile.
 */
export function parseRegexKey(key: string, caseSensitive: boolean): RegExp | null {
  const m = /^\/(.+)\/([a-z]*)$/s.exec(key.trim());
  if (!m?.[1]) return null;
  return compile(m[1], m[2] ?? '', caseSensitive);
}

function compile(pattern: string, flags: string, caseSensitive: boolean): RegExp | null {
  let f = [...new Set(flags.replace(/[gy]/g, ''))].join('');
  if (!caseSensitive && !f.includes('i')) f += 'i';
  try {
    return new RegExp(pattern, f);
  } catch {
    return null;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The matcher for one key of an entry (null: the key can never match). */
export function keyMatcher(key: string, entry: Pick<LorebookEntry, 'use_regex' | 'case_sensitive'>): RegExp | null {
  const k = key.trim();
  if (!k) return null;
  const asRegex = parseRegexKey(k, entry.case_sensitive);
  if (asRegex) return asRegex;
  if (entry.use_regex) return compile(k, '', entry.case_sensitive);
  const body = k.split(/\s+/).map(escapeRegExp).join('\\s+');
  const start = /^[\p{L}\p{N}_]/u.test(k) ? '(?<![\\p{L}\\p{N}_])' : '';
  const end = /[\p{L}\p{N}_]$/u.test(k) ? "(?:s|es|'s|’s)?(?![\\p{L}\\p{N}_])" : '';
  return new RegExp(`${start}${body}${end}`, entry.case_sensitive ? 'u' : 'iu');
}

function anyKeyMatches(keys: string[], entry: LorebookEntry, names: MacroNames, text: string): boolean {
  return keys.some((key) => keyMatcher(resolveMacros(key, names), entry)?.test(text) ?? false);
}

/** True when a non-constant entry's keys fire on `text`. */
export function entryTriggers(entry: LorebookEntry, text: string, names: MacroNames): boolean {
  if (!anyKeyMatches(entry.keys, entry, names, text)) return false;
  if (entry.selective && entry.secondary_keys.some((k) => k.trim())) {
    return anyKeyMatches(entry.secondary_keys, entry, names, text);
  }
  return true;
}

/**
 * Order in which entries give way when space runs out: lowest `priority`
 * first, then lowest `insertion_order` (it sits farthest from the end of the
 * prompt, where it matters least), then later in the book first.
 */
export function loreDropOrder(a: LorebookEntry, b: LorebookEntry, indexOf: (e: LorebookEntry) => number): number {
  return a.priority - b.priority || a.insertion_order - b.insertion_order || indexOf(b) - indexOf(a);
}

/** How many of the latest history messages the book scans for keys (0 without a book). */
export function loreScanDepth(book: Lorebook | null): number {
  if (!book) return 0;
  return book.scan_depth !== null && book.scan_depth >= 0 ? book.scan_depth : DEFAULT_SCAN_DEPTH;
}

/** Decide which entries of `book` enter the prompt for this turn. */
export function activateLorebook(book: Lorebook | null, input: LoreScanInput): LoreActivation {
  if (!book) return { active: [], overBookBudget: [] };
  const enabled = book.entries.filter((e) => e.enabled && e.content.trim());
  const depth = loreScanDepth(book);
  let scanText = depth > 0 ? input.history.slice(-depth).join('\n\n') : '';

  const fired = new Set<LorebookEntry>(enabled.filter((e) => e.constant));
  // Recursion adds activated content to the scanned text; each pass activates
  // at least one entry or stops, so it ends within entries.length passes.
  for (let pass = 0; pass <= enabled.length; pass++) {
    const fresh = enabled.filter((e) => !fired.has(e) && entryTriggers(e, scanText, input.names));
    if (fresh.length === 0) break;
    for (const e of fresh) fired.add(e);
    if (!book.recursive_scanning) break;
    scanText += `\n\n${fresh.map((e) => e.content).join('\n\n')}`;
  }

  const indexOf = (e: LorebookEntry) => book.entries.indexOf(e);
  let active: ActiveLoreEntry[] = [...fired].map((entry) => {
    const content = resolveMacros(entry.content.trim(), input.names);
    return { entry, content, tokens: input.countTokens(content) };
  });

  const overBookBudget: LorebookEntry[] = [];
  if (book.token_budget !== null && book.token_budget > 0) {
    const budget = book.token_budget;
    // Keep the most important first; whatever does not fit gives way.
    const byImportance = [...active].sort((a, b) => loreDropOrder(b.entry, a.entry, indexOf));
    let used = 0;
    const kept = new Set<ActiveLoreEntry>();
    for (const item of byImportance) {
      if (used + item.tokens <= budget) {
        kept.add(item);
        used += item.tokens;
      } else {
        overBookBudget.push(item.entry);
      }
    }
    active = active.filter((a) => kept.has(a));
  }

  active.sort((a, b) => a.entry.insertion_order - b.entry.insertion_order || indexOf(a.entry) - indexOf(b.entry));
  return { active, overBookBudget };
}
