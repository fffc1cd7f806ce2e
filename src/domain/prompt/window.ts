/**
 * Where the model's view of a chat begins: the first history message the
 * next prompt keeps (issue 13 §1, the line in the chat that marks it).
 *
 * Asked of {@link assemblePrompt} itself, so the line and the prompt can
 * never disagree, but over a tail of the history only: a window that fits
 * a few hundred messages is found from the end by doubling the tail, so a
 * 10,000-message chat costs what its last few hundred do, not all of it.
 */
import { assemblePrompt, type AssembleInput, type HistoryMessage } from './assemble';

/** The first tail tried; doubled until the prompt drops some of it (or it is the whole history). */
export const FIRST_TAIL = 64;

/**
 * Index (0-based, into the whole history) of the oldest message the next
 * prompt keeps; `length` when there is no history, 0 when all of it fits.
 *
 * `tail(n)` returns the last `n` history messages (oldest first; all of them
 * when fewer exist) — the caller builds only what is asked for. `length` may
 * be an upper bound (a tail shorter than asked ends the search); the result
 * is then counted from it: `length − result` messages are kept.
 *
 * Lorebook entries are activated from the tail's messages; with a
 * `scan_depth` beyond the tail (≥ 64 messages by default) an entry matched
 * only further back could be missed, moving the line by that entry's tokens.
 *
 * @throws {PromptBudgetError} when `maxReplyTokens ≥ contextSize`.
 */
export function firstMessageInContext(
  input: Omit<AssembleInput, 'history'>,
  length: number,
  tail: (n: number) => HistoryMessage[],
): number {
  if (length <= 0) return length;
  for (let n = Math.min(FIRST_TAIL, length); ; n = Math.min(n * 2, length)) {
    const history = tail(n);
    const dropped = assemblePrompt({ ...input, history }).dropped.historyMessages;
    // Some of the tail left out: the window starts inside it. All of it kept
    // and nothing older exists: the whole chat is seen.
    if (dropped > 0 || history.length < n || n >= length) return length - history.length + dropped;
  }
}
