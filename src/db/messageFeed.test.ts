import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../domain/chat';
import { StudioDb } from './database';
import { ChatRepository } from './chats';
import { FIRST_PAINT } from './messageFeed';

let db: StudioDb;
let chats: ChatRepository;
let name: string;
let n = 0;
/** Message rows read from IndexedDB (values, not keys), counted by a DBCore middleware. */
let rowsRead = 0;
/** Message keys read by key-only queries (the chat's ids in order), counted by the same middleware. */
let keysRead = 0;

beforeEach(() => {
  name = `feed-${Date.now()}-${n++}`;
  db = new StudioDb(name);
  rowsRead = 0;
  keysRead = 0;
  db.use({
    stack: 'dbcore',
    name: 'count-message-reads',
    create: (down) => ({
      ...down,
      table: (tableName) => {
        const table = down.table(tableName);
        if (tableName !== 'messages') return table;
        return {
          ...table,
          get: async (req) => {
            const r: unknown = await table.get(req);
            if (r) rowsRead++;
            return r;
          },
          getMany: async (req) => {
            const r = await table.getMany(req);
            rowsRead += r.filter(Boolean).length;
            return r;
          },
          query: async (req) => {
            const r = await table.query(req);
            if (req.values) rowsRead += r.result.length;
            else keysRead += r.result.length;
            return r;
          },
        };
      },
    }),
  });
  chats = new ChatRepository(db);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(name);
});

/** Follows a chat; `next(test)` resolves with the first list after now for which `test` holds. */
function follow(chatId: string) {
  let latest: Message[] | null = null;
  let waiters: { test: (m: Message[]) => boolean; resolve: (m: Message[]) => void }[] = [];
  const errors: unknown[] = [];
  const stop = chats.watchMessages(
    chatId,
    (list) => {
      latest = list;
      waiters = waiters.filter((w) => (w.test(list) ? (w.resolve(list), false) : true));
    },
    (e) => errors.push(e),
  );
  return {
    stop,
    errors,
    get latest() {
      return latest;
    },
    next: (test: (m: Message[]) => boolean) =>
      new Promise<Message[]>((resolve, reject) => {
        if (latest && test(latest)) return resolve(latest);
        waiters.push({ test, resolve });
        setTimeout(() => reject(new Error('no matching list within 5 s')), 5_000);
      }),
  };
}

async function chatWith(count: number) {
  const chat = await chats.create({ characterId: 'c1', characterName: 'Maren', greetings: ['Hello.'] });
  const rows: Message[] = [];
  for (let i = 1; i < count; i++) {
    const role = i % 2 ? 'user' : 'assistant';
    rows.push({ id: `m${i}`, chatId: chat.id, order: i, role, name: role === 'user' ? 'You' : 'Maren', swipes: [{ text: `line ${i}`, state: 'done', finishReason: 'stop', modelId: null, createdAt: 1 }], swipeIndex: 0, createdAt: 1, updatedAt: 1 });
  }
  await db.messages.bulkAdd(rows);
  return chat;
}

const textOf = (m: Message | undefined) => m?.swipes[m.swipeIndex]?.text;

