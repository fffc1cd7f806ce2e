import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildCharacter } from '../db/characters';
import { ChatRepository } from '../db/chats';
import { StudioDb } from '../db/database';
import { StorageFullError } from '../db/errors';
import { VerdictRepository } from '../db/verdicts';
import { TAIL_FULL_MAX_STATEMENTS } from '../domain/consistency';
import type { ChatEngine, GenerateOptions, GenerateRequest, GenerateResult } from '../engines/ChatEngine';
import { loadStubCheckerClient } from '../test/stubCheckerClient';
import { WorkerCrashedError } from '../engines/errors';
import { historyFrom, userTurnBefore } from './chat';
import { createChatTurns, type ChatTurnRepositories, type TurnContext, type TurnEvent, type TurnRequest } from './chatTurn';
import type { Message, TakeSettings } from '../domain/chat';

/**
 * TEST DOUBLE: an engine that streams given pieces, one per `step()` when
 * manual (so a test decides exactly when each token arrives), or on timers.
 * It honours the abort signal like the real engines (the next token ends the
 * reply with 'abort') and counts interrupts; `ignoreFirstInterrupt` plays an
 * engine that does not stop cooperatively.
 */
function stubEngine(script: string[] | string[][], opts: { failAfter?: number; manual?: boolean; ignoreFirstInterrupt?: boolean } = {}) {
  // One list of pieces for every call, or one per call (the last repeats).
  const replies = (Array.isArray(script[0]) ? script : [script]) as string[][];
  const requests: GenerateRequest[] = [];
  let interrupts = 0;
  let stepResolvers: (() => void)[] = [];
  let aborted = false;
  const engine: ChatEngine & { requests: GenerateRequest[]; interrupts: () => number; step: () => void; generating: boolean } = {
    kind: 'transformers',
    status: { state: 'ready', modelId: 'stub' },
    requests,
    generating: false,
    interrupts: () => interrupts,
    step: () => {
      const r = stepResolvers;
      stepResolvers = [];
      for (const f of r) f();
    },
    subscribe: () => () => undefined,
    load: async () => undefined,
    async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
      requests.push(request);
      const pieces = replies[Math.min(requests.length - 1, replies.length - 1)]!;
      engine.generating = true;
      aborted = false;
      const onAbort = () => engine.interrupt();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) engine.interrupt();
      let text = '';
      try {
        for (const [i, p] of pieces.entries()) {
          if (i === opts.failAfter) throw Object.assign(new WorkerCrashedError(), { partialText: text });
          if (opts.manual) await new Promise<void>((r) => stepResolvers.push(r));
          else await new Promise((r) => setTimeout(r, 2));
          if (aborted) {
            if (interrupts >= 2) throw Object.assign(new WorkerCrashedError('terminated'), { partialText: text });
            return { text, finishReason: 'abort', usage: { promptTokens: 10, completionTokens: i } };
          }
          text += p;
          options.onDelta?.(p);
        }
        return { text, finishReason: 'stop', usage: { promptTokens: 10, completionTokens: pieces.length } };
      } finally {
        engine.generating = false;
        options.signal?.removeEventListener('abort', onAbort);
      }
    },
    interrupt: () => {
      interrupts++;
      if (!(opts.ignoreFirstInterrupt && interrupts === 1)) aborted = true;
      if (interrupts >= 2) aborted = true;
    },
    unload: async () => undefined,
    dispose: () => undefined,
  };
  return engine;
}

let db: StudioDb;
let name: string;
beforeEach(() => {
  name = `turn-${Math.random()}`;
  db = new StudioDb(name);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(name);
});

async function setup(characterInput: Parameters<typeof buildCharacter>[0] = { card: { name: 'Maren', description: 'Keeper.', creator_notes: 'SECRET-NOTES' } }) {
  const chats = new ChatRepository(db);
  const character = buildCharacter(characterInput);
  await db.characters.add(character);
  const chat = await chats.create({ characterId: character.id, characterName: 'Maren', greetings: ['Hello {{user}}.'] });
  return { chats, character, chat };
}

function ctxFor(engine: ChatEngine, setupResult: Awaited<ReturnType<typeof setup>>, checker: TurnContext['checker'] = { client: null, threshold: 0.5 }): TurnContext {
  return { chat: setupResult.chat, character: setupResult.character, engine, checker, userName: 'Ada' };
}

/** Runs a turn and records its events. */
function run(repos: ChatTurnRepositories, ctx: TurnContext, request: TurnRequest, options: Parameters<typeof createChatTurns>[1] = {}) {
  const events: TurnEvent[] = [];
  const turns = createChatTurns(repos, { sleep: async () => undefined, ...options });
  const handle = turns.start(ctx, request, (e) => events.push(e));
  return { handle, events, turns };
}

const types = (events: TurnEvent[]) => events.map((e) => e.type);

