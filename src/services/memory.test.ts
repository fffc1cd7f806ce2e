import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildCharacter } from '../db/characters';
import { ChatRepository } from '../db/chats';
import { StudioDb } from '../db/database';
import { VerdictRepository } from '../db/verdicts';
import { DEFAULT_SAMPLING } from '../domain/chat';
import { newStatement } from '../domain/character';
import { storyTail } from '../domain/consistency';
import { storyOfRecord } from '../domain/memory/promptRecord';
import { loadStubCheckerClient } from '../test/stubCheckerClient';
import { STORY_SO_FAR_HEADING } from '../domain/prompt';
import type { ChatEngine, GenerateOptions, GenerateRequest, GenerateResult } from '../engines/ChatEngine';
import { createChatTurns } from './chatTurn';
import { createMemory, SUMMARY_JOBS_PER_PLAN } from './memory';

/**
 * TEST DOUBLE: an engine answering every call with `reply`, a piece per
 * timer tick, ending with 'abort' when its signal aborts (as the real engines do).
 */
function stubEngine(reply: (request: GenerateRequest) => string) {
  const requests: GenerateRequest[] = [];
  const engine: ChatEngine & { requests: GenerateRequest[] } = {
    kind: 'transformers',
    status: { state: 'ready', modelId: 'stub' },
    requests,
    subscribe: () => () => undefined,
    load: async () => undefined,
    async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
      requests.push(request);
      let text = '';
      for (const piece of reply(request).match(/\S+\s*/g) ?? []) {
        await new Promise((r) => setTimeout(r, 1));
        if (options.signal?.aborted) return { text, finishReason: 'abort', usage: { promptTokens: 0, completionTokens: 0 } };
        text += piece;
        options.onDelta?.(piece);
      }
      return { text, finishReason: 'stop', usage: { promptTokens: 0, completionTokens: 0 } };
    },
    interrupt: () => undefined,
    unload: async () => undefined,
    dispose: () => undefined,
  };
  return engine;
}

const isSummaryCall = (r: GenerateRequest) => r.messages[0]!.content.startsWith('You summarize');

let db: StudioDb;
let name: string;
beforeEach(() => {
  name = `memory-svc-${Math.random()}`;
  db = new StudioDb(name);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(name);
});

/** A chat of 40 forty-word messages on a 1,024-token context: far longer than fits. */
async function longChat() {
  const chats = new ChatRepository(db);
  const character = buildCharacter({ card: { name: 'Maren', description: 'Keeper of the lighthouse.' } });
  await db.characters.add(character);
  const chat = await chats.create({ characterId: character.id, characterName: 'Maren', greetings: ['Hello.'] });
  for (let i = 0; i < 40; i++) {
    await chats.append(chat.id, { role: i % 2 === 0 ? 'user' : 'assistant', name: i % 2 === 0 ? 'Ada' : 'Maren', text: `Line ${i}: ${'the tide rolls over the rocks and '.repeat(5)}` });
  }
  const sampling = { ...DEFAULT_SAMPLING, contextSize: 1024, maxTokens: 100 };
  await chats.updateSampling(chat.id, sampling);
  return { chats, character, chat: (await chats.get(chat.id))! };
}

