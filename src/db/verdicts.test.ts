import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleVerdict } from '../test/sampleVerdict';
import { StudioDb } from './database';
import { CharacterRepository } from './characters';
import { ChatRepository } from './chats';
import { VerdictRepository } from './verdicts';

let db: StudioDb;
let name: string;
let n = 0;
beforeEach(() => {
  name = `verdicts-${Date.now()}-${n++}`;
  db = new StudioDb(name);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(name);
});

async function chatWithReplies(count: number) {
  const maren = await new CharacterRepository(db).create({ card: { name: 'Maren' } });
  const chats = new ChatRepository(db);
  const chat = await chats.create({ characterId: maren.id, characterName: 'Maren', greetings: [] });
  const replies = [];
  for (let i = 0; i < count; i++) {
    await chats.append(chat.id, { role: 'user', name: 'You', text: `Question ${i}?` });
    replies.push(await chats.append(chat.id, { role: 'assistant', name: 'Maren', text: `Answer ${i}.` }));
  }
  return { chats, chat, replies };
}

describe('VerdictRepository.forChat', () => {
  it('gives back the same object for a verdict unchanged since the last read, a new one for the verdict written since', async () => {
    const { chat, replies } = await chatWithReplies(3);
    const verdicts = new VerdictRepository(db);
    for (const [i, r] of replies.entries()) await verdicts.save(chat.id, r.id, 0, sampleVerdict({ apcSum: i / 10, fingerprint: { ...sampleVerdict().fingerprint, replyTextHash: `h${i}` } }));
    const first = await verdicts.forChat(chat.id);
    expect(first.size).toBe(3);
    const again = await verdicts.forChat(chat.id);
    for (const [id, v] of again) expect(v).toBe(first.get(id));

    await verdicts.save(chat.id, replies[1]!.id, 0, sampleVerdict({ apcSum: 0.9, fingerprint: { ...sampleVerdict().fingerprint, replyTextHash: 'h1' } }));
    const after = await verdicts.forChat(chat.id);
    const changed = `${replies[1]!.id}:0`;
    expect(after.get(changed)).not.toBe(first.get(changed));
    expect(after.get(changed)?.apcSum).toBe(0.9);
    for (const [id, v] of after) if (id !== changed) expect(v).toBe(first.get(id));
  });

  it('a verdict saved again in the same millisecond, differing only where the memo does not look, is still read anew (createdAt strictly increases)', async () => {
    const { chat, replies } = await chatWithReplies(1);
    const verdicts = new VerdictRepository(db);
    const id = replies[0]!.id;
    await verdicts.save(chat.id, id, 0, sampleVerdict());
    const a = (await verdicts.forChat(chat.id)).get(`${id}:0`)!;
    expect(a.verdict).toBe('contradicts');
    const stamp = (await db.verdicts.get(`${id}:0`))!.createdAt;
    const realNow = Date.now;
    Date.now = () => stamp; // the same millisecond as the first save
    try {
      await verdicts.save(chat.id, id, 0, sampleVerdict({ verdict: 'consistent', contradictions: 0 }));
    } finally {
      Date.now = realNow;
    }
    expect((await db.verdicts.get(`${id}:0`))!.createdAt).toBe(stamp + 1);
    expect((await verdicts.forChat(chat.id)).get(`${id}:0`)?.verdict).toBe('consistent');
  });

  it('a verdict moved to another swipe (a deleted swipe before it) is read for its new place, not taken from the memo', async () => {
    const { chats, chat, replies } = await chatWithReplies(1);
    const verdicts = new VerdictRepository(db);
    const m = replies[0]!.id;
    const idx = await chats.addSwipe(m);
    await chats.writeSwipe(m, idx, { text: 'Another answer.', state: 'done' });
    await verdicts.save(chat.id, m, 0, sampleVerdict({ apcSum: 0.2, fingerprint: { ...sampleVerdict().fingerprint, replyTextHash: 'first' } }));
    await verdicts.save(chat.id, m, 1, sampleVerdict({ apcSum: 0.7, fingerprint: { ...sampleVerdict().fingerprint, replyTextHash: 'second' } }));
    const before = await verdicts.forChat(chat.id);
    expect(before.get(`${m}:1`)?.apcSum).toBe(0.7);
    await chats.deleteSwipeForUndo(m, 0);
    const after = await verdicts.forChat(chat.id);
    expect([...after.keys()]).toEqual([`${m}:0`]);
    expect(after.get(`${m}:0`)?.fingerprint.replyTextHash).toBe('second');
    expect(after.get(`${m}:0`)).not.toBe(before.get(`${m}:0`));
  });

  it('reading another chat forgets the first (the memo holds one chat)', async () => {
    const { chat, replies } = await chatWithReplies(1);
    const verdicts = new VerdictRepository(db);
    await verdicts.save(chat.id, replies[0]!.id, 0, sampleVerdict());
    const a = await verdicts.forChat(chat.id);
    await verdicts.forChat('another-chat');
    const b = await verdicts.forChat(chat.id);
    expect(b.get(`${replies[0]!.id}:0`)).toEqual(a.get(`${replies[0]!.id}:0`));
    expect(b.get(`${replies[0]!.id}:0`)).not.toBe(a.get(`${replies[0]!.id}:0`));
  });
});
