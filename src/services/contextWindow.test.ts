import { describe, expect, it } from 'vitest';
import { emptyCardData } from '../domain/character';
import type { Message } from '../domain/chat';
import { assemblePrompt, estimateTokens, scaledCounting } from '../domain/prompt';
import { historyFrom } from './chat';
import { contextStartOf } from './contextWindow';

function message(i: number, role: Message['role'], text: string): Message {
  return { id: `m${i}`, chatId: 'c', order: i, role, name: role === 'user' ? 'Alex' : 'Maren', swipes: [{ text, state: 'done' }], swipeIndex: 0, createdAt: i, updatedAt: i } as unknown as Message;
}

const character = { card: { ...emptyCardData('Maren'), description: 'Keeps the lighthouse.' }, statements: [] };
const sampling = (contextSize: number) => ({ sampling: { contextSize, maxTokens: 100 } }) as never;

describe('contextStartOf', () => {
  // Empty and system messages are not history: the line's index is still a message index.
  const messages = Array.from({ length: 3_000 }, (_, i) => message(i, i % 7 === 3 ? 'system' : i % 2 ? 'user' : 'assistant', i % 11 === 5 ? '' : `Line ${i} `.repeat(1 + (i % 9))));

  it('marks the oldest message the prompt keeps, as a turn would assemble it', () => {
    for (const contextSize of [600, 2_048, 8_192]) {
      const start = contextStartOf(messages, sampling(contextSize), character, 'Alex', undefined);
      const history = historyFrom(messages);
      const prompt = assemblePrompt({ card: character.card, statements: [], history, userName: 'Alex', contextSize, maxReplyTokens: 100, countTokens: estimateTokens });
      const firstKept = history[prompt.dropped.historyMessages]!;
      expect(start).not.toBeNull();
      const m = messages[start!]!;
      expect(m.swipes[0]!.text).toBe(firstKept.content);
      // Everything before it is left out of the prompt, everything from it is in.
      expect(historyFrom(messages.slice(start!))).toHaveLength(history.length - prompt.dropped.historyMessages);
    }
  });

  it('is null when the whole chat fits, and a server window smaller than the chat setting wins', () => {
    const short = messages.slice(0, 20);
    expect(contextStartOf(short, sampling(8_192), character, 'Alex', undefined)).toBeNull();
    expect(contextStartOf(short, sampling(8_192), character, 'Alex', 160)).not.toBeNull();
  });

  it('moves with a server’s calibration ratio, to where the calibrated prompt starts', () => {
    const history = historyFrom(messages);
    const starts = [1, 1.6, 3].map((ratio) => {
      const start = contextStartOf(messages, sampling(2_048), character, 'Alex', undefined, ratio)!;
      // The turn's prompt counted with the same ratio (chatTurn.ts) keeps exactly from there.
      const counting = scaledCounting(ratio, estimateTokens);
      const prompt = assemblePrompt({ card: character.card, statements: [], history, userName: 'Alex', contextSize: 2_048, maxReplyTokens: 100, countTokens: counting.countTokens, messageOverheadTokens: counting.messageOverheadTokens });
      expect(historyFrom(messages.slice(start))).toHaveLength(history.length - prompt.dropped.historyMessages);
      return start;
    });
    // A tokenizer that takes more tokens per word leaves room for fewer messages: the line moves down.
    expect(starts[1]!).toBeGreaterThan(starts[0]!);
    expect(starts[2]!).toBeGreaterThan(starts[1]!);
  });
});
