import { describe, expect, it } from 'vitest';
import { emptyCardData } from '../character';
import { assemblePrompt, type PromptMessage } from './assemble';
import { foldForStrictTemplates } from './strict';
import { estimateTokens } from './tokens';

const sys = (content: string): PromptMessage => ({ role: 'system', content });
const usr = (content: string): PromptMessage => ({ role: 'user', content });
const ast = (content: string): PromptMessage => ({ role: 'assistant', content });

/** WebLLM 0.2.x's two ordering rules (SystemMessageOrderError / MessageOrderError). */
function webLlmAccepts(messages: PromptMessage[]): boolean {
  return messages.every((m, i) => m.role !== 'system' || i === 0) && messages.at(-1)?.role === 'user';
}

describe('foldForStrictTemplates', () => {
  it('folds a trailing system note into the last user message', () => {
    const { messages, prefill } = foldForStrictTemplates([sys('core'), ast('hi'), usr('hello'), sys('be brief')]);
    expect(messages).toEqual([sys('core'), ast('hi'), usr('hello\n\nbe brief')]);
    expect(prefill).toBeNull();
  });

  it('lifts a trailing assistant prefix out as prefill', () => {
    const { messages, prefill } = foldForStrictTemplates([sys('core'), usr('hello'), sys('note'), ast('*She')]);
    expect(messages).toEqual([sys('core'), usr('hello\n\nnote')]);
    expect(prefill).toBe('*She');
  });

  it('merges a system note with no user message before it into the leading system message', () => {
    const { messages } = foldForStrictTemplates([sys('core'), ast('greeting'), sys('note')]);
    expect(messages).toEqual([sys('core\n\nnote'), ast('greeting')]);
  });

  it('does not modify its input', () => {
    const input = [sys('core'), usr('hello'), sys('note')];
    foldForStrictTemplates(input);
    expect(input[1]).toEqual(usr('hello'));
  });

  it('makes an assembled prompt with restate and continue acceptable to WebLLM', () => {
    const prompt = assemblePrompt({
      card: { ...emptyCardData('Maren'), description: 'A keeper.', post_history_instructions: 'Be brief.' },
      statements: [],
      history: [
        { role: 'assistant', content: 'Who are you?' },
        { role: 'user', content: 'A sailor.' },
      ],
      userName: 'Alex',
      contextSize: 2048,
      maxReplyTokens: 256,
      countTokens: estimateTokens,
      restate: ['Maren is afraid of deep water.'],
      continuePrefix: '*Maren frowns.*',
    });
    expect(webLlmAccepts(prompt.messages)).toBe(false);
    const strict = foldForStrictTemplates(prompt.messages);
    expect(webLlmAccepts(strict.messages)).toBe(true);
    expect(strict.messages.at(-1)?.content).toContain('Maren is afraid of deep water.');
    expect(strict.prefill).toBe('*Maren frowns.*');
  });
});
