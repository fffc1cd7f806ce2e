import type { Character } from '../domain/character';
import { currentText, type Chat, type Message } from '../domain/chat';
import { estimateTokens, firstMessageInContext, scaledCounting, type HistoryMessage } from '../domain/prompt';

/**
 * The first message of `messages` the next reply's prompt keeps, by the
 * same assembly a turn runs (chatTurn.ts), counted as the turn counts: the
 * estimate scaled by `calibrationRatio`, the ratio a server's reported usage
 * set (services/calibration.ts; 1 for the in-browser engines). Null when the
 * model sees the whole chat.
 *
 * Cost: the messages that fit plus as many again, never the whole chat.
 *
 * @throws {PromptBudgetError} when the chat's reply reserve fills its context.
 */
export function contextStartOf(
  messages: readonly Message[],
  chat: Pick<Chat, 'sampling'>,
  character: Pick<Character, 'card' | 'statements'>,
  userName: string,
  engineContextSize: number | undefined,
  calibrationRatio = 1,
): number | null {
  const counting = scaledCounting(calibrationRatio, estimateTokens);
  // What history the prompt is built from (services/chat.ts historyFrom), gathered from the end.
  const indices: number[] = [];
  const tail: HistoryMessage[] = [];
  let scanned = messages.length;
  const take = (n: number): HistoryMessage[] => {
    while (tail.length < n && scanned > 0) {
      const m = messages[--scanned]!;
      if (m.role === 'system') continue;
      const content = currentText(m);
      if (content.trim() === '') continue;
      tail.push({ role: m.role, name: m.name, content });
      indices.push(scanned);
    }
    return tail.slice(0, n).reverse();
  };
  // Whether the chat holds more history than gathered so far is only known
  // by scanning; an upper bound is enough for `firstMessageInContext`.
  const length = messages.length;
  const start = firstMessageInContext(
    {
      card: character.card,
      statements: character.statements,
      userName,
      contextSize: Math.min(chat.sampling.contextSize, engineContextSize ?? Number.POSITIVE_INFINITY),
      maxReplyTokens: chat.sampling.maxTokens,
      countTokens: counting.countTokens,
      messageOverheadTokens: counting.messageOverheadTokens,
    },
    length,
    take,
  );
  // `start` counts from the oldest of `length`; the tail holds the newest.
  const keptCount = Math.min(tail.length, length - start);
  if (keptCount >= tail.length && scanned === 0) return null;
  const first = indices[keptCount - 1];
  return first === undefined ? null : first;
}