describe('a chat turn', () => {
  it('stores the user message, streams the reply into a new message, saves it done with usage, and builds the prompt from history', async () => {
    const s = await setup();
    const engine = stubEngine(['Good ', 'evening, ', '{{user}}.']);
    const { handle, events } = run({ chats: s.chats, verdicts: new VerdictRepository(db) }, ctxFor(engine, s), { kind: 'send', text: '  Hi there  ' });
    expect(await handle.accepted).toBe(true);
    const result = await handle.done;
    expect(result.status).toBe('replied');
    if (result.status !== 'replied') return;
    expect(result.outcome).toMatchObject({ text: 'Good evening, Ada.', finishReason: 'stop', saved: true, error: null });
    const messages = await s.chats.messages(s.chat.id);
    expect(messages.map((m) => [m.role, m.swipes[0]!.text])).toEqual([
      ['assistant', 'Hello {{user}}.'],
      ['user', 'Hi there'],
      ['assistant', 'Good evening, Ada.'],
    ]);
    expect(messages[2]!.swipes[0]).toMatchObject({ state: 'done', finishReason: 'stop', modelId: 'stub', usage: { promptTokens: 10, completionTokens: 3 } });
    const prompt = engine.requests[0]!.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('Hi there');
    expect(prompt).not.toContain('SECRET-NOTES');
    expect(engine.requests[0]!.stop.some((x) => x.includes('Ada:'))).toBe(true);
    expect(types(events)).toEqual(['target', 'text', 'text', 'text', 'text', 'reply-done']);
    expect(events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text)).toEqual(['Good ', 'Good evening, ', 'Good evening, {{user}}.', 'Good evening, Ada.']);
  });

  it('sends the request before it sets up the screen, the checker and the streaming write (time to first token)', async () => {
    const s = await setup();
    const order: string[] = [];
    const engine = stubEngine(['Hi.']);
    const generate = engine.generate.bind(engine);
    engine.generate = (request, options) => {
      order.push('request');
      return generate(request, options);
    };
    const chats: ChatTurnRepositories['chats'] = {
      messages: (id) => s.chats.messages(id),
      addSwipe: (...a) => s.chats.addSwipe(...a),
      writeSwipe: (...a) => {
        if (a[2].state === 'streaming') order.push('streaming write');
        return s.chats.writeSwipe(...a);
      },
      rankSwipes: (...a) => s.chats.rankSwipes(...a),
      append: (...a) => s.chats.append(...a),
    };
    const turns = createChatTurns({ chats, verdicts: new VerdictRepository(db) }, { sleep: async () => undefined });
    const handle = turns.start(ctxFor(engine, s), { kind: 'send', text: 'Yo' }, (e) => {
      if (e.type === 'target') order.push('target');
    });
    const result = await handle.done;
    expect(result.status === 'replied' && result.outcome.text).toBe('Hi.');
    expect(order).toEqual(['request', 'target', 'streaming write']);
  });

  describe('regenerate in an open chat (the request leaves from what the chat shows, issue 14)', () => {
    /** The chat open (its feed delivering), a user turn and a reply to regenerate. */
    async function openChat() {
      const s = await setup();
      await s.chats.append(s.chat.id, { role: 'user', name: 'Ada', text: 'Swim?' });
      const reply = await s.chats.append(s.chat.id, { role: 'assistant', name: 'Maren', text: 'Sure!' });
      let shown: Message[] = [];
      const stop = s.chats.watchMessages(s.chat.id, (l) => (shown = l), () => undefined);
      await vi.waitFor(() => expect(shown.map((m) => m.id)).toContain(reply.id));
      return { s, reply, stop };
    }
    /** The app's repository with the swipe's write held until `release()`. */
    function holdingSwipe(chats: ChatRepository) {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const repo: ChatTurnRepositories['chats'] = {
        messages: (id) => chats.messages(id),
        openMessages: (id) => chats.openMessages(id),
        addSwipe: async (...a) => {
          await gate;
          return chats.addSwipe(...a);
        },
        writeSwipe: (...a) => chats.writeSwipe(...a),
        rankSwipes: (...a) => chats.rankSwipes(...a),
        append: (...a) => chats.append(...a),
      };
      return { repo, release };
    }

    it('asks the engine before the new swipe is written, then writes the reply into it', async () => {
      const { s, reply, stop } = await openChat();
      const engine = stubEngine(['Never.'], { manual: true });
      const { repo, release } = holdingSwipe(s.chats);
      const events: TurnEvent[] = [];
      const turns = createChatTurns({ chats: repo, verdicts: new VerdictRepository(db) }, { sleep: async () => undefined });
      const handle = turns.start(ctxFor(engine, s), { kind: 'regenerate', messageId: reply.id }, (e) => events.push(e));
      await vi.waitFor(() => expect(engine.requests).toHaveLength(1));
      // Asked, and nothing on screen or in storage yet.
      expect(types(events)).not.toContain('target');
      expect((await db.messages.get(reply.id))!.swipes).toHaveLength(1);
      release();
      await vi.waitFor(() => expect(types(events)).toContain('target'));
      engine.step();
      const result = await handle.done;
      expect(result.status === 'replied' && result.outcome.target.swipeIndex).toBe(1);
      expect((await db.messages.get(reply.id))!.swipes.map((w) => w.text)).toEqual(['Sure!', 'Never.']);
      expect(engine.requests).toHaveLength(1);
      stop();
    });

    it('asks again from the stored chat when what the chat showed was behind it', async () => {
      const { s, reply, stop } = await openChat();
      const engine = stubEngine([['Old ', 'answer.'], ['New answer.']]);
      const shown = s.chats.openMessages(s.chat.id)!;
      // The screen still shows the user turn as it was before an edit that just landed.
      const user = shown.find((m) => m.role === 'user')!;
      await s.chats.writeSwipe(user.id, 0, { text: 'Swim in the dark?' });
      const repo: ChatTurnRepositories['chats'] = { ...s.chats, messages: (id) => s.chats.messages(id), openMessages: () => shown, addSwipe: (...a) => s.chats.addSwipe(...a), writeSwipe: (...a) => s.chats.writeSwipe(...a), rankSwipes: (...a) => s.chats.rankSwipes(...a), append: (...a) => s.chats.append(...a) };
      const { handle } = run({ chats: repo, verdicts: new VerdictRepository(db) }, ctxFor(engine, s), { kind: 'regenerate', messageId: reply.id });
      const result = await handle.done;
      expect(engine.requests).toHaveLength(2);
      expect(engine.requests[0]!.messages.map((m) => m.content).join('\n')).not.toContain('Swim in the dark?');
      expect(engine.requests[1]!.messages.map((m) => m.content).join('\n')).toContain('Swim in the dark?');
      expect(result.status === 'replied' && result.outcome.text).toBe('New answer.');
      expect((await db.messages.get(reply.id))!.swipes.map((w) => w.text)).toEqual(['Sure!', 'New answer.']);
      stop();
    });

    it('a swipe that cannot be written stops the request: not started, nothing stored', async () => {
      const { s, reply, stop } = await openChat();
      const engine = stubEngine(['one ', 'two ', 'three ', 'four.'], { manual: true });
      const repo: ChatTurnRepositories['chats'] = { messages: (id) => s.chats.messages(id), openMessages: (id) => s.chats.openMessages(id), addSwipe: async () => Promise.reject(new StorageFullError()), writeSwipe: (...a) => s.chats.writeSwipe(...a), rankSwipes: (...a) => s.chats.rankSwipes(...a), append: (...a) => s.chats.append(...a) };
      const { handle, events } = run({ chats: repo, verdicts: new VerdictRepository(db) }, ctxFor(engine, s), { kind: 'regenerate', messageId: reply.id });
      await vi.waitFor(() => expect(engine.requests).toHaveLength(1));
      engine.step();
      const result = await handle.done;
      expect(result.status).toBe('not-started');
      expect(result.status === 'not-started' && result.error).toBeInstanceOf(StorageFullError);
      expect(engine.interrupts()).toBeGreaterThanOrEqual(1);
      expect(types(events)).not.toContain('target');
      expect((await db.messages.get(reply.id))!.swipes.map((w) => w.text)).toEqual(['Sure!']);
      stop();
    });
  });

  it('keeps the partial text with state error when the engine fails', async () => {
    const s = await setup();
    const { handle } = run({ chats: s.chats, verdicts: new VerdictRepository(db) }, ctxFor(stubEngine(['one ', 'two ', 'three'], { failAfter: 2 }), s), { kind: 'send', text: 'Go' });
    const result = await handle.done;
    if (result.status !== 'replied') throw new Error('not replied');
    expect(result.outcome.error).toBeInstanceOf(WorkerCrashedError);
    expect((await s.chats.messages(s.chat.id)).at(-1)!.swipes[0]).toMatchObject({ text: 'one two ', state: 'error', finishReason: 'error' });
  });

  it('continues the shown swipe after its text', async () => {
    const s = await setup();
    const reply = await s.chats.append(s.chat.id, { role: 'assistant', name: 'Maren', text: 'Some text' });
    const { handle } = run({ chats: s.chats, verdicts: new VerdictRepository(db) }, ctxFor(stubEngine(['and more.']), s), { kind: 'continue', messageId: reply.id });
    const result = await handle.done;
    expect(result.status === 'replied' && result.outcome.text).toBe('Some text and more.');
    expect((await db.messages.get(reply.id))!.swipes[0]!.text).toBe('Some text and more.');
  });

  it('regenerates into a new swipe "in character", prompting from the history before the message', async () => {
    const s = await setup();
    await s.chats.append(s.chat.id, { role: 'user', name: 'Ada', text: 'Swim?' });
    const reply = await s.chats.append(s.chat.id, { role: 'assistant', name: 'Maren', text: 'Sure!' });
    await s.chats.append(s.chat.id, { role: 'user', name: 'Ada', text: 'LATER MESSAGE' });
    const engine = stubEngine(['Never.']);
    const { handle } = run({ chats: s.chats, verdicts: new VerdictRepository(db) }, ctxFor(engine, s), { kind: 'regenerate', messageId: reply.id, restate: ['Maren fears deep water.'] });
    await handle.done;
    const stored = (await db.messages.get(reply.id))!;
    expect(stored.swipes.map((w) => w.text)).toEqual(['Sure!', 'Never.']);
    expect(stored.swipeIndex).toBe(1);
    expect(stored.swipes[1]!.inCharacterOf).toEqual(['Maren fears deep water.']);
    const prompt = engine.requests[0]!.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('Maren fears deep water.');
    expect(prompt).not.toContain('LATER MESSAGE');
  });

  it('refuses nothing silently: a user message that cannot be stored is not accepted and nothing is written', async () => {
    const s = await setup();
    const failing: ChatTurnRepositories['chats'] = {
      messages: (id) => s.chats.messages(id),
      addSwipe: (...a) => s.chats.addSwipe(...a),
      writeSwipe: (...a) => s.chats.writeSwipe(...a),
      rankSwipes: (...a) => s.chats.rankSwipes(...a),
      append: async () => {
        throw new StorageFullError();
      },
    };
    const engine = stubEngine(['x']);
    const { handle } = run({ chats: failing, verdicts: new VerdictRepository(db) }, ctxFor(engine, s), { kind: 'send', text: 'Hello' });
    expect(await handle.accepted).toBe(false);
    const result = await handle.done;
    expect(result.status).toBe('not-started');
    expect(result.status === 'not-started' && result.error).toBeInstanceOf(StorageFullError);
    expect(engine.requests).toHaveLength(0);
    expect(await s.chats.messages(s.chat.id)).toHaveLength(1);
  });

  it('survives a listener that throws', async () => {
    const s = await setup();
    const turns = createChatTurns({ chats: s.chats, verdicts: new VerdictRepository(db) });
    const handle = turns.start(ctxFor(stubEngine(['Hi.']), s), { kind: 'send', text: 'Yo' }, () => {
      throw new Error('broken listener');
    });
    const result = await handle.done;
    expect(result.status === 'replied' && result.outcome.saved).toBe(true);
  });
});

