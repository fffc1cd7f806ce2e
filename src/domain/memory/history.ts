import { currentText, type Message } from '../chat';
import type { HistoryMessage } from '../prompt';

/**
 * History for the prompt: messages before `untilIndex`, current swipes, no
 * empty or failed ones; each with its id (prompt records and summaries refer
 * to messages by id) and its pin.
 */
export function historyFrom(messages: readonly Message[], untilIndex = messages.length): HistoryMessage[] {
  return messages
    .slice(0, untilIndex)
    .filter((m) => m.role !== 'system')
    .map((m) => ({ role: m.role as 'user' | 'assistant', name: m.name, content: currentText(m), id: m.id, ...(m.pinned ? { pinned: true } : {}) }))
    .filter((m) => m.content.trim() !== '');
}
