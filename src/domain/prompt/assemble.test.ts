import { describe, expect, it, vi } from 'vitest';
import {
  emptyCardData,
  emptyLorebook,
  emptyLorebookEntry,
  newStatement,
  type CardData,
  type LorebookEntry,
  type PersonaStatement,
} from '../character';
import { loadSharedCard } from '../persona/testdata/sharedCards';
import {
  assemblePrompt,
  DEFAULT_SYSTEM_PROMPT,
  PromptBudgetError,
  splitExampleBlocks,
  type AssembleInput,
  type HistoryMessage,
} from './assemble';
import { estimateTokens } from './tokens';

/** One token per whitespace-separated word: budgets in tests stay readable. */
const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

function card(fields: Partial<CardData> = {}): CardData {
  return {
    ...emptyCardData('Maren'),
    description: '{{char}} keeps the lighthouse on Skerry Rock.',
    personality: 'gruff, loyal',
    scenario: '{{user}} washes ashore near the lighthouse.',
    ...fields,
  };
}

function lore(fields: Partial<LorebookEntry>): LorebookEntry {
  return { ...emptyLorebookEntry(fields.id ?? 0), ...fields };
}

const user = (content: string): HistoryMessage => ({ role: 'user', content });
const bot = (content: string): HistoryMessage => ({ role: 'assistant', content });

function input(fields: Partial<AssembleInput> = {}): AssembleInput {
  return {
    card: card(),
    statements: [],
    history: [bot('*{{char}} looks up.* Who are you?'), user('A sailor, {{char}}.')],
    userName: 'Alex',
    contextSize: 4096,
    maxReplyTokens: 300,
    countTokens: words,
    messageOverheadTokens: 0,
    ...fields,
  };
}

const allText = (messages: { content: string }[]) => messages.map((m) => m.content).join('\n');

