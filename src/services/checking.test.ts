import { afterEach, describe, expect, it } from 'vitest';
import { buildCharacter } from '../db/characters';
import { ChatRepository } from '../db/chats';
import { getDb, repos, verdictKey } from '../db';
import { loadStubCheckerClient } from '../test/stubCheckerClient';
import type { PromptRecord } from '../domain/memory/promptRecord';
import { STORY_SO_FAR_HEADING } from '../domain/prompt';
import { createRecheckQueue, type RecheckDeps, type RecheckJob } from './checking';
import { assistantTurns } from './chatChecks';
import type { Message } from '../domain/chat';

// The stub NLI (checkerTestkit) answers by a word rule — shared content word +
// exactly one negation → contradiction: plumbing, not meaning.

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function seed(replies: string[]) {
  const character = buildCharacter({
    card: { name: 'Maren' },
    statements: [{ id: 's1', text: 'Maren is afraid of deep water.', origin: 'manual', enabled: true, version: 1 }],
  });
  const chats = new ChatRepository(getDb());
  const chat = await chats.create({ characterId: character.id, characterName: 'Maren', greetings: [] });
  await chats.append(chat.id, { role: 'user', name: 'Ada', text: 'Swim?' });
  const messages = [];
  for (const text of replies) messages.push(await chats.append(chat.id, { role: 'assistant', name: 'Maren', text }));
  return { character, chat, messages };
}

describe('the re-check queue', () => {
  it('checks stored replies one at a time, skips one already queued, and stores each verdict', async () => {
    const loaded = await loadStubCheckerClient();
    cleanups.push(loaded.dispose);
    const { character, chat, messages } = await seed(['I never feared the deep water.', 'I love the harbour.']);
    const marks: [string, boolean][] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const deps = async (): Promise<RecheckDeps> => ({
      client: loaded.client,
      threshold: 0.5,
      setChecking: (key, on) => {
        marks.push([key, on]);
        concurrent += on ? 1 : -1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
      },
    });
    const queue = createRecheckQueue(deps);
    const jobs: RecheckJob[] = messages.map((message) => ({ chatId: chat.id, message, character, userTurn: 'Swim?' }));
    const [first, again] = await Promise.all([queue.enqueue(jobs), queue.enqueue([jobs[0]!])]);
    expect(first).toBe(2);
    expect(again).toBe(1);
    expect(maxConcurrent).toBe(1);
    expect(marks.filter(([, on]) => on)).toHaveLength(2);
    const stored = await repos.verdicts.forChat(chat.id);
    expect(stored.get(verdictKey(messages[0]!.id, 0))?.verdict).toBe('contradicts');
    expect(stored.get(verdictKey(messages[1]!.id, 0))?.verdict).not.toBe('contradicts');
  });

  it('does nothing while the checker is not loaded', async () => {
    const { character, chat, messages } = await seed(['I never feared the deep water.']);
    const queue = createRecheckQueue(async () => ({ client: null, threshold: 0.5, setChecking: () => undefined }));
    expect(await queue.enqueue([{ chatId: chat.id, message: messages[0]!, character, userTurn: '' }])).toBe(0);
    expect((await repos.verdicts.forChat(chat.id)).size).toBe(0);
  });

  it('a re-check stores role flags, naming the user from the settings', async () => {
    const loaded = await loadStubCheckerClient();
    cleanups.push(loaded.dispose);
    await repos.settings.set('userName', 'Ada');
    const { character, chat, messages } = await seed(['Ada: I will swim for you.', 'As an AI language model, I cannot swim.', 'The tower creaks.']);
    const queue = createRecheckQueue(async () => ({ client: loaded.client, threshold: 0.5, setChecking: () => undefined }));
    expect(await queue.enqueue(messages.map((message) => ({ chatId: chat.id, message, character, userTurn: 'Swim?' })))).toBe(3);
    const stored = await repos.verdicts.forChat(chat.id);
    // The stub's bag-of-words vectors under the MiniLM curve may add an
    // assistant-voice flag of their own; the lexical kinds are certain.
    expect(stored.get(verdictKey(messages[0]!.id, 0))?.roleFlags?.map((f) => f.kind)).toContain('speaks-for-user');
    expect(stored.get(verdictKey(messages[1]!.id, 0))?.roleFlags?.map((f) => f.kind)).toEqual(['assistant-voice']);
    expect(stored.get(verdictKey(messages[2]!.id, 0))?.roleFlags).toEqual([]);
  });

  it('a re-check reads the story so far its swipe’s prompt sent as relevance context, and never checks it', async () => {
    const loaded = await loadStubCheckerClient();
    cleanups.push(loaded.dispose);
    const { character, chat, messages } = await seed(['The lamp is lit.', 'The lamp is lit.']);
    const prompt: PromptRecord = {
      v: 1,
      at: 1,
      names: { char: 'Maren', user: 'Ada' },
      contextSize: 1024,
      budget: 900,
      tokenCount: 40,
      overBudget: false,
      entries: [{ kind: 'summary', role: 'system', tokens: 20, text: `${STORY_SO_FAR_HEADING}\nThat night Ada and Maren crossed the deep water; Maren was afraid.` }],
      summarized: null,
      dropped: [],
      droppedExampleBlocks: 0,
      droppedLorebookEntries: [],
    };
    await repos.chats.writeSwipe(messages[0]!.id, 0, { prompt });
    const [told, plain] = (await repos.chats.messages(chat.id)).slice(1);
    const queue = createRecheckQueue(async () => ({ client: loaded.client, threshold: 0.5, setChecking: () => undefined }));
    expect(await queue.enqueue([told!, plain!].map((message) => ({ chatId: chat.id, message, character, userTurn: 'Hello?' })))).toBe(2);
    const stored = await repos.verdicts.forChat(chat.id);
    const r = (id: string) => stored.get(verdictKey(id, 0))!.statements[0]!.r;
    expect(r(told!.id)).toBeGreaterThan(0.3);
    expect(r(plain!.id)).toBeLessThan(0.05);
    expect(loaded.runtime.log.nliBatches.flatMap((b) => [...b.premises, ...b.hypotheses]).some((t) => t.includes('crossed'))).toBe(false);
  });
});

