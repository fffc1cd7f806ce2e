import { describe, expect, it } from 'vitest';
import { emptyCardData } from '../character';
import { assemblePrompt, type AssembleInput, type HistoryMessage } from './assemble';
import { FIRST_TAIL, firstMessageInContext } from './window';

/** One token per whitespace-separated word. */
const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

function chat(n: number): HistoryMessage[] {
  // Lengths vary (1–12 words), so the cut lands at different places for different budgets.
  return Array.from({ length: n }, (_, i) => ({ role: i % 2 ? 'user' : 'assistant', content: 'word '.repeat(1 + ((i * 7) % 12)).trim() }));
}

function base(contextSize: number): Omit<AssembleInput, 'history'> {
  return {
    card: { ...emptyCardData('Maren'), description: 'Keeps the lighthouse.', mes_example: '<START>\n{{char}}: Hello there.' },
    statements: [],
    userName: 'Alex',
    contextSize,
    maxReplyTokens: 50,
    countTokens: words,
    messageOverheadTokens: 2,
  };
}

describe('firstMessageInContext', () => {
  it('agrees with the whole prompt for every budget, reading only the tail it needs', () => {
    const history = chat(1_000);
    for (const contextSize of [120, 300, 1_000, 3_000, 9_000, 20_000]) {
      const asked: number[] = [];
      const start = firstMessageInContext(base(contextSize), history.length, (n) => {
        asked.push(n);
        return history.slice(Math.max(0, history.length - n));
      });
      const full = assemblePrompt({ ...base(contextSize), history }).dropped.historyMessages;
      expect(start, `context ${contextSize}`).toBe(full);
      // Never more than twice the window (plus the first tail) was built.
      const kept = history.length - start;
      expect(Math.max(...asked)).toBeLessThanOrEqual(Math.min(history.length, Math.max(FIRST_TAIL, 2 * (kept + 1))));
    }
  });

  it('is 0 when everything fits, the length when there is no history', () => {
    expect(firstMessageInContext(base(100_000), 10, (n) => chat(10).slice(-n))).toBe(0);
    expect(firstMessageInContext(base(1_000), 0, () => [])).toBe(0);
  });

  it('keeps the last user message even when it alone is over the budget, as the prompt does', () => {
    const history: HistoryMessage[] = [...chat(20), { role: 'user', content: 'word '.repeat(500) }];
    const start = firstMessageInContext(base(200), history.length, (n) => history.slice(-n));
    expect(start).toBe(history.length - 1);
    expect(start).toBe(assemblePrompt({ ...base(200), history }).dropped.historyMessages);
  });
});