describe('watchMessages (a chat followed at a cost per change that does not grow with it)', () => {
  it('delivers the chat in order, then a save of one message reads only that message and keeps the others as the same objects', async () => {
    const chat = await chatWith(400);
    const feed = follow(chat.id);
    const first = await feed.next((l) => l.length === 400);
    expect(first.map((m) => m.order)).toEqual([...Array(400).keys()]);

    const target = first[399]!;
    rowsRead = 0;
    await chats.writeSwipe(target.id, 0, { text: 'streamed so far', state: 'streaming' });
    const after = await feed.next((l) => textOf(l[399]) === 'streamed so far');
    // The write's own read, the changed message, a re-run as the watched range moves up: a few rows, never the 400.
    expect(rowsRead).toBeLessThanOrEqual(10);
    expect(after.slice(0, 399).every((m, i) => m === first[i])).toBe(true);

    // Ten more saves: still a few rows each, not the chat.
    rowsRead = 0;
    for (let i = 0; i < 10; i++) {
      await chats.writeSwipe(target.id, 0, { text: `piece ${i}` });
      await feed.next((l) => textOf(l[399]) === `piece ${i}`);
    }
    expect(rowsRead).toBeLessThanOrEqual(100);
    feed.stop();
    expect(feed.errors).toEqual([]);
  });

  it('follows appends, deletes, swipe choice, undo of a swipe delete and a message restored in the middle, as a fresh read would show them', async () => {
    const chat = await chatWith(6);
    const feed = follow(chat.id);
    await feed.next((l) => l.length === 6);
    const same = async () => {
      const fresh = await chats.messages(chat.id);
      const list = await feed.next((l) => JSON.stringify(l) === JSON.stringify(fresh));
      expect(list).toEqual(fresh);
    };

    const added = await chats.append(chat.id, { role: 'user', name: 'You', text: 'Swim with me?' });
    await same();
    rowsRead = 0;
    const reply = await chats.append(chat.id, { role: 'assistant', name: 'Maren', text: 'Never.' });
    await feed.next((l) => l.at(-1)?.id === reply.id);
    // An append reads the new message (and the write its predecessor), not the chat's 8.
    expect(rowsRead).toBeLessThanOrEqual(6);
    await same();

    await chats.addSwipe(reply.id, { text: 'Maybe.', state: 'done' });
    await same();
    await chats.selectSwipe(reply.id, 0);
    await same();
    expect(textOf(feed.latest!.at(-1))).toBe('Never.');

    const deleted = await chats.deleteSwipeForUndo(reply.id, 1);
    await same();
    await chats.restoreSwipe(deleted!);
    await same();
    expect(feed.latest!.at(-1)!.swipes.map((s) => s.text)).toEqual(['Never.', 'Maybe.']);

    const gone = await chats.deleteMessageForUndo('m3');
    await same();
    await chats.append(chat.id, { role: 'user', name: 'You', text: 'Later.' });
    await same();
    await chats.restoreMessage(gone!);
    await same();
    expect(feed.latest!.map((m) => m.id)).toContain(added.id);

    await chats.deleteMessage(added.id);
    await same();
    feed.stop();
    expect(feed.errors).toEqual([]);
  });

  it("reads the chat's ids only when its list changes otherwise than by appends: saves and appends read none, a delete reads them", async () => {
    const chat = await chatWith(300);
    const feed = follow(chat.id);
    const first = await feed.next((l) => l.length === 300);
    keysRead = 0;
    for (let i = 0; i < 8; i++) {
      await chats.writeSwipe(first[299]!.id, 0, { text: `piece ${i}` });
      await feed.next((l) => textOf(l[299]) === `piece ${i}`);
    }
    // Each save re-runs the shape query (a count and one key), never the 300 ids.
    expect(keysRead).toBeLessThan(8 * 5);
    keysRead = 0;
    const added = await chats.append(chat.id, { role: 'user', name: 'You', text: 'One more.' });
    const reply = await chats.append(chat.id, { role: 'assistant', name: 'Maren', text: 'Then listen.' });
    const appended = await feed.next((l) => l.at(-1)?.id === reply.id);
    expect(appended.at(-2)?.id).toBe(added.id);
    // The count, the last key and the new messages' keys: not the 300.
    expect(keysRead).toBeLessThan(20);
    expect(appended).toEqual(await db.messages.where('[chatId+order]').between([chat.id, -Infinity], [chat.id, Infinity]).toArray());
    keysRead = 0;
    await chats.deleteMessage(first[100]!.id);
    await feed.next((l) => l.length === 301);
    expect(keysRead).toBeGreaterThanOrEqual(301);
    feed.stop();
    expect(feed.errors).toEqual([]);
  });

  it('appends that land together (a send: the user line, then the reply, not awaited one by one) read no ids', async () => {
    const chat = await chatWith(300);
    const feed = follow(chat.id);
    await feed.next((l) => l.length === 300);
    for (let round = 0; round < 5; round++) {
      keysRead = 0;
      const [user, reply] = await Promise.all([
        chats.append(chat.id, { role: 'user', name: 'You', text: `Line ${round}.` }),
        chats.append(chat.id, { role: 'assistant', name: 'Maren', text: `Reply ${round}.` }),
      ]);
      const list = await feed.next((l) => l.some((m) => m.id === user.id) && l.some((m) => m.id === reply.id));
      expect(list).toHaveLength(302 + round * 2);
      // The counts, the last keys and the new messages' keys: not the 300 ids.
      expect(keysRead, `round ${round}`).toBeLessThan(50);
    }
    expect(feed.latest).toEqual(await db.messages.where('[chatId+order]').between([chat.id, -Infinity], [chat.id, Infinity]).toArray());
    feed.stop();
    expect(feed.errors).toEqual([]);
  });

  it('sees a delete and an append that land together (same count)', async () => {
    const chat = await chatWith(10);
    const feed = follow(chat.id);
    await feed.next((l) => l.length === 10);
    await db.transaction('rw', db.messages, async () => {
      await db.messages.delete('m4');
      await db.messages.add({ id: 'late', chatId: chat.id, order: 50, role: 'user', name: 'You', swipes: [{ text: 'late', state: 'done', finishReason: 'stop', modelId: null, createdAt: 2 }], swipeIndex: 0, createdAt: 2, updatedAt: 2 });
    });
    const list = await feed.next((l) => l.at(-1)?.id === 'late');
    expect(list.map((m) => m.id)).not.toContain('m4');
    expect(list).toHaveLength(10);
    feed.stop();
  });

  it("while a chat is open, messages() answers from its feed without reading the chat, and never with a list older than the database", async () => {
    const chat = await chatWith(300);
    const feed = follow(chat.id);
    const first = await feed.next((l) => l.length === 300);
    rowsRead = 0;
    const held = await chats.messages(chat.id);
    expect(held).toEqual(first);
    expect(held[10]).toBe(first[10]);
    expect(rowsRead).toBe(0);

    // A write the feed has not delivered yet: read from the database, with the write in it.
    await chats.writeSwipe(first[150]!.id, 0, { text: 'edited just now' });
    const fresh = await chats.messages(chat.id);
    expect(textOf(fresh[150])).toBe('edited just now');
    const appended = await chats.append(chat.id, { role: 'user', name: 'You', text: 'And now?' });
    expect((await chats.messages(chat.id)).at(-1)?.id).toBe(appended.id);
    await db.messages.delete(first[5]!.id);
    expect((await chats.messages(chat.id)).map((m) => m.id)).not.toContain(first[5]!.id);

    // Caught up: from the feed again.
    await feed.next((l) => l.length === 300 && l.at(-1)?.id === appended.id && textOf(l[149]) === 'edited just now');
    rowsRead = 0;
    expect(await chats.messages(chat.id)).toEqual(await db.messages.where('[chatId+order]').between([chat.id, -Infinity], [chat.id, Infinity]).toArray());
    feed.stop();
    // Closed: read whole again.
    rowsRead = 0;
    await chats.messages(chat.id);
    expect(rowsRead).toBe(300);
  });

  it('opens a long chat at its end: the newest FIRST_PAINT messages first, then the whole chat (read in pages) with those as the same objects', async () => {
    const chat = await chatWith(1_201);
    const lists: Message[][] = [];
    const stop = chats.watchMessages(chat.id, (l) => lists.push(l), () => undefined);
    const feed = follow(chat.id);
    await feed.next((l) => l.length === 1_201);
    stop();
    feed.stop();
    await expect.poll(() => lists.at(-1)?.length).toBe(1_201);
    expect(lists[0]!.length).toBe(FIRST_PAINT);
    expect(lists[0]!.map((m) => m.order)).toEqual(Array.from({ length: FIRST_PAINT }, (_, i) => 1_201 - FIRST_PAINT + i));
    const full = lists.at(-1)!;
    expect(full.map((m) => m.order)).toEqual([...Array(1_201).keys()]);
    expect(full.slice(-FIRST_PAINT).every((m, i) => m === lists[0]![i])).toBe(true);
  });

  it('a reply streamed as a turn writes it (append, saves in quick succession, the final one) ends on its final text and state', async () => {
    const chat = await chatWith(50);
    const feed = follow(chat.id);
    await feed.next((l) => l.length === 50);
    await chats.append(chat.id, { role: 'user', name: 'You', text: 'Go on.' });
    const reply = await chats.append(chat.id, { role: 'assistant', name: 'Maren', text: '', state: 'streaming' });
    let text = '';
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      text += `word${i} `;
      writes.push(chats.writeSwipe(reply.id, 0, { text }));
    }
    await Promise.all(writes);
    await chats.writeSwipe(reply.id, 0, { text: `${text}end.`, state: 'done', finishReason: 'stop' });
    const list = await feed.next((l) => l.at(-1)?.id === reply.id && l.at(-1)?.swipes[0]?.state === 'done');
    expect(textOf(list.at(-1))).toBe(`${text}end.`);
    expect(list).toEqual(await chats.messages(chat.id));
    feed.stop();
    expect(feed.errors).toEqual([]);
  });

  it('an empty chat, then its first message', async () => {
    const chat = await chats.create({ characterId: 'c1', characterName: 'Maren', greetings: [] });
    const feed = follow(chat.id);
    await feed.next((l) => l.length === 0);
    await chats.append(chat.id, { role: 'user', name: 'You', text: 'Hello?' });
    const list = await feed.next((l) => l.length === 1);
    expect(textOf(list[0])).toBe('Hello?');
    await chats.writeSwipe(list[0]!.id, 0, { text: 'Hello there?' });
    await feed.next((l) => textOf(l[0]) === 'Hello there?');
    feed.stop();
  });
});

