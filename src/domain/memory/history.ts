import { currentText, type Message } from '../chat';
import type { HistoryMessage } from '../prompt';

/**
 * Each message's history entry, made once per message object (null: not in
 * the history). Messages are never mutated — a change is a new object — and
 * an open chat keeps unchanged ones as the same objects, so a reply in a
 * 10,000-message chat maps only what changed.
 */
const entries = new WeakMap<Message, HistoryMessage | null>();

function entryOf(m: Message): HistoryMessage | null {
  let entry = entries.get(m);
  if (entry === undefined) {
    const content = currentText(m);
    entry = m.role === 'system' || content.trim() === '' ? null : { role: m.role as 'user' | 'assistant', name: m.name, content, id: m.id, ...(m.pinned ? { pinned: true } : {}) };
    entries.set(m, entry);
  }
  return entry;
}

/**
 * History for the prompt: messages before `untilIndex`, current swipes, no
 * empty or failed ones; each with its id (prompt records and summaries refer
 * to messages by id) and its pin. The entries are shared: do not mutate them.
 */
export function historyFrom(messages: readonly Message[], untilIndex = messages.length): HistoryMessage[] {
  const out: HistoryMessage[] = [];
  const end = Math.min(untilIndex, messages.length);
  for (let i = 0; i < end; i++) {
    const entry = entryOf(messages[i]!);
    if (entry) out.push(entry);
  }
  return out;
}
