import { describe, expect, it } from 'vitest';
import { emptyCardData } from '../character';
import { assemblePrompt, type HistoryMessage } from '../prompt';
import { cleanSummary, coverageHash, planSummaries, readSummaryChain, summaryPrompt, type StorySummary } from './storySoFar';
import { inspectPrompt, recordPrompt, sentSummaryStale } from './promptRecord';

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

function history(n: number): HistoryMessage[] {
  return Array.from({ length: n }, (_, i) => ({ id: `m${i}`, role: (n - 1 - i) % 2 === 0 ? 'user' : 'assistant', name: (n - 1 - i) % 2 === 0 ? 'Alex' : 'Maren', content: `m${i} ${'word '.repeat(9).trim()}` }));
}

function summary(h: HistoryMessage[], from: number, to: number, text = `sum ${from}-${to}`): StorySummary {
  return { id: `s${from}`, fromId: h[from]!.id!, toId: h[to]!.id!, count: to - from + 1, sourceHash: coverageHash(h.slice(from, to + 1)), text, edited: false, createdAt: 0, updatedAt: 0 };
}

describe('summary staleness', () => {
  it('reads fresh summaries as a chain the prompt can use', () => {
    const h = history(8);
    const chain = readSummaryChain([summary(h, 0, 2), summary(h, 3, 4)], h);
    expect(chain.states.map((s) => s.status)).toEqual(['fresh', 'fresh']);
    expect(chain.inputs).toEqual([{ text: 'sum 0-2', upTo: 3 }, { text: 'sum 3-4', upTo: 5 }]);
  });

  it('marks a summary stale when a message it covers is edited, and ends the usable chain there', () => {
    const h = history(8);
    const stored = [summary(h, 0, 2), summary(h, 3, 4)];
    const edited = h.map((m, i) => (i === 3 ? { ...m, content: 'm3 changed' } : m));
    const chain = readSummaryChain(stored, edited);
    expect(chain.states.map((s) => s.status)).toEqual(['fresh', 'stale']);
    expect(chain.inputs).toEqual([{ text: 'sum 0-2', upTo: 3 }]);
    const plan = planSummaries({ chain, history: edited, plan: { firstKept: 0, summariesUsed: 0, summarizedUpTo: 0, pinnedKept: [], droppedUnsummarized: [] }, countTokens: words, chunkTokens: 100, lookaheadTokens: 0 });
    expect(plan).toEqual({ remove: [], jobs: [{ kind: 'redo', summaryId: 's3', from: 3, to: 4 }] });
  });

  it('orphans a summary whose messages were deleted, and removes it with the ones after it', () => {
    const h = history(8);
    const stored = [summary(h, 0, 2), summary(h, 3, 4)];
    const gone = h.filter((m) => m.id !== 'm0');
    const chain = readSummaryChain(stored, gone);
    expect(chain.states.map((s) => s.status)).toEqual(['orphaned', 'fresh']);
    expect(chain.inputs).toEqual([]);
    const plan = planSummaries({ chain, history: gone, plan: { firstKept: 0, summariesUsed: 0, summarizedUpTo: 0, pinnedKept: [], droppedUnsummarized: [] }, countTokens: words, chunkTokens: 100, lookaheadTokens: 0 });
    expect(plan.remove).toEqual(['s0', 's3']);
  });

  it('an edited summary text stays fresh (only its messages make it stale)', () => {
    const h = history(4);
    const s = { ...summary(h, 0, 1), text: 'The writer’s words.', edited: true };
    expect(readSummaryChain([s], h).states[0]!.status).toBe('fresh');
  });
});

