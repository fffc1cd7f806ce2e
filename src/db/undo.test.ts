import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StudioDb, verdictKey } from './database';
import { CharacterRepository } from './characters';
import { ChatRepository } from './chats';
import { UndoUnavailableError } from './errors';
import { sampleVerdict } from '../test/sampleVerdict';

let db: StudioDb;
let name: string;
let n = 0;

beforeEach(() => {
  name = `undo-${Date.now()}-${n++}`;
  db = new StudioDb(name);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(name);
});

/** Everything in the database, sorted, for exact before/after comparisons. */
async function dump() {
  const byId = <T extends { id: string }>(rows: T[]) => rows.sort((a, b) => a.id.localeCompare(b.id));
  return {
    chats: byId(await db.chats.toArray()),
    messages: byId(await db.messages.toArray()),
    verdicts: byId(await db.verdicts.toArray()),
  };
}

/** A chat with a greeting of three swipes, a user turn and a reply with two swipes; verdicts on every reply swipe. */
async function seed() {
  const characters = new CharacterRepository(db);
  const chats = new ChatRepository(db);
  const maren = await characters.create({ card: { name: 'Maren' } });
  const chat = await chats.create({ characterId: maren.id, characterName: 'Maren', greetings: ['Hello.', 'Hi.', 'Evening.'] });
  const [greeting] = await chats.messages(chat.id);
  const user = await chats.append(chat.id, { role: 'user', name: 'You', text: 'Swim with me?' });
  const reply = await chats.append(chat.id, { role: 'assistant', name: 'Maren', text: 'Never.' });
  await chats.addSwipe(reply.id, { text: 'Not in a hundred years.', state: 'done', finishReason: 'stop' });
  const verdict = (messageId: string, swipeIndex: number, apc: number) => ({ id: verdictKey(messageId, swipeIndex), messageId, chatId: chat.id, swipeIndex, verdict: sampleVerdict({ apcPercent: apc }), createdAt: 1 });
  await db.verdicts.bulkPut([verdict(greeting!.id, 0, 10), verdict(greeting!.id, 1, 11), verdict(greeting!.id, 2, 12), verdict(reply.id, 0, 90), verdict(reply.id, 1, 91)]);
  return { characters, chats, maren, chat, greeting: greeting!, user, reply };
}

describe('deleting a message, with undo', () => {
  it('removes the message and all its verdicts; restore puts back exactly what was there', async () => {
    const { chats, reply } = await seed();
    const before = await dump();
    const deleted = await chats.deleteMessageForUndo(reply.id);
    expect(deleted?.message.swipes).toHaveLength(2);
    expect(deleted?.verdicts).toHaveLength(2);
    expect(await db.messages.get(reply.id)).toBeUndefined();
    expect(await db.verdicts.where('messageId').equals(reply.id).count()).toBe(0);
    await chats.restoreMessage(deleted!);
    expect(await dump()).toEqual(before);
  });

  it('a message written in its place meanwhile moves down; the restored one keeps its place', async () => {
    const { chats, chat, reply } = await seed();
    const deleted = await chats.deleteMessageForUndo(reply.id);
    const next = await chats.append(chat.id, { role: 'user', name: 'You', text: 'Written after the delete.' });
    expect(next.order).toBe(reply.order);
    await chats.restoreMessage(deleted!);
    const texts = (await chats.messages(chat.id)).map((m) => m.swipes[m.swipeIndex]!.text);
    expect(texts).toEqual(['Hello.', 'Swim with me?', 'Not in a hundred years.', 'Written after the delete.']);
  });

  it('restoring twice changes nothing; a deleted chat makes the undo unavailable', async () => {
    const { chats, chat, reply } = await seed();
    const deleted = await chats.deleteMessageForUndo(reply.id);
    await chats.restoreMessage(deleted!);
    const once = await dump();
    await chats.restoreMessage(deleted!);
    expect(await dump()).toEqual(once);
    const again = await chats.deleteMessageForUndo(reply.id);
    await chats.delete(chat.id);
    await expect(chats.restoreMessage(again!)).rejects.toBeInstanceOf(UndoUnavailableError);
  });
});

