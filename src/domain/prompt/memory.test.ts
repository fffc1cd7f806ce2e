import { describe, expect, it } from 'vitest';
import { emptyCardData } from '../character';
import { assemblePrompt, type AssembleInput, type HistoryMessage } from './assemble';
import { authorsNoteAt, insertAtDepth, STORY_SO_FAR_HEADING } from './memory';

/** One token per word; no template overhead: budgets stay readable. */
const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** Ten-word messages m0..m{n-1}, alternating assistant/user, ending with a user message. */
function history(n: number, pinned: number[] = []): HistoryMessage[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `m${i}`,
    role: (n - 1 - i) % 2 === 0 ? 'user' : 'assistant',
    content: `m${i} ${'word '.repeat(9).trim()}`,
    pinned: pinned.includes(i),
  }));
}

function input(fields: Partial<AssembleInput> = {}): AssembleInput {
  return {
    card: { ...emptyCardData('Maren'), system_prompt: 'Play {{char}}.' },
    statements: [],
    history: history(6),
    userName: 'Alex',
    contextSize: 1000,
    maxReplyTokens: 100,
    countTokens: words,
    messageOverheadTokens: 0,
    ...fields,
  };
}

const sentIds = (p: ReturnType<typeof assemblePrompt>) => p.messages.map((m) => /^(m\d+) /.exec(m.content)?.[1] ?? m.role);

describe('author’s note at depth', () => {
  it('goes before the depth-th message from the end, clamped to the start and the end', () => {
    expect(authorsNoteAt(4, 10)).toBe(6);
    expect(authorsNoteAt(0, 10)).toBe(10);
    expect(authorsNoteAt(12, 10)).toBe(0);
    expect(authorsNoteAt(Number.NaN, 3)).toBe(3);
    expect(insertAtDepth(['a', 'b', 'c'], 'N', 1)).toEqual(['a', 'b', 'N', 'c']);
  });

  it('is sent as a system message at its depth, macros resolved, and counted', () => {
    const without = assemblePrompt(input());
    const p = assemblePrompt(input({ authorsNote: { text: '{{char}} hides the key from {{user}}.', depth: 2 } }));
    expect(sentIds(p)).toEqual(['system', 'm0', 'm1', 'm2', 'm3', 'system', 'm4', 'm5']);
    expect(p.messages[5]!.content).toBe('Maren hides the key from Alex.');
    expect(p.sections[5]).toMatchObject({ kind: 'authors-note', tokens: 6 });
    expect(p.tokenCount).toBe(without.tokenCount + 6);
  });

  it('stays in the prompt when history is dropped (it is never trimmed)', () => {
    const p = assemblePrompt(input({ contextSize: 145, authorsNote: { text: 'Rain falls.', depth: 4 } }));
    expect(p.history.firstKept).toBeGreaterThan(0);
    expect(p.messages.some((m) => m.content === 'Rain falls.')).toBe(true);
    expect(p.tokenCount).toBeLessThanOrEqual(p.budget);
  });
});

describe('pins', () => {
  it('keeps a pinned message when older history is dropped, in chat order before the kept tail', () => {
    // system 2 words + 6 × 10: budget 45 keeps the system, the pin and three messages.
    const p = assemblePrompt(input({ history: history(6, [1]), contextSize: 145 }));
    expect(sentIds(p)).toEqual(['system', 'm1', 'm3', 'm4', 'm5']);
    expect(p.history).toMatchObject({ firstKept: 3, pinnedKept: [1], droppedUnsummarized: [0, 2] });
    expect(p.sections[1]).toMatchObject({ kind: 'pinned', historyIndex: 1 });
    expect(p.tokenCount).toBeLessThanOrEqual(p.budget);
  });

  it('without pins the same budget keeps the newest four', () => {
    const p = assemblePrompt(input({ contextSize: 145 }));
    expect(sentIds(p)).toEqual(['system', 'm2', 'm3', 'm4', 'm5']);
    expect(p.history.droppedUnsummarized).toEqual([0, 1]);
  });
});

describe('story so far', () => {
  it('stands where the dropped messages were and covers all it summarizes', () => {
    const summaries = [{ text: 'Maren found {{user}} on the rocks.', upTo: 3 }];
    const p = assemblePrompt(input({ contextSize: 145, summaries }));
    expect(sentIds(p)).toEqual(['system', 'system', 'm3', 'm4', 'm5']);
    expect(p.messages[1]!.content).toBe(`${STORY_SO_FAR_HEADING}\nMaren found Alex on the rocks.`);
    expect(p.sections[1]!.kind).toBe('summary');
    expect(p.history).toMatchObject({ summariesUsed: 1, summarizedUpTo: 3, firstKept: 3, droppedUnsummarized: [] });
  });

  it('is not used while everything it covers still fits', () => {
    const p = assemblePrompt(input({ summaries: [{ text: 'Earlier.', upTo: 3 }] }));
    expect(p.history.summariesUsed).toBe(0);
    expect(p.messages.some((m) => m.content.startsWith(STORY_SO_FAR_HEADING))).toBe(false);
  });

  it('reports what is dropped beyond the summaries as unsummarized', () => {
    const p = assemblePrompt(input({ history: history(10), contextSize: 145, summaries: [{ text: 'Start.', upTo: 2 }] }));
    expect(p.history.summarizedUpTo).toBe(2);
    expect(p.history.droppedUnsummarized).toEqual(p.history.firstKept > 2 ? Array.from({ length: p.history.firstKept - 2 }, (_, k) => k + 2) : []);
    expect(p.history.droppedUnsummarized.length).toBeGreaterThan(0);
  });

  it('never covers the last user message: a summary reaching it is not used', () => {
    const p = assemblePrompt(input({ contextSize: 125, summaries: [{ text: 'All.', upTo: 6 }] }));
    expect(p.history.summariesUsed).toBe(0);
    expect(sentIds(p).at(-1)).toBe('m5');
  });

  it('keeps a pinned message inside a summarized range', () => {
    const p = assemblePrompt(input({ history: history(6, [1]), contextSize: 150, summaries: [{ text: 'Start.', upTo: 3 }] }));
    expect(sentIds(p)).toEqual(['system', 'system', 'm1', 'm3', 'm4', 'm5']);
  });
});