describe('reading the chain in a long chat', () => {
  it('does not re-read the text of unchanged summarized messages, and still sees an edit (a new entry object)', () => {
    const h = history(3000);
    let reads = 0;
    // Entries that count how often their text is read (coverageHash reads it).
    const counted = h.map((m) => {
      const { content, ...rest } = m;
      return Object.defineProperty({ ...rest }, 'content', { enumerable: true, get: () => (reads++, content) }) as HistoryMessage;
    });
    const stored = [summary(h, 0, 1999), summary(h, 2000, 2499)];
    expect(readSummaryChain(stored, counted).states.map((s) => s.status)).toEqual(['fresh', 'fresh']);
    expect(reads).toBe(2500);
    reads = 0;
    expect(readSummaryChain(stored, counted).inputs).toEqual([{ text: 'sum 0-1999', upTo: 2000 }, { text: 'sum 2000-2499', upTo: 2500 }]);
    expect(reads).toBe(0);
    // One message edited: a new entry for it; the first summary is stale, the second still fresh.
    const edited = counted.slice();
    edited[10] = { ...h[10]!, content: 'm10 changed' };
    expect(readSummaryChain(stored, edited).states.map((s) => s.status)).toEqual(['stale', 'fresh']);
    // And back: fresh again.
    expect(readSummaryChain(stored, counted).states.map((s) => s.status)).toEqual(['fresh', 'fresh']);
  });

  it('with no summaries, reads nothing of the history', () => {
    const h = history(50);
    const untouchable = new Proxy(h, { get: (t, k) => (k === 'length' || typeof k === 'symbol' ? Reflect.get(t, k) : (() => { throw new Error(`read ${String(k)}`); })()) });
    expect(readSummaryChain([], untouchable)).toEqual({ states: [], inputs: [] });
  });
});