describe('stop', () => {
  it('before the first token: the engine is never asked, and the empty reply is saved as stopped', async () => {
    const s = await setup();
    const engine = stubEngine(['never ', 'said']);
    const { handle } = run({ chats: s.chats, verdicts: new VerdictRepository(db) }, ctxFor(engine, s), { kind: 'send', text: 'Hi' });
    // Pressed while the user's message is still being written.
    handle.stop();
    const result = await handle.done;
    expect(engine.requests).toHaveLength(0);
    expect(result.status === 'replied' && result.outcome).toMatchObject({ text: '', finishReason: 'abort', saved: true });
    expect((await s.chats.messages(s.chat.id)).at(-1)!.swipes[0]).toMatchObject({ text: '', state: 'done', finishReason: 'abort' });
  });

  it('while the engine prefills (asked, no token yet): the reply ends at the first token', async () => {
    const s = await setup();
    const engine = stubEngine(['a ', 'b ', 'c'], { manual: true });
    const { handle } = run({ chats: s.chats, verdicts: new VerdictRepository(db) }, ctxFor(engine, s), { kind: 'send', text: 'Hi' });
    await vi.waitFor(() => expect(engine.generating).toBe(true));
    handle.stop();
    engine.step();
    const result = await handle.done;
    expect(result.status === 'replied' && result.outcome).toMatchObject({ text: '', finishReason: 'abort' });
    expect(engine.interrupts()).toBe(1);
  });

  it('mid-stream: the text so far is kept and saved as stopped', async () => {
    const s = await setup();
    const engine = stubEngine(['one ', 'two ', 'three ', 'four'], { manual: true });
    const { handle, events } = run({ chats: s.chats, verdicts: new VerdictRepository(db) }, ctxFor(engine, s), { kind: 'send', text: 'Hi' });
    await vi.waitFor(() => expect(engine.generating).toBe(true));
    engine.step();
    await vi.waitFor(() => expect(events.some((e) => e.type === 'text')).toBe(true));
    engine.step();
    await vi.waitFor(() => expect(events.filter((e) => e.type === 'text')).toHaveLength(2));
    handle.stop();
    engine.step();
    const result = await handle.done;
    expect(result.status === 'replied' && result.outcome).toMatchObject({ text: 'one two ', finishReason: 'abort', saved: true });
    expect((await s.chats.messages(s.chat.id)).at(-1)!.swipes[0]).toMatchObject({ text: 'one two ', finishReason: 'abort' });
  });

  it('a second press forces an engine that ignores the first, keeping the partial text', async () => {
    const s = await setup();
    const engine = stubEngine(['one ', 'two ', 'three'], { manual: true, ignoreFirstInterrupt: true });
    const { handle, events } = run({ chats: s.chats, verdicts: new VerdictRepository(db) }, ctxFor(engine, s), { kind: 'send', text: 'Hi' });
    const texts = () => events.filter((e) => e.type === 'text').length;
    await vi.waitFor(() => expect(engine.generating).toBe(true));
    engine.step();
    await vi.waitFor(() => expect(texts()).toBe(1));
    handle.stop();
    engine.step();
    await vi.waitFor(() => expect(texts()).toBe(2));
    handle.stop();
    engine.step();
    const result = await handle.done;
    expect(engine.interrupts()).toBe(2);
    expect(result.status === 'replied' && result.outcome.finishReason).toBe('error');
    expect((await s.chats.messages(s.chat.id)).at(-1)!.swipes[0]!.text).toBe('one two ');
  });
});

