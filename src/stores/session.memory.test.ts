import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatEngine, GenerateOptions, GenerateRequest, GenerateResult } from '../engines/ChatEngine';
import { memory } from '../services/memory';
import { createLongChat, editMessage, lastText, storedChat, summaryStatuses as statuses } from '../test/longChat';
import { useEngine } from './engine';
import { MEMORY_REFRESH_DELAY_MS, useSession } from './session';

// "Story so far" after an edit (issue 13 §4): a stale summary is redone soon,
// when nothing else uses the engine, not only after the next reply.

const isSummaryCall = (r: GenerateRequest) => r.messages[0]!.content.startsWith('You summarize');

/**
 * TEST DOUBLE: an engine answering summaries with `summary()` and anything
 * else (a reply, a draft) with a line that waits for `release` first, so a
 * test can hold the engine busy. Ends with 'abort' when its signal aborts.
 */
function stubEngine(summary: () => string) {
  const requests: GenerateRequest[] = [];
  let release: () => void = () => undefined;
  let held = Promise.resolve();
  const engine: ChatEngine & { requests: GenerateRequest[]; hold(): void; release(): void } = {
    kind: 'transformers',
    status: { state: 'ready', modelId: 'stub' },
    requests,
    hold() {
      held = new Promise((r) => (release = r));
    },
    release: () => release(),
    subscribe: () => () => undefined,
    load: async () => undefined,
    async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
      requests.push(request);
      const usage = { promptTokens: 0, completionTokens: 0 };
      if (!isSummaryCall(request)) await held;
      let text = '';
      for (const piece of (isSummaryCall(request) ? summary() : 'I keep the light.').match(/\S+\s*/g) ?? []) {
        await new Promise((r) => setTimeout(r, 1));
        if (options.signal?.aborted) return { text, finishReason: 'abort', usage };
        text += piece;
        options.onDelta?.(piece);
      }
      return { text, finishReason: 'stop', usage };
    },
    interrupt: () => undefined,
    unload: async () => undefined,
    dispose: () => undefined,
  };
  return engine;
}

/** The long chat of the kit, summarized once. */
async function summarizedChat(engine: ChatEngine) {
  const { character, chat } = await createLongChat();
  const result = await memory.summarize({ chatId: chat.id, character, engine, userName: 'Ada' }, new AbortController().signal);
  expect(result.status).toBe('done');
  return { character, chat: await storedChat(chat.id) };
}

afterEach(() => {
  useEngine.setState({ engine: null, status: { state: 'absent' } });
  useSession.setState({ streaming: null, takes: null, drafting: null, summarizing: null });
});

describe('session: summaries after an edit', () => {
  it('redoes a summary whose message was edited soon after, with no reply', async () => {
    let telling = 'First telling.';
    const engine = stubEngine(() => telling);
    const { chat } = await summarizedChat(engine);
    useEngine.setState({ engine, status: engine.status });
    await editMessage(chat.id, 1, 'Line 0 rewritten: the storm came.');
    expect((await statuses(chat.id))[0]).toBe('stale');

    telling = 'Second telling.';
    const calls = engine.requests.length;
    useSession.getState().historyChanged(chat.id);
    await vi.waitFor(async () => expect((await storedChat(chat.id)).memory![0]!.text).toBe('Second telling.'), { timeout: 20_000, interval: 50 });
    expect(await statuses(chat.id)).not.toContain('stale');
    // One summarizing call (the stale one), no reply.
    expect(engine.requests.slice(calls).map(isSummaryCall)).toEqual([true]);
  });

  it('waits while Impersonate drafts, and redoes it when the draft ends', async () => {
    const engine = stubEngine(() => 'Retold.');
    const { chat, character } = await summarizedChat(engine);
    useEngine.setState({ engine, status: engine.status });
    await editMessage(chat.id, 1, 'Line 0 rewritten: the storm came.');

    engine.hold();
    const draft = useSession.getState().impersonate(chat, character);
    await vi.waitFor(() => expect(engine.requests.at(-1) && !isSummaryCall(engine.requests.at(-1)!)).toBe(true));
    const calls = engine.requests.length;
    useSession.getState().historyChanged(chat.id);
    // Past the delay, the draft still holds the engine: nothing else asked of it.
    await new Promise((r) => setTimeout(r, MEMORY_REFRESH_DELAY_MS + 300));
    expect(engine.requests.length).toBe(calls);
    expect((await statuses(chat.id))[0]).toBe('stale');

    engine.release();
    expect(await draft).toBe('I keep the light.');
    await vi.waitFor(async () => expect((await statuses(chat.id))[0]).toBe('fresh'), { timeout: 20_000, interval: 50 });
    expect((await storedChat(chat.id)).memory![0]!.text).toBe('Retold.');
  });

  it('a send cancels the refresh; the reply goes first and the summary is redone after it', async () => {
    let started = false;
    const engine = stubEngine(() => {
      started = true;
      return 'A slow retelling of the story that the send interrupts halfway through its many words.';
    });
    const { chat, character } = await summarizedChat(engine);
    useEngine.setState({ engine, status: engine.status });
    started = false;
    await editMessage(chat.id, 1, 'Line 0 rewritten: the storm came.');
    useSession.getState().historyChanged(chat.id);
    await vi.waitFor(() => expect(started && useSession.getState().summarizing?.chatId).toBe(chat.id), { timeout: 20_000, interval: 10 });

    expect(await useSession.getState().send(chat, character, 'What now?')).toBe(true);
    await vi.waitFor(() => expect(useSession.getState().streaming).toBeNull(), { timeout: 20_000, interval: 20 });
    expect(await lastText(chat.id)).toBe('I keep the light.');
    // Redone after the reply (the turn's own summarizer run).
    await vi.waitFor(async () => expect((await statuses(chat.id))[0]).toBe('fresh'), { timeout: 20_000, interval: 50 });
  });
});
