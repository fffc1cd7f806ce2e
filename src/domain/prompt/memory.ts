/**
 * The prompt pieces of a long chat's memory (issue 13 §4–5): the author's
 * note, placed at a depth in the history, and the "Story so far" summaries,
 * placed where the history they cover was. Pure; `assemblePrompt` fits them.
 */
import { resolveMacros, type MacroNames } from '../text/macros';

/** An author's note as the prompt needs it. */
export interface AuthorsNoteInput {
  text: string;
  /** Messages from the end of the history it goes before (0: after the last one). */
  depth: number;
}

/** A summary of the history up to (not including) `upTo`, from where the previous one ends (see AssembleInput.summaries). */
export interface SummaryInput {
  text: string;
  upTo: number;
}

/** The heading the summaries are sent under (the inspector and the tests find them by it). */
export const STORY_SO_FAR_HEADING = '[Story so far]';

/** The note's text with macros resolved, or '' when there is nothing to send. */
export function authorsNoteContent(note: AuthorsNoteInput | undefined, names: MacroNames): string {
  const text = note?.text.replace(/\r\n?/g, '\n').trim() ?? '';
  return text ? resolveMacros(text, names) : '';
}

/**
 * Where the note goes among `count` history messages: before the `depth`-th
 * message from the end, clamped to the start (a short chat) and the end.
 */
export function authorsNoteAt(depth: number, count: number): number {
  const d = Number.isFinite(depth) ? Math.max(0, Math.floor(depth)) : 0;
  return Math.max(0, count - d);
}

/** Inserts `item` into a copy of `list` at {@link authorsNoteAt}. */
export function insertAtDepth<T>(list: readonly T[], item: T, depth: number): T[] {
  const at = authorsNoteAt(depth, list.length);
  return [...list.slice(0, at), item, ...list.slice(at)];
}

/** The summaries used, as one system message ('' for none). */
export function summaryBlock(texts: readonly string[], names: MacroNames): string {
  const parts = texts.map((t) => resolveMacros(t.trim(), names)).filter((t) => t.length > 0);
  return parts.length > 0 ? `${STORY_SO_FAR_HEADING}\n${parts.join('\n\n')}` : '';
}

