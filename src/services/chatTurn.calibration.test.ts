import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCharacter } from '../db/characters';
import { ChatRepository } from '../db/chats';
import { StudioDb } from '../db/database';
import { VerdictRepository } from '../db/verdicts';
import { DEFAULT_SAMPLING } from '../domain/chat';
import { estimateTokens, MESSAGE_OVERHEAD_TOKENS, TokenCalibration } from '../domain/prompt';
import type { ChatEngine, GenerateRequest, GenerateResult } from '../engines/ChatEngine';
import { createChatTurns, type TurnContext } from './chatTurn';
import { calibrationRatio } from './calibration';
import { historyFrom } from './chat';
import { contextStartOf } from './contextWindow';

/**
 * History trimming from a server's `usage`: the server's model has a
 * tokenizer that takes TOKENIZER_FACTOR × the studio's estimate (a small
 * vocabulary). With the plain estimate a long chat overflows the server's
 * context; after one reply the studio budgets with the reported ratio.
 */
const TOKENIZER_FACTOR = 3;
const SERVER_CONTEXT = 2048;

/** The server's own count of a prompt: its tokenizer, plus its template's tokens per message. */
const realTokens = (messages: { content: string }[]) => messages.reduce((n, m) => n + TOKENIZER_FACTOR * (estimateTokens(m.content) + MESSAGE_OVERHEAD_TOKENS), 0);

/** TEST DOUBLE: a server engine that answers at once and reports usage with its own tokenizer. */
function serverEngine(kind: ChatEngine['kind'] = 'server') {
  const requests: GenerateRequest[] = [];
  const engine: ChatEngine & { requests: GenerateRequest[] } = {
    kind,
    contextSize: SERVER_CONTEXT,
    status: { state: 'ready', modelId: 'small-vocab' },
    requests,
    subscribe: () => () => undefined,
    load: async () => undefined,
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      requests.push(request);
      return { text: 'Aye.', finishReason: 'stop', usage: { promptTokens: realTokens(request.messages), completionTokens: 2 } };
    },
    interrupt: () => undefined,
    unload: async () => undefined,
    dispose: () => undefined,
  };
  return engine;
}

let db: StudioDb;
let name: string;
beforeEach(() => {
  name = `calibration-${Math.random()}`;
  db = new StudioDb(name);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(name);
});

/** A chat long enough that only part of it fits the server's context. */
async function longChat() {
  const chats = new ChatRepository(db);
  const character = buildCharacter({ card: { name: 'Maren', description: 'Keeper of the Greyhaven light.' } });
  await db.characters.add(character);
  const chat = await chats.create({ characterId: character.id, characterName: 'Maren', greetings: ['Evening.'] });
  for (let i = 0; i < 60; i++) {
    await chats.append(chat.id, { role: i % 2 ? 'assistant' : 'user', name: i % 2 ? 'Maren' : 'Ada', text: `Turn ${i}: the storm keeps on and the lamp must be trimmed before the tide turns at the rocks.`, state: 'done' });
  }
  return { chats, character, chat };
}

async function turn(turns: ReturnType<typeof createChatTurns>, ctx: TurnContext, text: string) {
  const handle = turns.start(ctx, { kind: 'send', text }, () => undefined);
  const result = await handle.done;
  expect(result.status).toBe('replied');
}

describe('history trimmed with the server’s usage', () => {
  it('the first prompt, on the estimate, overflows; after one reply the prompts fit the server’s real context', async () => {
    const s = await longChat();
    const engine = serverEngine();
    const turns = createChatTurns({ chats: s.chats, verdicts: new VerdictRepository(db) }, { sleep: async () => undefined });
    const ctx: TurnContext = { chat: { ...s.chat, sampling: { ...DEFAULT_SAMPLING } }, character: s.character, engine, checker: { client: null, threshold: 0.5 }, userName: 'Ada' };
    const budget = SERVER_CONTEXT - DEFAULT_SAMPLING.maxTokens;

    await turn(turns, ctx, 'Is the lamp lit?');
    await turn(turns, ctx, 'And the log?');
    await turn(turns, ctx, 'Good night.');
    const [first, second, third] = engine.requests.map((r) => r.messages);
    // The estimate alone lets in what the server's tokenizer cannot hold.
    expect(realTokens(first!)).toBeGreaterThan(budget);
    // Calibrated: fewer history messages, and the real count fits.
    expect(second!.length).toBeLessThan(first!.length);
    expect(realTokens(second!)).toBeLessThanOrEqual(budget);
    expect(realTokens(third!)).toBeLessThanOrEqual(budget);
    // Still as much history as fits: close to the budget, not far under it.
    expect(realTokens(second!)).toBeGreaterThan(budget * 0.8);
    expect(second!.at(-1)!.content).toContain('And the log?');
  });

  it('in-browser engines keep the plain estimate (their models are the ones it is tuned for)', async () => {
    const s = await longChat();
    const engine = serverEngine('transformers');
    const turns = createChatTurns({ chats: s.chats, verdicts: new VerdictRepository(db) }, { sleep: async () => undefined });
    const ctx: TurnContext = { chat: { ...s.chat, sampling: { ...DEFAULT_SAMPLING, contextSize: SERVER_CONTEXT } }, character: s.character, engine, checker: { client: null, threshold: 0.5 }, userName: 'Ada' };
    await turn(turns, ctx, 'Is the lamp lit?');
    await turn(turns, ctx, 'And the log?');
    const [first, second] = engine.requests.map((r) => r.messages);
    // One more user + assistant pair in the chat: the same window, shifted (same count, ±1 for the pair's sizes).
    expect(Math.abs(second!.length - first!.length)).toBeLessThanOrEqual(1);
  });

  it('the chat’s context line counts with the same calibration: after a reply it marks where the next prompt starts', async () => {
    const s = await longChat();
    const engine = serverEngine();
    const calibration = new TokenCalibration();
    const turns = createChatTurns({ chats: s.chats, verdicts: new VerdictRepository(db) }, { sleep: async () => undefined, calibration });
    const chat = { ...s.chat, sampling: { ...DEFAULT_SAMPLING } };
    const ctx: TurnContext = { chat, character: s.character, engine, checker: { client: null, threshold: 0.5 }, userName: 'Ada' };
    const line = async () => contextStartOf(await s.chats.messages(chat.id), chat, s.character, 'Ada', engine.contextSize, calibrationRatio(engine, calibration));
    const plainLine = await line();

    await turn(turns, ctx, 'Is the lamp lit?');
    expect(calibrationRatio(engine, calibration)).toBeGreaterThan(2);
    const messages = await s.chats.messages(chat.id);
    const start = await line();
    // The next prompt (a reply to the last message) starts at the line's message.
    await turns.start(ctx, { kind: 'reply' }, () => undefined).done;
    const sent = engine.requests.at(-1)!.messages;
    const firstHistory = historyFrom(messages.slice(start!))[0]!;
    expect(sent.find((m) => m.role !== 'system')!.content).toBe(firstHistory.content);
    // Without the ratio the line would sit far above it.
    expect(start!).toBeGreaterThan(plainLine! + 10);
  });
});