describe('deleting a swipe, with undo', () => {
  it('removes one swipe; later verdicts follow their swipes; restore is exact', async () => {
    const { chats, greeting } = await seed();
    await chats.selectSwipe(greeting.id, 1);
    const before = await dump();
    const deleted = await chats.deleteSwipeForUndo(greeting.id, 1);
    const after = await db.messages.get(greeting.id);
    expect(after?.swipes.map((s) => s.text)).toEqual(['Hello.', 'Evening.']);
    // The swipe that moved into the deleted one's place is shown.
    expect(after?.swipeIndex).toBe(1);
    const verdicts = await db.verdicts.where('messageId').equals(greeting.id).toArray();
    expect(verdicts.map((v) => [v.id, v.swipeIndex, (v.verdict as { apcPercent: number }).apcPercent]).sort()).toEqual([
      [verdictKey(greeting.id, 0), 0, 10],
      [verdictKey(greeting.id, 1), 1, 12],
    ]);
    await chats.restoreSwipe(deleted!);
    expect(await dump()).toEqual(before);
  });

  it('deleting the last swipe shows the one before it', async () => {
    const { chats, reply } = await seed();
    await chats.deleteSwipeForUndo(reply.id, 1);
    const after = await db.messages.get(reply.id);
    expect(after?.swipes.map((s) => s.text)).toEqual(['Never.']);
    expect(after?.swipeIndex).toBe(0);
  });

  it('refuses the only swipe and a message being streamed into', async () => {
    const { chats, user, reply } = await seed();
    expect(await chats.deleteSwipeForUndo(user.id, 0)).toBeNull();
    await chats.addSwipe(reply.id);
    await expect(chats.deleteSwipeForUndo(reply.id, 0)).rejects.toBeInstanceOf(UndoUnavailableError);
  });

  it('a message changed since gets the swipe back at its place', async () => {
    const { chats, reply } = await seed();
    const deleted = await chats.deleteSwipeForUndo(reply.id, 0);
    await chats.addSwipe(reply.id, { text: 'A third answer.', state: 'done', finishReason: 'stop' });
    await chats.restoreSwipe(deleted!);
    const after = await db.messages.get(reply.id);
    expect(after?.swipes.map((s) => s.text)).toEqual(['Never.', 'Not in a hundred years.', 'A third answer.']);
    expect(after?.swipeIndex).toBe(0);
    const verdicts = await db.verdicts.where('messageId').equals(reply.id).toArray();
    expect(verdicts.map((v) => [v.swipeIndex, (v.verdict as { apcPercent: number }).apcPercent]).sort()).toEqual([
      [0, 90],
      [1, 91],
    ]);
  });
});

describe('deleting a chat, with undo', () => {
  it('removes the chat, its messages and verdicts; restore is exact', async () => {
    const { chats, chat, maren } = await seed();
    const other = await chats.create({ characterId: maren.id, characterName: 'Maren', greetings: ['Yo.'] });
    const before = await dump();
    const deleted = await chats.deleteChatForUndo(chat.id);
    expect(deleted?.messages).toHaveLength(3);
    expect(deleted?.verdicts).toHaveLength(5);
    expect((await dump()).chats.map((c) => c.id)).toEqual([other.id]);
    expect(await db.verdicts.count()).toBe(0);
    await chats.restoreChat(deleted!);
    expect(await dump()).toEqual(before);
  });

  it('cannot come back without its character', async () => {
    const { chats, characters, chat, maren } = await seed();
    const deleted = await chats.deleteChatForUndo(chat.id);
    await characters.delete(maren.id);
    await expect(chats.restoreChat(deleted!)).rejects.toBeInstanceOf(UndoUnavailableError);
  });
});