describe('failed saves', () => {
  /** Chat repository whose writeSwipe fails while `full` is set (a browser out of space). */
  function flakyRepo(chats: ChatRepository) {
    const state = { full: false, writes: 0 };
    const repo: ChatTurnRepositories['chats'] = {
      messages: (id) => chats.messages(id),
      append: (...a) => chats.append(...a),
      addSwipe: (...a) => chats.addSwipe(...a),
      rankSwipes: (...a) => chats.rankSwipes(...a),
      writeSwipe: async (...a) => {
        state.writes++;
        if (state.full) throw new StorageFullError();
        return chats.writeSwipe(...a);
      },
    };
    return { repo, state };
  }

  it('a write refused mid-reply: the text stays in memory, the failure is reported, the final save retries, nothing older replaces it, Retry stores it', async () => {
    const s = await setup();
    const { repo, state } = flakyRepo(s.chats);
    const engine = stubEngine(['First part. ', 'Second part. ', 'Third part.'], { manual: true });
    let clock = 0;
    const verdicts = new VerdictRepository(db);
    const { handle, events, turns } = run({ chats: repo, verdicts }, ctxFor(engine, s), { kind: 'send', text: 'Tell me' }, { now: () => clock, saveIntervalMs: 10, finalRetryDelaysMs: [1, 1] });
    await vi.waitFor(() => expect(engine.generating).toBe(true));
    clock = 100;
    engine.step(); // saved periodically: 'First part. '
    await vi.waitFor(async () => expect((await s.chats.messages(s.chat.id)).at(-1)!.swipes[0]!.text).toBe('First part. '));
    state.full = true;
    clock = 200;
    engine.step(); // this periodic save fails
    await vi.waitFor(() => expect(types(events)).toContain('save-failed'));
    const writesBeforeEnd = state.writes;
    engine.step();
    const result = await handle.done;
    if (result.status !== 'replied') throw new Error('not replied');
    const { outcome } = result;
    expect(outcome.text).toBe('First part. Second part. Third part.');
    expect(outcome.saved).toBe(false);
    // One final attempt plus two retries.
    expect(state.writes - writesBeforeEnd).toBe(3);
    expect(outcome.unsaved?.error).toBeInstanceOf(StorageFullError);
    expect(outcome.unsaved?.patch).toMatchObject({ text: 'First part. Second part. Third part.', state: 'done', finishReason: 'stop' });
    // Reported once, not per write; storage still holds the older text, which the caller must not show.
    expect(types(events).filter((t) => t === 'save-failed')).toHaveLength(1);
    const stored = (await s.chats.messages(s.chat.id)).at(-1)!;
    expect(stored.swipes[0]).toMatchObject({ text: 'First part. ', state: 'streaming' });

    // Space freed: Retry writes the whole reply.
    state.full = false;
    await turns.retrySave(outcome.target, outcome.unsaved!.patch, null);
    expect((await db.messages.get(stored.id))!.swipes[0]).toMatchObject({ text: 'First part. Second part. Third part.', state: 'done' });
  });

  it('a final save that fails once and then works is saved, and the recovery is reported', async () => {
    const s = await setup();
    const { repo, state } = flakyRepo(s.chats);
    let failNext = false;
    const original = repo.writeSwipe;
    repo.writeSwipe = async (...a) => {
      if (failNext) {
        failNext = false;
        throw new StorageFullError();
      }
      return original(...a);
    };
    const engine = stubEngine(['Hello.'], { manual: true });
    const { handle, events } = run({ chats: repo, verdicts: new VerdictRepository(db) }, ctxFor(engine, s), { kind: 'send', text: 'Hi' });
    await vi.waitFor(() => expect(engine.generating).toBe(true));
    failNext = true;
    engine.step();
    const result = await handle.done;
    expect(result.status === 'replied' && result.outcome.saved).toBe(true);
    expect(types(events)).toEqual(expect.arrayContaining(['save-failed', 'save-recovered']));
    expect((await s.chats.messages(s.chat.id)).at(-1)!.swipes[0]).toMatchObject({ text: 'Hello.', state: 'done' });
    expect(state.full).toBe(false);
  });
});