describe('planning', () => {
  it('summarizes what the prompt dropped, in chunks, with lookahead, never up to the last user message', () => {
    const h = history(12);
    const plan = planSummaries({
      chain: readSummaryChain([], h),
      history: h,
      plan: { firstKept: 4, summariesUsed: 0, summarizedUpTo: 0, pinnedKept: [], droppedUnsummarized: [0, 1, 2, 3] },
      countTokens: words,
      chunkTokens: 25,
      lookaheadTokens: 20,
    });
    // 11 tokens per message: two per chunk; 0..3 dropped + 2 messages lookahead.
    expect(plan.jobs).toEqual([
      { kind: 'new', from: 0, to: 1 },
      { kind: 'new', from: 2, to: 3 },
      { kind: 'new', from: 4, to: 5 },
    ]);
    const far = planSummaries({ chain: readSummaryChain([], h), history: h, plan: { firstKept: 4, summariesUsed: 0, summarizedUpTo: 0, pinnedKept: [], droppedUnsummarized: [0, 1, 2, 3] }, countTokens: words, chunkTokens: 1000, lookaheadTokens: 10_000 });
    expect(far.jobs).toEqual([{ kind: 'new', from: 0, to: 10 }]);
  });

  it('plans at most maxNewJobs new chunks, and counts no further than they reach', () => {
    const h = history(12);
    const counted: string[] = [];
    const count = (t: string) => (counted.push(t), words(t));
    const plan = planSummaries({
      chain: readSummaryChain([], h),
      history: h,
      plan: { firstKept: 10, summariesUsed: 0, summarizedUpTo: 0, pinnedKept: [], droppedUnsummarized: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
      countTokens: count,
      chunkTokens: 25,
      lookaheadTokens: 0,
      maxNewJobs: 2,
    });
    expect(plan.jobs).toEqual([
      { kind: 'new', from: 0, to: 1 },
      { kind: 'new', from: 2, to: 3 },
    ]);
    // Message 4 ends the second chunk; 5..9 are never counted.
    expect(counted.length).toBeLessThanOrEqual(5);
  });

  it('starts new summaries after the existing chain', () => {
    const h = history(12);
    const plan = planSummaries({ chain: readSummaryChain([summary(h, 0, 2)], h), history: h, plan: { firstKept: 5, summariesUsed: 1, summarizedUpTo: 3, pinnedKept: [], droppedUnsummarized: [3, 4] }, countTokens: words, chunkTokens: 1000, lookaheadTokens: 0 });
    expect(plan.jobs).toEqual([{ kind: 'new', from: 3, to: 4 }]);
  });

  it('writes a summarizing prompt with the transcript and the story so far; cleans the answer', () => {
    const h = history(3);
    const p = summaryPrompt(h.slice(0, 2), 'Earlier things.', { char: 'Maren', user: 'Alex' });
    expect(p[0]!.role).toBe('system');
    expect(p[1]!.content).toContain('Earlier things.');
    expect(p[1]!.content).toContain('Alex: m0 word');
    expect(cleanSummary('  Summary: They met.  ')).toBe('They met.');
  });
});

describe('prompt record', () => {
  const card = { ...emptyCardData('Maren'), system_prompt: 'Play {{char}}.' };

  it('stores message runs by id and reads back the exact text sent', () => {
    const h = history(6).map((m, i) => (i === 1 ? { ...m, pinned: true } : m));
    const prompt = assemblePrompt({ card, statements: [], history: h, userName: 'Alex', contextSize: 145, maxReplyTokens: 100, countTokens: words, messageOverheadTokens: 0, authorsNote: { text: 'Note for {{char}}.', depth: 1 } });
    const record = recordPrompt(prompt, h, { names: { char: 'Maren', user: 'Alex' }, contextSize: 145, at: 1 });
    expect(record.entries.map((e) => e.kind)).toEqual(['system', 'pinned', 'history', 'authors-note', 'history']);
    expect(record.entries[2]!.run).toMatchObject({ fromId: 'm3', toId: 'm4', count: 2 });
    expect(record.dropped).toEqual([{ fromId: 'm0', toId: 'm0', count: 1 }, { fromId: 'm2', toId: 'm2', count: 1 }]);
    // Compact: no history text is stored.
    expect(JSON.stringify(record)).not.toContain('m3 word');
    const seen = inspectPrompt(record, h);
    expect(seen.entries.flatMap((e) => (e.messages ? e.messages.map((m) => m.text) : [e.text]))).toEqual(prompt.messages.map((m) => m.content));
    expect(seen.entries.every((e) => !e.changed)).toBe(true);
    expect(seen.dropped.map((m) => m.id)).toEqual(['m0', 'm2']);
  });

  it('shows a run as changed when one of its messages was edited since', () => {
    const h = history(4);
    const prompt = assemblePrompt({ card, statements: [], history: h, userName: 'Alex', contextSize: 1000, maxReplyTokens: 100, countTokens: words, messageOverheadTokens: 0 });
    const record = recordPrompt(prompt, h, { names: { char: 'Maren', user: 'Alex' }, contextSize: 1000, at: 1 });
    const seen = inspectPrompt(record, h.map((m, i) => (i === 2 ? { ...m, content: 'edited' } : m)));
    expect(seen.entries[1]!.changed).toBe(true);
  });

  it('reads the story so far it sent as stale while a summary of it is stale or orphaned, fresh once redone', () => {
    const h = history(12);
    const stored = [summary(h, 0, 3), summary(h, 4, 5)];
    const prompt = assemblePrompt({ card, statements: [], history: h, userName: 'Alex', contextSize: 160, maxReplyTokens: 100, countTokens: words, messageOverheadTokens: 0, summaries: readSummaryChain(stored, h).inputs });
    const record = recordPrompt(prompt, h, { names: { char: 'Maren', user: 'Alex' }, contextSize: 160, at: 1 });
    expect(record.entries.map((e) => e.kind)).toContain('summary');
    expect(record.summarized).toMatchObject({ fromId: 'm0', toId: 'm5' });
    expect(sentSummaryStale(record, readSummaryChain(stored, h), h)).toBe(false);
    // A summarized message edited: stale until the summary is redone over the edited text.
    const edited = h.map((m, i) => (i === 4 ? { ...m, content: 'm4 changed' } : m));
    expect(sentSummaryStale(record, readSummaryChain(stored, edited), edited)).toBe(true);
    expect(sentSummaryStale(record, readSummaryChain([stored[0]!, summary(edited, 4, 5, 'redone')], edited), edited)).toBe(false);
    // One deleted: its summary is orphaned.
    const deleted = h.filter((_, i) => i !== 1);
    expect(sentSummaryStale(record, readSummaryChain(stored, deleted), deleted)).toBe(true);
    // An edit after what was summarized leaves it alone.
    const later = h.map((m, i) => (i === 10 ? { ...m, content: 'm10 changed' } : m));
    expect(sentSummaryStale(record, readSummaryChain(stored, later), later)).toBe(false);
  });
});
