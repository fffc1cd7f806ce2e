import { describe, expect, it } from 'vitest';
import { emptyCardData, newStatement } from '../character';
import { assemblePrompt, impersonationNote, personaSection, type AssembleInput } from './assemble';
import { cleanImpersonation } from './impersonate';

// Personas and Impersonate in prompt assembly (issue 13 §5).

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

function input(fields: Partial<AssembleInput> = {}): AssembleInput {
  return {
    card: {
      ...emptyCardData('Maren'),
      description: '{{char}} keeps the lighthouse.',
      scenario: '{{user}} washes ashore.',
      post_history_instructions: 'Reply as {{char}} in two sentences.',
    },
    statements: [newStatement('{{char}} is afraid of deep water.', 'manual')],
    history: [
      { role: 'assistant', content: 'Who are you, {{user}}?' },
      { role: 'user', content: 'A sailor.' },
      { role: 'assistant', content: 'Sit, {{user}}.' },
    ],
    userName: 'Captain Ro',
    contextSize: 4096,
    maxReplyTokens: 300,
    countTokens: words,
    messageOverheadTokens: 0,
    ...fields,
  };
}

describe('the user persona in the prompt', () => {
  it('is {{user}} everywhere, and its description follows the scenario, before the facts', () => {
    const { messages } = assemblePrompt(input({ userDescription: 'A retired smuggler; {{char}} owes {{user}} money.' }));
    const system = messages[0]!.content;
    expect(system).toContain('Captain Ro washes ashore.');
    const persona = "About Captain Ro, the user's character: A retired smuggler; Maren owes Captain Ro money.";
    expect(system).toContain(persona);
    expect(system.indexOf('Scenario:')).toBeLessThan(system.indexOf(persona));
    expect(system.indexOf(persona)).toBeLessThan(system.indexOf('Facts about Maren'));
    expect(messages.map((m) => m.content)).toContain('Who are you, Captain Ro?');
  });

  it('adds nothing without a description', () => {
    expect(personaSection('  ', { char: 'Maren', user: 'Ro' })).toBe('');
    expect(assemblePrompt(input()).messages[0]!.content).not.toContain('About Captain Ro');
  });
});

describe('the impersonation prompt', () => {
  it('ends with the note to write as the persona, stops at the character’s turn, and drops the character-side notes', () => {
    const prompt = assemblePrompt(input({ impersonate: true, restate: ['Maren is afraid of deep water.'], userDescription: 'A smuggler.' }));
    const last = prompt.messages.at(-1)!;
    expect(last).toEqual({ role: 'system', content: impersonationNote({ char: 'Maren', user: 'Captain Ro' }) });
    expect(last.content).toContain("Write Captain Ro's next reply");
    expect(prompt.stop).toEqual(['\nMaren:']);
    const all = prompt.messages.map((m) => m.content).join('\n');
    expect(all).not.toContain('Reply as Maren in two sentences.');
    expect(all).not.toContain('must stay in character');
    // The character's card and the persona are still there to write from.
    expect(all).toContain('About Captain Ro');
  });

  it('leaves an ordinary reply as it was', () => {
    const prompt = assemblePrompt(input());
    expect(prompt.stop).toEqual(['\nCaptain Ro:']);
    expect(prompt.messages.at(-1)!.content).toBe('Reply as Maren in two sentences.');
  });
});

describe('cleanImpersonation', () => {
  const names = { char: 'Maren', user: 'Captain Ro' };
  it('drops a leading "{user}:" label and resolves macros', () => {
    expect(cleanImpersonation('  Captain Ro: Tea, {{char}}?', names)).toBe('Tea, Maren?');
    expect(cleanImpersonation('captain ro :Hello', names)).toBe('Hello');
    expect(cleanImpersonation('I said Captain Ro: yes', names)).toBe('I said Captain Ro: yes');
  });
  it('treats a name with regex characters literally', () => {
    expect(cleanImpersonation('R.o (2): hi', { char: 'M', user: 'R.o (2)' })).toBe('hi');
    expect(cleanImpersonation('Rxo (2): hi', { char: 'M', user: 'R.o (2)' })).toBe('Rxo (2): hi');
  });
});