describe('live check within the turn', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  // The stub NLI (checkerTestkit) answers by a word rule — shared content word +
  // exactly one negation → contradiction: plumbing, not meaning.
  it('reports sentences while streaming, stores the fast verdict, then the exact one, then ends', async () => {
    const loaded = await loadStubCheckerClient();
    cleanups.push(loaded.dispose);
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const statements = Array.from({ length: TAIL_FULL_MAX_STATEMENTS + 6 }, (_, i) => ({
      id: `s${i}`,
      text: `Maren keeps a zz${letters[i % 26]}q in her room.`,
      origin: 'manual' as const,
      enabled: true,
      version: 1,
    }));
    statements[5] = { ...statements[5]!, text: 'Maren is afraid of deep water.' };
    const s = await setup({ card: { name: 'Maren' }, statements });
    const engine = stubEngine(['Hello there, traveller. ', 'I have never feared the deep water, not once!']);
    const verdicts = new VerdictRepository(db);
    const { handle, events } = run({ chats: s.chats, verdicts }, ctxFor(engine, s, { client: loaded.client, threshold: 0.5 }), { kind: 'send', text: 'Hi' });
    const result = await handle.done;
    if (result.status !== 'replied') throw new Error('not replied');
    await vi.waitFor(() => expect(types(events)).toContain('check-done'));
    const verdictEvents = events.filter((e): e is Extract<TurnEvent, { type: 'verdict' }> => e.type === 'verdict');
    expect(verdictEvents.map((e) => [e.exact, e.saved, e.verdict.strategy])).toEqual([
      [false, true, 'pruned'],
      [true, true, 'full'],
    ]);
    expect(events.filter((e) => e.type === 'sentence').length).toBeGreaterThan(0);
    expect(types(events).indexOf('check-done')).toBeGreaterThan(types(events).lastIndexOf('verdict'));
    const stored = await verdicts.get(result.outcome.target.messageId, 0);
    expect(stored?.strategy).toBe('full');
    expect(stored?.flaggedSentences).toEqual([{ sentenceIndex: 1, statementIds: ['s5'] }]);
    expect(loaded.runtime.nliPairs).toBe(2 * statements.length);
  });

  it('sends the on-screen reply\'s role flags per sentence while it streams; a background take\'s stay out of sight', async () => {
    const loaded = await loadStubCheckerClient();
    cleanups.push(loaded.dispose);
    const s = await setup({ card: { name: 'Maren' } });
    const reply = ['As an AI language model, I cannot help with that. ', 'The lamp turns in the dark.'];
    const verdicts = new VerdictRepository(db);
    const one = run({ chats: s.chats, verdicts }, ctxFor(stubEngine(reply), s, { client: loaded.client, threshold: 0.5 }), { kind: 'send', text: 'Hi' });
    await one.handle.done;
    await vi.waitFor(() => expect(types(one.events)).toContain('check-done'));
    const roles = one.events.filter((e): e is Extract<TurnEvent, { type: 'sentence-roles' }> => e.type === 'sentence-roles');
    expect(roles.map((e) => [e.check.sentence.index, e.check.flags.map((f) => f.kind)])).toEqual([
      [0, ['assistant-voice']],
      [1, []],
    ]);
    // Each sentence's role flags follow its scores.
    const order = types(one.events);
    expect(order.indexOf('sentence')).toBeLessThan(order.indexOf('sentence-roles'));

    const chat = { ...s.chat, takes: { perReply: 2, guard: false, guardRetries: 1 } };
    const two = run({ chats: s.chats, verdicts }, ctxFor(stubEngine(reply), { ...s, chat }, { client: loaded.client, threshold: 0.5 }), { kind: 'send', text: 'Hi again' });
    await two.handle.done;
    expect(types(two.events)).toContain('take');
    const background = two.events.slice(two.events.findIndex((e) => e.type === 'take'));
    expect(types(background)).not.toContain('sentence-roles');
  });

  it('does not check when the checker is not loaded, and cancels the check of a failed reply', async () => {
    const s = await setup();
    const none = run({ chats: s.chats, verdicts: new VerdictRepository(db) }, ctxFor(stubEngine(['Hi.']), s), { kind: 'send', text: 'Yo' });
    await none.handle.done;
    expect(types(none.events)).not.toContain('check-done');

    const loaded = await loadStubCheckerClient();
    cleanups.push(loaded.dispose);
    const failed = run({ chats: s.chats, verdicts: new VerdictRepository(db) }, ctxFor(stubEngine(['one. ', 'two.'], { failAfter: 1 }), s, { client: loaded.client, threshold: 0.5 }), { kind: 'send', text: 'Yo' });
    await failed.handle.done;
    expect(types(failed.events)).toContain('check-done');
    expect(types(failed.events)).not.toContain('verdict');
  });
});