describe('assistantTurns', () => {
  const msg = (id: string, role: Message['role'], text: string): Message =>
    ({ id, chatId: 'c', order: 0, role, name: role, swipes: [{ text, state: 'done', createdAt: 0 }], swipeIndex: 0, createdAt: 0, updatedAt: 0 }) as unknown as Message;

  it('pairs each reply with the user turn before it, skips blank replies, and keeps an unchanged turn object across calls', () => {
    const u1 = msg('u1', 'user', 'Swim?');
    const a1 = msg('a1', 'assistant', 'Never.');
    const blank = msg('a2', 'assistant', ' \n\t ');
    const u2 = msg('u2', 'user', 'Tea?');
    const a3 = msg('a3', 'assistant', 'Yes.');
    const first = assistantTurns([u1, a1, blank, u2, a3]);
    expect(first.map((t) => [t.message.id, t.userTurn])).toEqual([
      ['a1', 'Swim?'],
      ['a3', 'Tea?'],
    ]);
    const again = assistantTurns([u1, a1, blank, u2, a3, msg('u3', 'user', 'Later.')]);
    expect(again[0]).toBe(first[0]);
    expect(again[1]).toBe(first[1]);
    // The user turn before a reply changed (an edit is a new message object): a new turn.
    const edited = assistantTurns([u1, a1, blank, msg('u2', 'user', 'Coffee?'), a3]);
    expect(edited[1]).not.toBe(first[1]);
    expect(edited[1]!.userTurn).toBe('Coffee?');
  });
});

