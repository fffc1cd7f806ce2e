import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCharacter } from '../db/characters';
import { ChatRepository } from '../db/chats';
import { StudioDb } from '../db/database';
import { VerdictRepository } from '../db/verdicts';
import type { Character } from '../domain/character';
import type { TakeSettings } from '../domain/chat';
import { makeGroupScene } from '../domain/group';
import type { ChatEngine, GenerateOptions, GenerateRequest, GenerateResult } from '../engines/ChatEngine';
import { loadStubCheckerClient } from '../test/stubCheckerClient';
import { sceneMembers } from './group';
import { createChatTurns, type TurnContext, type TurnEvent, type TurnRequest } from './chatTurn';

/**
 * Takes and the guard in a group scene (issue 13 §3 with issue 11): every
 * take and guard try of a reply is the SPEAKER's — generated from its view
 * of the scene, checked and ranked against its statements only, and stored
 * on the one message that carries its id.
 */

/** TEST DOUBLE: an engine that streams its n-th reply word by word on the n-th request (the last repeats). */
function scriptedEngine(replies: string[]) {
  const requests: GenerateRequest[] = [];
  const engine: ChatEngine & { requests: GenerateRequest[] } = {
    kind: 'transformers',
    status: { state: 'ready', modelId: 'stub' },
    requests,
    subscribe: () => () => undefined,
    load: async () => undefined,
    async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
      requests.push(request);
      const reply = replies[Math.min(requests.length - 1, replies.length - 1)]!;
      let text = '';
      for (const piece of reply.match(/\S+\s*/g) ?? []) {
        await new Promise((r) => setTimeout(r, 1));
        if (options.signal?.aborted) return { text, finishReason: 'abort', usage: { promptTokens: 10, completionTokens: 0 } };
        text += piece;
        options.onDelta?.(piece);
      }
      return { text, finishReason: 'stop', usage: { promptTokens: 10, completionTokens: 1 } };
    },
    interrupt: () => undefined,
    unload: async () => undefined,
    dispose: () => undefined,
  };
  return engine;
}

// The stub NLI's word rule (shared content word + one negation → contradiction)
// makes these contradict one member's statements and not the other's: plumbing, not meaning.
const AGAINST_MAREN = 'Maren is not afraid of the deep water.';
const AGAINST_JUNE = 'June is not left-handed.';
const statement = (id: string, text: string) => ({ id, text, origin: 'manual' as const, enabled: true, version: 1 });

let db: StudioDb;
let dbName: string;
const cleanups: (() => void)[] = [];
beforeEach(() => {
  dbName = `group-turn-${Math.random()}`;
  db = new StudioDb(dbName);
});
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  db.close();
  await Dexie.delete(dbName);
});

/** Maren and June in a scene (each has opened with a greeting), the given takes, the stub checker loaded. */
async function scene(takes: Partial<TakeSettings>) {
  const chats = new ChatRepository(db);
  const verdicts = new VerdictRepository(db);
  const maren = buildCharacter({ card: { name: 'Maren', description: 'Keeper of the light.' }, statements: [statement('m1', 'Maren is afraid of deep water.')] });
  const june = buildCharacter({ card: { name: 'June', description: 'A painter.' }, statements: [statement('j1', 'June is left-handed.')] });
  await db.characters.bulkAdd([maren, june]);
  const group = makeGroupScene([maren.id, june.id]);
  const created = await chats.create({
    characterId: maren.id,
    characterName: 'Maren',
    greetings: [],
    title: 'Maren and June',
    group,
    openings: [
      { speakerId: maren.id, name: 'Maren', greetings: ['The lamp is lit.'] },
      { speakerId: june.id, name: 'June', greetings: ['Morning, all.'] },
    ],
  });
  const chat = { ...created, takes: { perReply: 1, guard: false, guardRetries: 2, ...takes } };
  const loaded = await loadStubCheckerClient();
  cleanups.push(loaded.dispose);
  const members = sceneMembers(group, [maren, june]);
  /** Starts a turn with `speaker` replying. */
  const turn = (speaker: Character, engine: ChatEngine, request: TurnRequest, takesNow: Partial<TakeSettings> = {}) => {
    const ctx: TurnContext = { chat: { ...chat, takes: { ...chat.takes, ...takesNow } }, character: speaker, scene: { members }, engine, checker: { client: loaded.client, threshold: 0.5 }, userName: 'Ada' };
    const events: TurnEvent[] = [];
    const handle = createChatTurns({ chats, verdicts }, { sleep: async () => undefined }).start(ctx, request, (e) => events.push(e));
    return { handle, events };
  };
  /** The reply's swipes as stored, with each one's verdict. */
  const stored = async (messageId: string) => {
    const message = (await db.messages.get(messageId))!;
    const v = await Promise.all(message.swipes.map((_, i) => verdicts.get(messageId, i)));
    return { message, texts: message.swipes.map((w) => w.text), verdicts: v };
  };
  return { maren, june, turn, stored };
}

const promptText = (r: GenerateRequest) => r.messages.map((m) => `${m.role}: ${m.content}`).join('\n');

