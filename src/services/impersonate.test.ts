import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCharacter } from '../db/characters';
import { ChatRepository } from '../db/chats';
import { StudioDb } from '../db/database';
import type { ChatEngine, GenerateOptions, GenerateRequest, GenerateResult } from '../engines/ChatEngine';
import { startImpersonation } from './impersonate';

/**
 * TEST DOUBLE: an engine that streams the given pieces one per `step()`, and
 * honours the abort signal like the real engines (the next piece ends the
 * reply with 'abort').
 */
function steppedEngine(pieces: string[]) {
  const requests: GenerateRequest[] = [];
  let next: (() => void) | null = null;
  let aborted = false;
  const engine: ChatEngine & { requests: GenerateRequest[]; step: () => void } = {
    kind: 'transformers',
    status: { state: 'ready', modelId: 'stub' },
    requests,
    step: () => next?.(),
    subscribe: () => () => undefined,
    load: async () => undefined,
    async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
      requests.push(request);
      options.signal?.addEventListener('abort', () => (aborted = true), { once: true });
      let text = '';
      for (const p of pieces) {
        await new Promise<void>((r) => (next = r));
        if (aborted) return { text, finishReason: 'abort', usage: { promptTokens: 1, completionTokens: 0 } };
        text += p;
        options.onDelta?.(p);
      }
      return { text, finishReason: 'stop', usage: { promptTokens: 1, completionTokens: pieces.length } };
    },
    interrupt: () => (aborted = true),
    unload: async () => undefined,
    dispose: () => undefined,
  };
  return engine;
}

let db: StudioDb;
let name: string;
beforeEach(() => {
  name = `impersonate-${Math.random()}`;
  db = new StudioDb(name);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(name);
});

async function setup(pieces: string[]) {
  const chats = new ChatRepository(db);
  const character = buildCharacter({ card: { name: 'Maren', description: 'Keeper.' } });
  const chat = await chats.create({ characterId: character.id, characterName: 'Maren', greetings: ['Evening, stranger.'] });
  const engine = steppedEngine(pieces);
  const texts: string[] = [];
  const handle = startImpersonation({ chat, character, engine, userName: 'Captain Ro', userDescription: 'A smuggler.' }, (t) => texts.push(t), { chats });
  // Wait until the engine is asked (the history is read first).
  while (engine.requests.length === 0) await new Promise((r) => setTimeout(r, 1));
  return { chats, chat, engine, texts, handle };
}

/** Lets the engine take the next piece and the callbacks run. */
async function step(engine: { step: () => void }) {
  engine.step();
  await new Promise((r) => setTimeout(r, 1));
}

describe('startImpersonation', () => {
  it('streams the draft of the user’s line, cleaned, from an impersonation prompt, and writes nothing to the chat', async () => {
    const { chats, chat, engine, texts, handle } = await setup(['Captain ', 'Ro: Tea, ', '{{char}}?']);
    const request = engine.requests[0]!;
    expect(request.stop).toEqual(['\nMaren:']);
    const prompt = request.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain("Write Captain Ro's next reply");
    expect(prompt).toContain('About Captain Ro');
    for (let i = 0; i < 3; i++) await step(engine);
    const result = await handle.done;
    expect(result).toEqual({ text: 'Tea, Maren?', finishReason: 'stop', error: null });
    expect(texts.at(-1)).toBe('Tea, Maren?');
    expect(texts).toContain('Tea, ');
    expect((await chats.messages(chat.id)).length).toBe(1);
  });

  it('stops at once on Stop, keeping the words so far', async () => {
    const { engine, texts, handle } = await setup(['I ', 'could ', 'use ', 'a drink.']);
    await step(engine);
    await step(engine);
    handle.stop();
    await step(engine);
    const result = await handle.done;
    expect(result.finishReason).toBe('abort');
    expect(result.text).toBe('I could');
    expect(texts.at(-1)).toBe('I could');
  });
});