describe('schema v6', () => {
  it('opens a v5-era (v3) database and indexes its messages by [chatId+updatedAt]', async () => {
    const oldName = `${name}-v3`;
    const v3 = new Dexie(oldName);
    v3.version(1).stores({ characters: 'id, updatedAt', chats: 'id, characterId, updatedAt', messages: 'id, chatId, [chatId+order]', settings: 'key' });
    v3.version(2).stores({ chats: 'id, characterId, updatedAt, [characterId+updatedAt]', verdicts: 'id, messageId, chatId' });
    v3.version(3).stores({});
    await v3.open();
    await v3.table('messages').bulkPut([
      { id: 'm1', chatId: 'chat1', order: 0, role: 'user', name: 'U', swipes: [], swipeIndex: 0, createdAt: 1, updatedAt: 10 },
      { id: 'm2', chatId: 'chat1', order: 1, role: 'assistant', name: 'M', swipes: [], swipeIndex: 0, createdAt: 1, updatedAt: 30 },
    ]);
    v3.close();
    const upgraded = new StudioDb(oldName);
    try {
      await upgraded.open();
      expect(upgraded.verno).toBe(7);
      expect(await upgraded.messages.where('[chatId+updatedAt]').between(['chat1', 20], ['chat1', Infinity]).primaryKeys()).toEqual(['m2']);
    } finally {
      upgraded.close();
      await Dexie.delete(oldName);
    }
  });
});