describe('history helpers', () => {
  it('uses shown swipes, skips empty messages, finds the user turn', async () => {
    const s = await setup();
    await s.chats.append(s.chat.id, { role: 'user', name: 'Ada', text: 'Hi there' });
    await s.chats.append(s.chat.id, { role: 'assistant', name: 'Maren', text: '', state: 'streaming' });
    const messages = await s.chats.messages(s.chat.id);
    expect(historyFrom(messages).map((m) => m.content)).toEqual(['Hello {{user}}.', 'Hi there']);
    expect(userTurnBefore(messages, 2)).toBe('Hi there');
    expect(userTurnBefore(messages, 0)).toBe('');
  });
});

describe('takes and the guard', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  // The stub NLI's word rule (shared content word + one negation → contradiction,
  // same polarity → entailment) makes these replies contradict, or keep, Maren's
  // statements: plumbing, not meaning.
  const CONTRADICTS = ['Maren is not afraid of the deep water.'];
  const KEEPS = ['Maren stays far from the deep water.'];
  const KEEPS_MORE = ['Maren keeps the lighthouse lamp lit and stays far from the deep water.'];
  const STATEMENTS = [
    { id: 's1', text: 'Maren is afraid of deep water.', origin: 'manual' as const, enabled: true, version: 1 },
    { id: 's2', text: 'Maren keeps the lighthouse lamp.', origin: 'manual' as const, enabled: true, version: 1 },
  ];

  async function takesSetup(takes: Partial<TakeSettings>, withChecker = true) {
    const s = await setup({ card: { name: 'Maren' }, statements: STATEMENTS });
    const chat = { ...s.chat, takes: { perReply: 1, guard: false, guardRetries: 2, ...takes } };
    let checker: TurnContext['checker'] = { client: null, threshold: 0.5 };
    if (withChecker) {
      const loaded = await loadStubCheckerClient();
      cleanups.push(loaded.dispose);
      checker = { client: loaded.client, threshold: 0.5 };
    }
    const verdicts = new VerdictRepository(db);
    const ctx = (engine: ChatEngine): TurnContext => ({ ...ctxFor(engine, { ...s, chat }, checker) });
    return { ...s, chat, verdicts, ctx };
  }

  async function storedTakes(t: Awaited<ReturnType<typeof takesSetup>>, messageId: string) {
    const message = (await db.messages.get(messageId))!;
    const verdicts = await Promise.all(message.swipes.map((_, i) => t.verdicts.get(messageId, i)));
    return { message, texts: message.swipes.map((w) => w.text), apcs: verdicts.map((v) => v?.apcPercent ?? null), verdicts };
  }

  it('N = 3: the first take streams, takes 2 and 3 run in the background, and the swipes end ranked by APC with their verdicts, the best shown', async () => {
    const t = await takesSetup({ perReply: 3 });
    const engine = stubEngine([CONTRADICTS, KEEPS, KEEPS_MORE]);
    const { handle, events } = run({ chats: t.chats, verdicts: t.verdicts }, t.ctx(engine), { kind: 'send', text: 'Swim?' });
    const result = await handle.done;
    if (result.status !== 'replied') throw new Error('not replied');
    expect(engine.requests).toHaveLength(3);
    expect(result.takes).toMatchObject({ count: 3, ranked: true, guard: null });
    const takeEvents = events.filter((e): e is Extract<TurnEvent, { type: 'take' }> => e.type === 'take');
    expect(takeEvents.map((e) => [e.take, e.of, e.purpose, e.target.swipeIndex])).toEqual([
      [2, 3, 'best-of', 1],
      [3, 3, 'best-of', 2],
    ]);
    // Only the first take is streamed to the screen.
    expect(events.filter((e) => e.type === 'target')).toHaveLength(1);
    const background = events.slice(events.findIndex((e) => e.type === 'take'));
    expect(types(background)).toEqual(['take', 'reply-done', 'verdict', 'check-done', 'take', 'reply-done', 'verdict', 'check-done', 'takes-done']);
    expect(types(events).at(-1)).toBe('takes-done');

    const stored = await storedTakes(t, result.outcome.target.messageId);
    expect(stored.apcs.every((a) => a !== null)).toBe(true);
    const apcs = stored.apcs as number[];
    expect([...apcs].sort((a, b) => b - a)).toEqual(apcs);
    expect(new Set(apcs).size).toBe(3);
    expect(stored.texts.at(-1)).toBe(CONTRADICTS[0]);
    expect(stored.message.swipeIndex).toBe(0);
    // Each verdict moved with its own swipe: the flagged one is on the contradicting text.
    expect(stored.verdicts.map((v) => v!.flaggedSentences.length)).toEqual([0, 0, 1]);
    expect(stored.message.swipes.every((w) => w.state === 'done' && w.finishReason === 'stop')).toBe(true);
  });

  it('N = 3 without a checker: three swipes in the order they were made, the first shown', async () => {
    const t = await takesSetup({ perReply: 3 }, false);
    const engine = stubEngine([['one.'], ['two.'], ['three.']]);
    const { handle } = run({ chats: t.chats, verdicts: t.verdicts }, t.ctx(engine), { kind: 'send', text: 'Hi' });
    const result = await handle.done;
    if (result.status !== 'replied') throw new Error('not replied');
    const stored = await storedTakes(t, result.outcome.target.messageId);
    expect(stored.texts).toEqual(['one.', 'two.', 'three.']);
    expect(stored.message.swipeIndex).toBe(0);
  });

  it('the guard on a reply that keeps contradicting: K tries restating the statement, K + 1 takes kept, the note says it still fails', async () => {
    const t = await takesSetup({ guard: true, guardRetries: 2 });
    const engine = stubEngine([CONTRADICTS]);
    const { handle, events } = run({ chats: t.chats, verdicts: t.verdicts }, t.ctx(engine), { kind: 'send', text: 'Swim?' });
    const result = await handle.done;
    if (result.status !== 'replied') throw new Error('not replied');
    expect(engine.requests).toHaveLength(3);
    const prompts = engine.requests.map((r) => r.messages.map((m) => m.content).join('\n'));
    expect(prompts[0]).not.toContain('[Important:');
    for (const p of prompts.slice(1)) expect(p).toMatch(/\[Important:[^\]]*Maren is afraid of deep water\./);
    expect(events.filter((e) => e.type === 'take').map((e) => (e as { take: number; of: number; purpose: string }).purpose + (e as { take: number }).take)).toEqual(['guard1', 'guard2']);
    const stored = await storedTakes(t, result.outcome.target.messageId);
    expect(stored.texts).toHaveLength(3);
    expect(stored.message.guard).toMatchObject({ tries: 2, outcome: 'failing', statements: ['Maren is afraid of deep water.'], roleKinds: [] });
    expect(stored.message.swipes.slice(1).map((w) => w.inCharacterOf)).toEqual([['Maren is afraid of deep water.'], ['Maren is afraid of deep water.']]);
  });

  it('the guard stops at the first clean try and shows it; the note says what was removed', async () => {
    const t = await takesSetup({ guard: true, guardRetries: 3 });
    const engine = stubEngine([CONTRADICTS, KEEPS, KEEPS_MORE]);
    const { handle } = run({ chats: t.chats, verdicts: t.verdicts }, t.ctx(engine), { kind: 'send', text: 'Swim?' });
    const result = await handle.done;
    if (result.status !== 'replied') throw new Error('not replied');
    expect(engine.requests).toHaveLength(2);
    const stored = await storedTakes(t, result.outcome.target.messageId);
    expect(stored.texts).toEqual([KEEPS[0], CONTRADICTS[0]]);
    expect(stored.message.swipeIndex).toBe(0);
    expect(stored.message.guard).toMatchObject({ tries: 1, outcome: 'clean', statements: ['Maren is afraid of deep water.'] });
  });

  it('the guard on a clean reply does nothing', async () => {
    const t = await takesSetup({ guard: true, guardRetries: 3 });
    const engine = stubEngine([KEEPS, CONTRADICTS]);
    const { handle, events } = run({ chats: t.chats, verdicts: t.verdicts }, t.ctx(engine), { kind: 'send', text: 'Swim?' });
    const result = await handle.done;
    if (result.status !== 'replied') throw new Error('not replied');
    expect(engine.requests).toHaveLength(1);
    expect(types(events)).not.toContain('take');
    const stored = await storedTakes(t, result.outcome.target.messageId);
    expect(stored.texts).toEqual([KEEPS[0]]);
    expect(stored.message.guard).toBeUndefined();
  });

  it('Stop during take 2 keeps take 1 on show and makes no take 3; a take stopped before its first word is dropped', async () => {
    const t = await takesSetup({ perReply: 3 });
    const engine = stubEngine([['Maren stays ', 'far from the deep water.'], ['never ', 'said'], ['nor this']], { manual: true });
    const { handle, events } = run({ chats: t.chats, verdicts: t.verdicts }, t.ctx(engine), { kind: 'send', text: 'Swim?' });
    await vi.waitFor(() => expect(engine.generating).toBe(true));
    engine.step();
    await vi.waitFor(() => expect(types(events)).toContain('text'));
    engine.step();
    await vi.waitFor(() => expect(types(events)).toContain('take'));
    await vi.waitFor(() => expect(engine.requests).toHaveLength(2));
    handle.stop();
    engine.step();
    const result = await handle.done;
    if (result.status !== 'replied') throw new Error('not replied');
    expect(engine.requests).toHaveLength(2);
    const stored = await storedTakes(t, result.outcome.target.messageId);
    expect(stored.texts).toEqual(['Maren stays far from the deep water.']);
    expect(stored.message.swipeIndex).toBe(0);
    expect(stored.apcs[0]).not.toBeNull();
    expect(result.takes).toMatchObject({ count: 1 });
  });

  it('Stop during a guard try keeps what exists and notes the guard was stopped', async () => {
    const t = await takesSetup({ guard: true, guardRetries: 3 });
    const engine = stubEngine([['Maren is not afraid ', 'of the deep water.'], ['Maren stays ', 'far away.']], { manual: true });
    // Every delta saved, so the test sees the background try's first words in storage.
    const { handle, events } = run({ chats: t.chats, verdicts: t.verdicts }, t.ctx(engine), { kind: 'send', text: 'Swim?' }, { saveIntervalMs: 0 });
    await vi.waitFor(() => expect(engine.generating).toBe(true));
    engine.step();
    await vi.waitFor(() => expect(types(events)).toContain('text'));
    engine.step();
    await vi.waitFor(() => expect(types(events)).toContain('take'));
    await vi.waitFor(() => expect(engine.generating).toBe(true));
    engine.step();
    const messageId = (events[0] as Extract<TurnEvent, { type: 'target' }>).target.messageId;
    await vi.waitFor(async () => expect((await db.messages.get(messageId))!.swipes[1]?.text).toBe('Maren stays '));
    handle.stop();
    engine.step();
    const result = await handle.done;
    if (result.status !== 'replied') throw new Error('not replied');
    const stored = await storedTakes(t, result.outcome.target.messageId);
    expect(stored.texts).toEqual(['Maren is not afraid of the deep water.', 'Maren stays ']);
    // The complete (if failing) take goes first; the stopped try after it.
    expect(stored.message.swipeIndex).toBe(0);
    expect(stored.message.guard).toMatchObject({ tries: 1, outcome: 'stopped' });
  });
});