describe('takes in a group scene', () => {
  it("every take is generated from the speaker's view of the scene and ranked by the speaker's statements only, on the speaker's message", async () => {
    const s = await scene({ perReply: 2 });
    // Take 1 contradicts Maren (not June's to keep); take 2 contradicts June.
    const engine = scriptedEngine([AGAINST_MAREN, AGAINST_JUNE]);
    const { handle, events } = s.turn(s.june, engine, { kind: 'send', text: 'Will you swim?' });
    const result = await handle.done;
    if (result.status !== 'replied') throw new Error('not replied');
    expect(result.takes).toMatchObject({ count: 2, ranked: true });
    expect(events.filter((e) => e.type === 'take')).toHaveLength(1);

    // Both requests are June's projection: her own line as the assistant's, the
    // others' named on the user side, the scene note, stops for the others — the same prompt.
    expect(engine.requests).toHaveLength(2);
    for (const request of engine.requests) {
      const text = promptText(request);
      expect(text).toContain('Present with June: Maren and Ada');
      expect(text).toContain('Maren: The lamp is lit.');
      expect(text).toContain('assistant: Morning, all.');
      expect(text).not.toContain('June: Morning, all.');
      expect(text).not.toContain('afraid of deep water');
      expect(request.stop).toEqual(expect.arrayContaining(['\nMaren:', '\nAda:']));
    }
    expect(engine.requests[1]!.messages).toEqual(engine.requests[0]!.messages);

    const { message, texts, verdicts } = await s.stored(result.outcome.target.messageId);
    expect(message.speakerId).toBe(s.june.id);
    expect(message.swipeIndex).toBe(0);
    // Against June's statements the take about Maren is clean and ranks first;
    // the one that contradicts June is flagged against her statement and goes last.
    expect(texts).toEqual([AGAINST_MAREN, AGAINST_JUNE]);
    expect(verdicts.map((v) => v!.flaggedSentences.length)).toEqual([0, 1]);
    expect(verdicts[1]!.apcPercent).toBeLessThan(verdicts[0]!.apcPercent);
    // Verdicts store statement ids: only June's (j1), never Maren's (m1).
    for (const v of verdicts) expect(v!.statements.map((x) => x.statementId)).toEqual(['j1']);
    expect(verdicts[1]!.flaggedSentences[0]!.statementIds).toEqual(['j1']);
  });

  it("regenerating a scene reply with takes keeps its speaker's view: the history before it, projected for the speaker", async () => {
    const s = await scene({ perReply: 1 });
    const first = s.turn(s.june, scriptedEngine(['Morning again.']), { kind: 'send', text: 'Hello there.' });
    const r1 = await first.handle.done;
    if (r1.status !== 'replied') throw new Error('not replied');
    // With two takes per reply now, a regenerate of June's reply writes two more swipes, both hers.
    const engine = scriptedEngine([AGAINST_JUNE, AGAINST_MAREN]);
    const regen = await s.turn(s.june, engine, { kind: 'regenerate', messageId: r1.outcome.target.messageId }, { perReply: 2 }).handle.done;
    if (regen.status !== 'replied') throw new Error('not replied');
    expect(engine.requests).toHaveLength(2);
    for (const request of engine.requests) {
      const text = promptText(request);
      expect(text).toContain('Present with June');
      expect(text).toContain('Ada: Hello there.');
      expect(text).not.toContain('Morning again.');
    }
    const { message, texts } = await s.stored(r1.outcome.target.messageId);
    expect(message.speakerId).toBe(s.june.id);
    expect(texts).toEqual(['Morning again.', AGAINST_MAREN, AGAINST_JUNE]);
    expect(message.swipeIndex).toBe(1);
  });
});

describe('the guard in a group scene', () => {
  it("retries a reply that contradicts its speaker from the speaker's view, restating the speaker's statement", async () => {
    const s = await scene({ guard: true, guardRetries: 1 });
    const engine = scriptedEngine([AGAINST_MAREN, 'Maren stays far from the deep water.']);
    const { handle, events } = s.turn(s.maren, engine, { kind: 'send', text: 'Maren, will you swim?' });
    const result = await handle.done;
    if (result.status !== 'replied') throw new Error('not replied');
    expect(events.filter((e) => e.type === 'take').map((e) => (e as Extract<TurnEvent, { type: 'take' }>).purpose)).toEqual(['guard']);
    expect(engine.requests).toHaveLength(2);
    const retry = promptText(engine.requests[1]!);
    expect(retry).toMatch(/\[Important:[^\]]*Maren is afraid of deep water\./);
    expect(retry).toContain('Present with Maren: June and Ada');
    expect(retry).toContain('June: Morning, all.');
    expect(retry).toContain('assistant: The lamp is lit.');
    expect(retry).not.toContain('left-handed');
    const { message, texts } = await s.stored(result.outcome.target.messageId);
    expect(message.speakerId).toBe(s.maren.id);
    expect(texts).toEqual(['Maren stays far from the deep water.', AGAINST_MAREN]);
    expect(message.guard).toMatchObject({ tries: 1, outcome: 'clean', statements: ['Maren is afraid of deep water.'] });
  });

  it('does not retry a reply that contradicts another member only', async () => {
    const s = await scene({ guard: true, guardRetries: 2 });
    const engine = scriptedEngine([AGAINST_MAREN]);
    const { handle, events } = s.turn(s.june, engine, { kind: 'send', text: 'June, is Maren afraid?' });
    const result = await handle.done;
    if (result.status !== 'replied') throw new Error('not replied');
    expect(engine.requests).toHaveLength(1);
    expect(events.some((e) => e.type === 'take')).toBe(false);
    const { message, texts, verdicts } = await s.stored(result.outcome.target.messageId);
    expect(texts).toEqual([AGAINST_MAREN]);
    expect(verdicts[0]!.flaggedSentences).toHaveLength(0);
    expect(message.guard).toBeUndefined();
  });
});