describe('layout', () => {
  const statements: PersonaStatement[] = [
    newStatement('{{char}} is afraid of deep water.', 'manual'),
    { ...newStatement('Maren has a dog.', 'extracted'), enabled: false },
  ];
  const result = assemblePrompt(
    input({
      card: card({
        mes_example: '<START>\n{{user}}: Hi\n{{char}}: Go away.\n<START>\n{{user}}: Tea?\n{{char}}: Fine.',
        post_history_instructions: 'Reply in under 100 words.',
      }),
      statements,
    }),
  );
  const [system, ...rest] = result.messages;

  it('puts the system core first: prompt, description, personality, scenario, facts, examples', () => {
    expect(system?.role).toBe('system');
    const text = system?.content ?? '';
    const order = [
      "Write Maren's next reply",
      'Maren keeps the lighthouse on Skerry Rock.',
      "Maren's personality: gruff, loyal",
      'Scenario: Alex washes ashore near the lighthouse.',
      'Facts about Maren:\n- Maren is afraid of deep water.',
      '[Example dialogue]\nAlex: Hi\nMaren: Go away.',
      '[Example dialogue]\nAlex: Tea?\nMaren: Fine.',
    ].map((part) => text.indexOf(part));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('lists only enabled statements', () => {
    expect(system?.content).not.toContain('has a dog');
  });

  it('follows with the history, then post-history instructions as a last system message', () => {
    expect(rest.map((m) => m.role)).toEqual(['assistant', 'user', 'system']);
    expect(rest[2]?.content).toBe('Reply in under 100 words.');
  });

  it('stops on the user turn marker', () => {
    expect(result.stop).toEqual(['\nAlex:']);
  });

  it('reports the budget and the count', () => {
    expect(result.budget).toBe(4096 - 300);
    expect(result.tokenCount).toBe(result.messages.reduce((n, m) => n + words(m.content), 0));
    expect(result.overBudget).toBe(false);
    expect(result.dropped).toEqual({ exampleBlocks: 0, historyMessages: 0, lorebookEntries: [], lorebookOverBookBudget: [] });
  });

  it('adds the per-message template overhead to the count', () => {
    const plain = assemblePrompt(input({ messageOverheadTokens: 0 }));
    const withOverhead = assemblePrompt(input({ messageOverheadTokens: 5 }));
    expect(withOverhead.tokenCount - plain.tokenCount).toBe(5 * plain.messages.length);
  });

  it('omits empty sections and the final note when there is nothing to say', () => {
    const bare = assemblePrompt(input({ card: emptyCardData('Maren') }));
    expect(bare.messages.map((m) => m.role)).toEqual(['system', 'assistant', 'user']);
    expect(bare.messages[0]?.content).not.toMatch(/personality:|Scenario:|Facts about|Example/);
  });
});

describe('system prompt and post-history instructions', () => {
  it("uses the card's system prompt and expands {{original}} to the default", () => {
    const result = assemblePrompt(input({ card: card({ system_prompt: 'Noir tone. {{original}} Be terse, {{char}}.' }) }));
    const expected = `Noir tone. ${DEFAULT_SYSTEM_PROMPT} Be terse, {{char}}.`
      .replaceAll('{{char}}', 'Maren')
      .replaceAll('{{user}}', 'Alex');
    expect(result.messages[0]?.content.startsWith(expected)).toBe(true);
  });

  it('falls back to the default for a blank system prompt', () => {
    const result = assemblePrompt(input({ card: card({ system_prompt: '   ' }) }));
    expect(result.messages[0]?.content).toMatch(/^Write Maren's next reply in a fictional role-play chat between Maren and Alex\./);
  });

  it('expands {{original}} in post-history instructions to nothing (no global one)', () => {
    const result = assemblePrompt(input({ card: card({ post_history_instructions: '{{original}} Stay terse, {{char}}.' }) }));
    expect(result.messages.at(-1)).toEqual({ role: 'system', content: 'Stay terse, Maren.' });
    const onlyOriginal = assemblePrompt(input({ card: card({ post_history_instructions: '{{original}}' }) }));
    expect(onlyOriginal.messages.at(-1)?.role).toBe('user');
  });
});

describe('macros', () => {
  it('resolves {{char}}/{{user}} (and legacy forms) in every part', () => {
    const result = assemblePrompt(
      input({
        card: card({
          system_prompt: '{{char}} and {{user}}: {{original}}',
          personality: '<BOT> likes <USER>',
          mes_example: '<START>\n{{user}}: hi\n{{char}}: hi',
          post_history_instructions: 'Remember {{user}}.',
          character_book: {
            ...emptyLorebook(),
            entries: [lore({ constant: true, content: '{{char}} owes {{user}} money.' })],
          },
        }),
        statements: [newStatement('{{char}} distrusts {{user}}.', 'manual')],
        restate: ['{{char}} never swims.'],
        continuePrefix: '*{{char}} turns to {{user}}.*',
      }),
    );
    const text = allText(result.messages);
    expect(text).not.toMatch(/\{\{|<BOT>|<USER>/i);
    for (const part of ['Maren owes Alex money.', 'Maren distrusts Alex.', 'Maren never swims.', '*Maren turns to Alex.*', 'Alex: hi', 'Maren likes Alex', 'A sailor, Maren.']) {
      expect(text).toContain(part);
    }
  });
});

describe('what never enters the prompt', () => {
  it('creator notes, tags, creator, version, greetings', () => {
    const result = assemblePrompt(
      input({
        card: card({
          creator_notes: 'SENTINEL_CREATOR_NOTES',
          creator_notes_multilingual: { fr: 'SENTINEL_NOTES_FR' },
          tags: ['SENTINEL_TAG'],
          creator: 'SENTINEL_CREATOR',
          character_version: 'SENTINEL_VERSION',
          first_mes: 'SENTINEL_FIRST_MES',
          alternate_greetings: ['SENTINEL_ALT'],
          extensions: { note: 'SENTINEL_EXTENSION' },
        }),
      }),
    );
    expect(allText(result.messages)).not.toContain('SENTINEL');
  });

  it('on the real Seraphina card: no creator notes or creator', () => {
    const seraphina = loadSharedCard('default_Seraphina.png');
    const result = assemblePrompt(
      input({ card: seraphina, history: [user('Where is this forest?')], countTokens: estimateTokens }),
    );
    const text = allText(result.messages);
    expect(text).not.toContain(seraphina.creator_notes.trim());
    expect(text).not.toContain(seraphina.creator);
    expect(text).toContain('"amber eyes"');
    expect(result.lorebookEntries).toEqual([0]); // "forest" → Eldoria
  });
});

describe('restate ("regenerate in character")', () => {
  it('adds a firm note after the history, after post-history instructions', () => {
    const result = assemblePrompt(
      input({
        card: card({ post_history_instructions: 'Be brief.' }),
        restate: ['Maren is afraid of deep water.', 'Maren has grey eyes.'],
      }),
    );
    const last = result.messages.at(-1);
    expect(last?.role).toBe('system');
    expect(last?.content.startsWith('Be brief.\n\n[Important: in the next reply, Maren must stay in character')).toBe(true);
    expect(last?.content).toContain('- Maren is afraid of deep water.\n- Maren has grey eyes.');
  });

  it('is never dropped, even when nothing else fits', () => {
    const result = assemblePrompt(input({ restate: ['Maren is afraid of deep water.'], contextSize: 310, maxReplyTokens: 300 }));
    expect(allText(result.messages)).toContain('Maren is afraid of deep water.');
    expect(result.overBudget).toBe(true);
  });

  it('empty restate adds nothing', () => {
    expect(assemblePrompt(input({ restate: ['  '] })).messages.at(-1)?.role).toBe('user');
  });
});

describe('continuePrefix', () => {
  it('is the last message, as the assistant, after the final note', () => {
    const result = assemblePrompt(input({ card: card({ post_history_instructions: 'Be brief.' }), continuePrefix: '*She sighs.*' }));
    expect(result.messages.slice(-2)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'assistant', content: '*She sighs.*' },
    ]);
  });
});

describe('lorebook in the prompt', () => {
  const book = {
    ...emptyLorebook(),
    entries: [
      lore({ id: 1, keys: ['storm'], content: 'Storms here last three days.', position: 'after_char' }),
      lore({ id: 2, keys: ['rock'], content: 'Skerry Rock is haunted.', position: 'before_char' }),
      lore({ id: 3, keys: ['never-said'], content: 'Unused entry.' }),
    ],
  };

  it('inserts triggered entries by position and reports them', () => {
    const result = assemblePrompt(input({ card: card({ character_book: book }), history: [user('A storm hit the rock.')] }));
    const system = result.messages[0]?.content ?? '';
    expect(system.indexOf('Skerry Rock is haunted.')).toBeLessThan(system.indexOf('Maren keeps the lighthouse'));
    expect(system.indexOf('Storms here last three days.')).toBeGreaterThan(system.indexOf('Scenario:'));
    expect(system).not.toContain('Unused entry.');
    expect(result.lorebookEntries).toEqual([1, 2]);
  });

  it("reports entries cut by the book's own token_budget", () => {
    const tight = { ...book, token_budget: 4 };
    const result = assemblePrompt(input({ card: card({ character_book: tight }), history: [user('A storm hit the rock.')] }));
    expect(result.dropped.lorebookOverBookBudget).toHaveLength(1);
    expect(result.lorebookEntries).toHaveLength(1);
  });
});

describe('budget and drop order', () => {
  // Word counts: examples 5 + 5 words; each history message 4 words.
  const base = input({
    card: card({
      description: 'Maren keeps the lighthouse.',
      personality: '',
      scenario: '',
      system_prompt: 'Play {{char}}.',
      mes_example: '<START>\nA b c d e\n<START>\nF g h i j',
      character_book: {
        ...emptyLorebook(),
        entries: [
          lore({ id: 10, constant: true, priority: 5, content: 'low priority lore entry here' }),
          lore({ id: 11, constant: true, priority: 50, content: 'high priority lore entry here' }),
        ],
      },
    }),
    history: [user('one two three four'), bot('five six seven eight'), user('nine ten eleven twelve'), bot('thirteen fourteen fifteen sixteen'), user('last user message here')],
    maxReplyTokens: 100,
  });
  const full = assemblePrompt({ ...base, contextSize: 100000 });

  it('keeps everything when it fits', () => {
    expect(full.dropped.exampleBlocks).toBe(0);
    expect(full.tokenCount).toBeLessThanOrEqual(full.budget);
  });

  it('drops example blocks first, last block first', () => {
    const result = assemblePrompt({ ...base, contextSize: 100 + full.tokenCount - 1 });
    expect(result.dropped).toMatchObject({ exampleBlocks: 1, historyMessages: 0, lorebookEntries: [] });
    expect(result.messages[0]?.content).toContain('A b c d e');
    expect(result.messages[0]?.content).not.toContain('F g h i j');
    expect(result.tokenCount).toBeLessThanOrEqual(result.budget);
  });

  it('then the oldest history messages', () => {
    const noExamples = assemblePrompt({ ...base, card: { ...base.card, mes_example: '' }, contextSize: 100000 });
    const result = assemblePrompt({ ...base, contextSize: 100 + noExamples.tokenCount - 1 });
    expect(result.dropped).toMatchObject({ exampleBlocks: 2, historyMessages: 1, lorebookEntries: [] });
    expect(result.messages[1]?.content).toBe('five six seven eight');
  });

  it('never the last user message or what follows it; then lore, lowest priority first', () => {
    const tail = [user('last user message here'), bot('partial reply kept')];
    const withTail = { ...base, history: [...base.history, bot('partial reply kept')] };
    const core = assemblePrompt({
      ...withTail,
      card: { ...base.card, mes_example: '', character_book: null },
      history: tail,
      contextSize: 100000,
    });
    // Room for the core, the protected tail and one 5-word lore entry.
    const result = assemblePrompt({ ...withTail, contextSize: 100 + core.tokenCount + 5 });
    expect(result.dropped).toMatchObject({ exampleBlocks: 2, historyMessages: 4, lorebookEntries: [10] });
    expect(result.messages.slice(1).map((m) => m.content)).toEqual(['last user message here', 'partial reply kept']);
    expect(result.messages[0]?.content).toContain('high priority lore');
    expect(result.lorebookEntries).toEqual([11]);
    expect(result.overBudget).toBe(false);
    expect(result.tokenCount).toBe(result.budget);
  });

  it('reports overBudget instead of cutting the core', () => {
    const result = assemblePrompt({ ...base, contextSize: 105 });
    expect(result.overBudget).toBe(true);
    expect(result.tokenCount).toBeGreaterThan(result.budget);
    expect(result.dropped).toMatchObject({ exampleBlocks: 2, historyMessages: 4, lorebookEntries: [10, 11] });
    expect(result.messages[0]?.content).toContain('Maren keeps the lighthouse.');
    expect(result.messages.at(-1)?.content).toBe('last user message here');
  });

  it('without any user message, keeps the last message', () => {
    const result = assemblePrompt({ ...base, history: [bot('greeting one two'), bot('greeting three four')], contextSize: 105 });
    expect(result.messages.slice(1).map((m) => m.content)).toEqual(['greeting three four']);
  });

  it('throws PromptBudgetError when the reply reserve eats the context', () => {
    expect(() => assemblePrompt({ ...base, contextSize: 100, maxReplyTokens: 100 })).toThrow(PromptBudgetError);
  });

  it('counts each distinct string once', () => {
    const spy = vi.fn(words);
    assemblePrompt({ ...base, contextSize: 110, countTokens: spy });
    const args = spy.mock.calls.map((c) => c[0]);
    expect(new Set(args).size).toBe(args.length);
  });

  it('fits a long history in one pass', () => {
    const history = Array.from({ length: 3000 }, (_, i) => (i % 2 ? bot(`reply ${i} a b`) : user(`message ${i} a b`)));
    const result = assemblePrompt({ ...base, history, contextSize: 100 + 400 });
    expect(result.tokenCount).toBeLessThanOrEqual(result.budget);
    // The last user message and the reply after it are the protected tail.
    expect(result.messages.slice(-2).map((m) => m.content)).toEqual(['message 2998 a b', 'reply 2999 a b']);
    expect(result.dropped.historyMessages).toBeGreaterThan(2900);
  });

  it("counts only the newest messages that can fit, not a long chat's whole history", () => {
    const history = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? bot(`reply ${i} a b`) : user(`message ${i} a b`)));
    const spy = vi.fn(words);
    const result = assemblePrompt({ ...base, history, contextSize: 100 + 400, countTokens: spy });
    const counted = spy.mock.calls.filter(([text]) => /^(message|reply) \d+ a b$/.test(text)).length;
    // 4 words a message: about 100 fit in 400 tokens; the other 9,900 are never counted.
    expect(counted).toBeLessThan(200);
    // The same prompt as from the last 300 messages only.
    const fromTail = assemblePrompt({ ...base, history: history.slice(-300), contextSize: 100 + 400 });
    expect(result.messages).toEqual(fromTail.messages);
    expect(result.tokenCount).toBe(fromTail.tokenCount);
    expect(result.dropped.historyMessages).toBe(10_000 - 300 + fromTail.dropped.historyMessages);
  });

  it('keeps a pinned message from the start of a long chat, and counts it', () => {
    const history = Array.from({ length: 5_000 }, (_, i) => (i % 2 ? bot(`reply ${i} a b`) : user(`message ${i} a b`)));
    history[3] = { ...history[3]!, pinned: true };
    const result = assemblePrompt({ ...base, history, contextSize: 100 + 400 });
    const fromTail = assemblePrompt({ ...base, history: [history[3]!, ...history.slice(-300)], contextSize: 100 + 400 });
    expect(result.messages).toEqual(fromTail.messages);
    expect(result.messages[1]?.content).toBe('reply 3 a b');
    expect(result.history.pinnedKept).toEqual([3]);
    expect(result.tokenCount).toBe(fromTail.tokenCount);
  });

  it('counts a long chat exactly when even its protected tail overflows', () => {
    const history = [...Array.from({ length: 2_000 }, (_, i) => bot(`reply ${i} a b`)), user(Array.from({ length: 600 }, () => 'w').join(' '))];
    const result = assemblePrompt({ ...base, history, contextSize: 100 + 400 });
    expect(result.overBudget).toBe(true);
    expect(result.dropped.historyMessages).toBe(2_000);
    expect(result.tokenCount).toBe(assemblePrompt({ ...base, history: history.slice(-1), contextSize: 100 + 400 }).tokenCount);
  });
});

describe('splitExampleBlocks', () => {
  it('splits on <START> in any case and drops empty blocks', () => {
    expect(splitExampleBlocks('<START>\r\nA\n<start>\n\n<START>\nB\n')).toEqual(['A', 'B']);
    expect(splitExampleBlocks('')).toEqual([]);
    expect(splitExampleBlocks('No marker')).toEqual(['No marker']);
  });
});
