import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCharacter } from '../db/characters';
import { ChatRepository } from '../db/chats';
import { StudioDb } from '../db/database';
import type { ChatEngine, GenerateOptions, GenerateRequest, GenerateResult } from '../engines/ChatEngine';
import { WorkerCrashedError } from '../engines/errors';
import { historyFrom, streamReply, userTurnBefore } from './chat';

/** A stub engine (test double) that streams given pieces, optionally failing. */
function stubEngine(pieces: string[], failAfter = -1): ChatEngine & { requests: GenerateRequest[] } {
  const requests: GenerateRequest[] = [];
  return {
    kind: 'transformers',
    status: { state: 'ready', modelId: 'stub' },
    requests,
    subscribe: () => () => undefined,
    load: async () => undefined,
    async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
      requests.push(request);
      let text = '';
      for (const [i, p] of pieces.entries()) {
        if (i === failAfter) throw Object.assign(new WorkerCrashedError(), { partialText: text });
        await new Promise((r) => setTimeout(r, 5));
        text += p;
        options.onDelta?.(p);
      }
      return { text, finishReason: 'stop', usage: { promptTokens: 10, completionTokens: pieces.length } };
    },
    interrupt: () => undefined,
    unload: async () => undefined,
    dispose: () => undefined,
  };
}

let db: StudioDb;
let name: string;
beforeEach(() => {
  name = `chat-${Math.random()}`;
  db = new StudioDb(name);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(name);
});

async function setup() {
  const repo = new ChatRepository(db);
  const character = buildCharacter({ card: { name: 'Maren', description: 'Keeper.', creator_notes: 'SECRET-NOTES' } });
  await db.characters.add(character);
  const chat = await repo.create({ characterId: character.id, characterName: 'Maren', greetings: ['Hello {{user}}.'] });
  await repo.append(chat.id, { role: 'user', name: 'Ada', text: 'Hi there' });
  const reply = await repo.append(chat.id, { role: 'assistant', name: 'Maren', text: '', state: 'streaming' });
  return { repo, character, chat, reply };
}

describe('streamReply', () => {
  it('streams into the swipe, saves it done with usage, and builds the prompt from history', async () => {
    const { repo, character, chat, reply } = await setup();
    const engine = stubEngine(['Good ', 'evening, ', '{{user}}.']);
    const seen: string[] = [];
    const messages = await repo.messages(chat.id);
    const outcome = await streamReply({
      engine,
      repo,
      character,
      chat,
      history: historyFrom(messages, messages.length - 1),
      userName: 'Ada',
      target: { messageId: reply.id, swipeIndex: 0, prefix: '' },
      onText: (t) => seen.push(t),
    });
    expect(outcome.text).toBe('Good evening, Ada.');
    expect(seen.slice(0, 3)).toEqual(['Good ', 'Good evening, ', 'Good evening, {{user}}.']);
    const stored = await db.messages.get(reply.id);
    expect(stored?.swipes[0]).toMatchObject({ text: 'Good evening, Ada.', state: 'done', finishReason: 'stop', modelId: 'stub', usage: { promptTokens: 10, completionTokens: 3 } });
    const prompt = engine.requests[0]!.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('Hi there');
    expect(prompt).not.toContain('SECRET-NOTES');
    expect(engine.requests[0]!.stop.some((s) => s.includes('Ada:'))).toBe(true);
  });

  it('keeps the partial text with state error when the engine fails', async () => {
    const { repo, character, chat, reply } = await setup();
    const outcome = await streamReply({
      engine: stubEngine(['one ', 'two ', 'three'], 2),
      repo,
      character,
      chat,
      history: [],
      userName: 'Ada',
      target: { messageId: reply.id, swipeIndex: 0, prefix: '' },
    });
    expect(outcome.error).toBeInstanceOf(WorkerCrashedError);
    expect((await db.messages.get(reply.id))?.swipes[0]).toMatchObject({ text: 'one two ', state: 'error' });
  });

  it('continues after a prefix', async () => {
    const { repo, character, chat, reply } = await setup();
    const outcome = await streamReply({
      engine: stubEngine(['and more.']),
      repo,
      character,
      chat,
      history: [],
      userName: 'Ada',
      target: { messageId: reply.id, swipeIndex: 0, prefix: 'Some text ' },
    });
    expect(outcome.text).toBe('Some text and more.');
  });
});

describe('history helpers', () => {
  it('uses shown swipes, skips empty messages, finds the user turn', async () => {
    const { repo, chat } = await setup();
    const messages = await repo.messages(chat.id);
    expect(historyFrom(messages).map((m) => m.content)).toEqual(['Hello {{user}}.', 'Hi there']);
    expect(userTurnBefore(messages, 2)).toBe('Hi there');
    expect(userTurnBefore(messages, 0)).toBe('');
  });
});