describe('story so far', () => {
  it('summarizes the dropped history in chunks; the next prompt sends the summary where it was, and records it', async () => {
    const { chats, character, chat } = await longChat();
    const engine = stubEngine((r) => (isSummaryCall(r) ? 'Ada and Maren watched the tide for days.' : 'I keep the light.'));
    const memory = createMemory({ chats });
    const result = await memory.summarize({ chatId: chat.id, character, engine, userName: 'Ada' }, new AbortController().signal);
    expect(result.status).toBe('done');
    const summaries = (await chats.get(chat.id))!.memory!;
    expect(summaries.length).toBeGreaterThan(0);
    expect(engine.requests.filter(isSummaryCall)).toHaveLength(summaries.length);
    // Each call reads at most its chunk: well inside the context.
    for (const r of engine.requests) expect(r.messages.map((m) => m.content).join(' ').split(/\s+/).length).toBeLessThan(1024);

    const turns = createChatTurns({ chats, verdicts: new VerdictRepository(db) }, { sleep: async () => undefined });
    const fresh = (await chats.get(chat.id))!;
    const handle = turns.start({ chat: fresh, character, engine, checker: { client: null, threshold: 0.5 }, userName: 'Ada' }, { kind: 'send', text: 'What now?' }, () => undefined);
    const done = await handle.done;
    expect(done.status).toBe('replied');
    const sent = engine.requests.at(-1)!.messages.map((m) => m.content).join('\n');
    expect(sent).toContain(STORY_SO_FAR_HEADING);
    expect(sent).toContain('Ada and Maren watched the tide for days.');
    expect(sent).not.toContain('Line 0:');
    const reply = (await chats.messages(chat.id)).at(-1)!;
    const record = reply.swipes[0]!.prompt!;
    expect(record.entries.map((e) => e.kind)).toContain('summary');
    expect(record.summarized?.count).toBeGreaterThan(0);
  });

  it('plans a few chunks at a time and plans again until everything dropped is summarized', async () => {
    const { chats, character, chat } = await longChat();
    // A small context: many more chunks to write than SUMMARY_JOBS_PER_PLAN.
    await chats.updateSampling(chat.id, { ...chat.sampling, contextSize: 400, maxTokens: 60 });
    const engine = stubEngine(() => 'They talked.');
    const memory = createMemory({ chats });
    const result = await memory.summarize({ chatId: chat.id, character, engine, userName: 'Ada' }, new AbortController().signal);
    expect(result.status).toBe('done');
    const written = (await chats.get(chat.id))!.memory!.length;
    expect(written).toBeGreaterThan(SUMMARY_JOBS_PER_PLAN);
    // Caught up: nothing is left to plan.
    expect(await memory.summarize({ chatId: chat.id, character, engine, userName: 'Ada' }, new AbortController().signal)).toEqual({ status: 'idle' });
  });

  it('stops when a round writes nothing (a model that answers with nothing)', async () => {
    const { chats, character, chat } = await longChat();
    const engine = stubEngine(() => '');
    const memory = createMemory({ chats });
    const result = await memory.summarize({ chatId: chat.id, character, engine, userName: 'Ada' }, new AbortController().signal);
    expect(result).toMatchObject({ status: 'done', written: 0 });
    expect(engine.requests.length).toBeLessThanOrEqual(SUMMARY_JOBS_PER_PLAN);
  });

  it('a second run with nothing new to summarize does nothing', async () => {
    const { chats, character, chat } = await longChat();
    const engine = stubEngine(() => 'They talked.');
    const memory = createMemory({ chats });
    await memory.summarize({ chatId: chat.id, character, engine, userName: 'Ada' }, new AbortController().signal);
    const calls = engine.requests.length;
    expect(await memory.summarize({ chatId: chat.id, character, engine, userName: 'Ada' }, new AbortController().signal)).toEqual({ status: 'idle' });
    expect(engine.requests.length).toBe(calls);
  });

  it('redoes a summary whose messages were edited, in place', async () => {
    const { chats, character, chat } = await longChat();
    let answer = 'First telling.';
    const engine = stubEngine(() => answer);
    const memory = createMemory({ chats });
    await memory.summarize({ chatId: chat.id, character, engine, userName: 'Ada' }, new AbortController().signal);
    const before = (await chats.get(chat.id))!.memory!;
    const first = (await chats.messages(chat.id))[1]!;
    await chats.writeSwipe(first.id, 0, { text: 'Line 0 rewritten: the storm came.' });
    answer = 'Second telling.';
    const result = await memory.summarize({ chatId: chat.id, character, engine, userName: 'Ada' }, new AbortController().signal);
    expect(result).toMatchObject({ status: 'done', written: 1 });
    const after = (await chats.get(chat.id))!.memory!;
    expect(after.map((s) => s.id)).toEqual(before.map((s) => s.id));
    expect(after[0]!.text).toBe('Second telling.');
    expect(after.slice(1).map((s) => s.text)).toEqual(before.slice(1).map((s) => s.text));
  });

  it('cancelled, it stores nothing unfinished', async () => {
    const { chats, character, chat } = await longChat();
    const controller = new AbortController();
    const engine = stubEngine(() => {
      queueMicrotask(() => controller.abort());
      return 'A summary that never ends because the writer sent a message.';
    });
    const result = await createMemory({ chats }).summarize({ chatId: chat.id, character, engine, userName: 'Ada' }, controller.signal);
    expect(result.status).toBe('stopped');
    expect((await chats.get(chat.id))!.memory ?? []).toEqual([]);
  });

  it('the checker reads the story so far the prompt sent as context for relevance, and never checks or flags it', async () => {
    const { chats, character: plain, chat } = await longChat();
    const character = { ...plain, statements: [newStatement('Maren watched the tide.', 'manual'), newStatement('Maren is not a sailor.', 'manual')] };
    const story = 'Ada and Maren watched the tide for days.';
    const engine = stubEngine((r) => (isSummaryCall(r) ? story : 'I keep the light.'));
    await createMemory({ chats }).summarize({ chatId: chat.id, character, engine, userName: 'Ada' }, new AbortController().signal);
    const { client, runtime, dispose } = await loadStubCheckerClient();
    try {
      const turns = createChatTurns({ chats, verdicts: new VerdictRepository(db) }, { sleep: async () => undefined });
      const fresh = (await chats.get(chat.id))!;
      const events: string[] = [];
      const handle = turns.start({ chat: fresh, character, engine, checker: { client, threshold: 0.5 }, userName: 'Ada' }, { kind: 'send', text: 'What now?' }, (e) => {
        if (e.type === 'check-done') events.push(e.type);
      });
      expect((await handle.done).status).toBe('replied');
      await vi.waitFor(() => expect(events).toContain('check-done'));
      const sentStory = engine.requests.at(-1)!.messages.map((m) => m.content).join('\n');
      expect(sentStory).toContain(story);
      // Relevance was asked against the end of the story that prompt sent, as well as the turn.
      const reply = (await chats.messages(chat.id)).at(-1)!;
      const sent = storyOfRecord(reply.swipes[0]!.prompt);
      expect(sent).toContain(story);
      expect(runtime.log.embedBatches.flat()).toContain(storyTail(sent));
      // NLI read statements and the reply only: the story is never a premise or a hypothesis.
      const nli = runtime.log.nliBatches.flatMap((b) => [...b.premises, ...b.hypotheses]);
      expect(nli.length).toBeGreaterThan(0);
      expect(nli.some((t) => t.includes('watched the tide for days'))).toBe(false);
      const verdict = (await new VerdictRepository(db).get(reply.id, 0))!;
      const r = (i: number) => verdict.statements.find((st) => st.statementId === character.statements[i]!.id)!.r;
      // The turn ("What now?") names neither statement; the story makes the tide one relevant.
      expect(r(0)).toBeGreaterThan(0.3);
      expect(r(0)).toBeGreaterThan(r(1));
    } finally {
      dispose();
    }
  });
});
