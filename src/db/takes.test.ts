import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StudioDb, verdictKey } from './database';
import { CharacterRepository } from './characters';
import { ChatRepository } from './chats';
import { VerdictRepository } from './verdicts';
import { sampleVerdict } from '../test/sampleVerdict';

let db: StudioDb;
let name: string;
let n = 0;
beforeEach(() => {
  name = `takes-${Date.now()}-${n++}`;
  db = new StudioDb(name);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(name);
});

async function seed() {
  const chats = new ChatRepository(db);
  const maren = await new CharacterRepository(db).create({ card: { name: 'Maren' } });
  const chat = await chats.create({ characterId: maren.id, characterName: 'Maren', greetings: [] });
  const reply = await chats.append(chat.id, { role: 'assistant', name: 'Maren', text: 'older' });
  for (const text of ['take A', 'take B', 'take C']) await chats.addSwipe(reply.id, { text, state: 'done', finishReason: 'stop' }, false);
  const verdicts = new VerdictRepository(db);
  for (const [i, apc] of [[0, 5], [1, 10], [2, 20], [3, 30]] as const) await verdicts.save(chat.id, reply.id, i, sampleVerdict({ apcPercent: apc }));
  return { chats, chat, reply, verdicts };
}

describe('takes in storage', () => {
  it('a background take is added without changing the swipe on show', async () => {
    const { chats, chat } = await seed();
    const [reply] = await chats.messages(chat.id);
    expect(reply!.swipes.map((s) => s.text)).toEqual(['older', 'take A', 'take B', 'take C']);
    expect(reply!.swipeIndex).toBe(0);
  });

  it('rankSwipes reorders the swipes from `from`, moves each verdict with its swipe, drops left-out ones, shows one and stores the guard note', async () => {
    const { chats, chat, reply, verdicts } = await seed();
    const guard = { tries: 1, outcome: 'clean' as const, statements: ['Maren fears the deep.'], roleKinds: [], at: 1 };
    await chats.rankSwipes(reply.id, 1, [3, 1], 1, guard);
    const [after] = await chats.messages(chat.id);
    expect(after!.swipes.map((s) => s.text)).toEqual(['older', 'take C', 'take A']);
    expect(after!.swipeIndex).toBe(1);
    expect(after!.guard).toEqual(guard);
    expect((await verdicts.get(reply.id, 0))?.apcPercent).toBe(5);
    expect((await verdicts.get(reply.id, 1))?.apcPercent).toBe(30);
    expect((await verdicts.get(reply.id, 2))?.apcPercent).toBe(10);
    expect(await verdicts.get(reply.id, 3)).toBeNull();
    expect((await db.verdicts.toArray()).map((v) => v.id).sort()).toEqual([0, 1, 2].map((i) => verdictKey(reply.id, i)).sort());
  });

  it('refuses an order that is not one of the swipes, changing nothing', async () => {
    const { chats, chat, reply } = await seed();
    const before = await chats.messages(chat.id);
    await expect(chats.rankSwipes(reply.id, 1, [1, 1], 1)).rejects.toThrow(RangeError);
    await expect(chats.rankSwipes(reply.id, 1, [0, 2], 1)).rejects.toThrow(RangeError);
    await expect(chats.rankSwipes(reply.id, 1, [2, 7], 1)).rejects.toThrow(RangeError);
    expect(await chats.messages(chat.id)).toEqual(before);
  });

  it('take settings are saved clamped and read back', async () => {
    const { chats, chat } = await seed();
    expect((await chats.get(chat.id))?.takes).toEqual({ perReply: 1, guard: false, guardRetries: 2 });
    await chats.updateSampling(chat.id, (await chats.get(chat.id))!.sampling, { perReply: 7, guard: true, guardRetries: 0 });
    expect((await chats.get(chat.id))?.takes).toEqual({ perReply: 4, guard: true, guardRetries: 1 });
  });
});
