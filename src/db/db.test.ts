import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newStatement } from '../domain/character';
import { StudioDb } from './database';
import { CharacterRepository } from './characters';
import { ChatRepository } from './chats';
import { SettingsRepository } from './settings';
import { exportBackup, parseBackupText, restoreBackup, validateBackup } from './backup';
import { BackupFormatError, StorageFullError, guardWrite, isQuotaError } from './errors';
import { VerdictRepository } from './verdicts';
import { migrateVerdict, sentenceText, VERDICT_VERSION } from '../domain/consistency/verdict';

/** A v1 verdict record as the checker stored it before schema v3: the whole CheckedReply. */
function v1Verdict() {
  return {
    status: 'checked',
    replyText: 'Never. I hate the sea.',
    apcPercent: 40,
    apcSum: 0.4,
    statementCount: 1,
    statements: [{ statementId: 's1', statementVersion: 1, r: 0.9, pc: 0.8, pe: 0.1, apc: 0.11, status: 'contradicted', sentenceIndex: 1, pruned: false }],
    flaggedSentences: [{ sentenceIndex: 1, statementIds: ['s1'] }],
    verdict: 'contradicts',
    contradictions: 1,
    modelId: 'nli+emb',
    strategy: 'full',
    prunedCount: 0,
    sentences: [
      { index: 0, start: 0, end: 6, text: 'Never.' },
      { index: 1, start: 7, end: 22, text: 'I hate the sea.' },
    ],
    pairScores: [{ statementId: 's1', sentenceIndex: 1, pc: 0.8, pe: 0.1 }],
    background: null,
    relevance: { s1: 0.9 },
    prunedStatementIds: [],
    fingerprint: { modelId: 'nli+emb', statements: [{ statementId: 's1', statementVersion: 1 }], replyTextHash: 'h1', userTurnHash: 'h2' },
    timings: { verdictMs: 310, totalMs: 900, sentenceLatencyMs: [200, 300] },
    stats: { pairs: 2, pairsCached: 0, skippedPairs: 0 },
  };
}

function sampleVerdict() {
  return migrateVerdict(v1Verdict())!;
}

let db: StudioDb;
let name: string;
let n = 0;

beforeEach(() => {
  name = `test-${Date.now()}-${n++}`;
  db = new StudioDb(name);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(name);
});

async function seedCharacterWithChat() {
  const characters = new CharacterRepository(db);
  const chats = new ChatRepository(db);
  const maren = await characters.create({
    card: { name: 'Maren', description: 'A diver who fears the deep.', tags: ['sea'] },
    avatar: new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }),
    statements: [newStatement('Maren is afraid of deep water.', 'manual')],
  });
  const chat = await chats.create({ characterId: maren.id, characterName: 'Maren', greetings: ['Hello.', 'Hi there.'] });
  await chats.append(chat.id, { role: 'user', name: 'You', text: 'Swim with me?' });
  const reply = await chats.append(chat.id, { role: 'assistant', name: 'Maren', text: 'Never.' });
  await db.verdicts.put({ id: `${reply.id}:0`, messageId: reply.id, chatId: chat.id, swipeIndex: 0, verdict: sampleVerdict(), createdAt: 1 });
  return { characters, chats, maren, chat, reply };
}

describe('CharacterRepository', () => {
  it('creates, lists and saves with a fresh updatedAt', async () => {
    const repo = new CharacterRepository(db);
    const a = await repo.create({ card: { name: 'A' } });
    await new Promise((r) => setTimeout(r, 5));
    const b = await repo.create({ card: { name: 'B' } });
    expect((await repo.list()).map((c) => c.card.name)).toEqual(['B', 'A']);
    const { stored: saved } = await repo.saveDraft(a, { ...a, card: { ...a.card, description: 'changed' } });
    expect(saved.updatedAt).toBeGreaterThanOrEqual(b.updatedAt);
    expect((await repo.get(a.id))?.card.description).toBe('changed');
    expect((await repo.get(a.id))?.card.personality).toBe('');
  });

  it('duplicates with new ids and no chats', async () => {
    const { characters, maren } = await seedCharacterWithChat();
    const copy = await characters.duplicate(maren.id);
    expect(copy.id).not.toBe(maren.id);
    expect(copy.card.name).toBe('Maren (copy)');
    expect(copy.statements[0]!.text).toBe('Maren is afraid of deep water.');
    expect(copy.statements[0]!.id).not.toBe(maren.statements[0]!.id);
    expect(await db.chats.where('characterId').equals(copy.id).count()).toBe(0);
  });

  it('deletes a character with its chats, messages and verdicts, and undo restores all of it', async () => {
    const { characters, maren } = await seedCharacterWithChat();
    const before = { c: await db.characters.toArray(), ch: await db.chats.toArray(), m: await db.messages.toArray(), v: await db.verdicts.toArray() };
    const snapshot = await characters.delete(maren.id);
    expect(snapshot?.messages).toHaveLength(3);
    expect(await db.characters.count()).toBe(0);
    expect(await db.chats.count()).toBe(0);
    expect(await db.messages.count()).toBe(0);
    expect(await db.verdicts.count()).toBe(0);
    await characters.restore(snapshot!);
    expect(await db.characters.toArray()).toEqual(before.c);
    expect(await db.chats.toArray()).toEqual(before.ch);
    expect(await db.messages.toArray()).toEqual(before.m);
    expect(await db.verdicts.toArray()).toEqual(before.v);
  });

  it('rolls back a multi-table delete when one step fails', async () => {
    const { characters, maren } = await seedCharacterWithChat();
    // Make the last step (deleting the character row) fail inside the transaction.
    db.characters.hook('deleting', () => {
      throw new Error('disk on fire');
    });
    await expect(characters.delete(maren.id)).rejects.toThrow('disk on fire');
    expect(await db.characters.count()).toBe(1);
    expect(await db.chats.count()).toBe(1);
    expect(await db.messages.count()).toBe(3);
    expect(await db.verdicts.count()).toBe(1);
  });

  it('createMany is all-or-nothing', async () => {
    const repo = new CharacterRepository(db);
    db.characters.hook('creating', (_key, obj) => {
      if ((obj as { card: { name: string } }).card.name === 'bad') throw new Error('nope');
    });
    await expect(repo.createMany([{ card: { name: 'ok' } }, { card: { name: 'bad' } }])).rejects.toThrow();
    expect(await db.characters.count()).toBe(0);
  });

  it('appends world-info entries with unique ids', async () => {
    const repo = new CharacterRepository(db);
    const c = await repo.create({ card: { name: 'S' } });
    const entry = { id: 0, keys: ['forest'], secondary_keys: [], content: 'Old forest.', enabled: true, constant: false, selective: false, use_regex: false, case_sensitive: false, insertion_order: 100, priority: 10, position: 'before_char' as const, name: '', comment: '', extensions: {} };
    const book = { name: 'Eldoria', description: '', scan_depth: null, token_budget: null, recursive_scanning: false, extensions: {}, entries: [entry, { ...entry, id: 0, keys: ['river'] }] };
    await repo.addLorebookEntries(c.id, book);
    const updated = await repo.addLorebookEntries(c.id, book);
    expect(updated.card.character_book?.entries.map((e) => e.id)).toEqual([0, 1, 2, 3]);
    expect(updated.card.character_book?.name).toBe('Eldoria');
  });
});

describe('ChatRepository', () => {
  it('opens a chat with the greeting and alternates as swipes', async () => {
    const { chats, chat } = await seedCharacterWithChat();
    const messages = await chats.messages(chat.id);
    expect(messages.map((m) => m.order)).toEqual([0, 1, 2]);
    expect(messages[0]!.swipes.map((s) => s.text)).toEqual(['Hello.', 'Hi there.']);
  });

  it('lists chats with their last message', async () => {
    const { chats, maren } = await seedCharacterWithChat();
    const list = await chats.listForCharacter(maren.id);
    expect(list).toHaveLength(1);
    expect(list[0]!.lastMessage).toBe('Never.');
    expect(list[0]!.messageCount).toBe(3);
  });

  it('streams into a swipe and marks it interrupted after a "reload"', async () => {
    const { chats, reply } = await seedCharacterWithChat();
    const idx = await chats.addSwipe(reply.id);
    await chats.writeSwipe(reply.id, idx, { text: 'I will not swi' });
    expect(await chats.markInterrupted()).toBe(1);
    const m = await db.messages.get(reply.id);
    expect(m?.swipeIndex).toBe(1);
    expect(m?.swipes[1]).toMatchObject({ text: 'I will not swi', state: 'interrupted' });
    expect(m?.swipes[0]?.text).toBe('Never.');
  });

  it('deletes a chat with its messages and verdicts only', async () => {
    const { chats, chat, maren } = await seedCharacterWithChat();
    const other = await chats.create({ characterId: maren.id, characterName: 'Maren', greetings: ['Yo.'] });
    await chats.delete(chat.id);
    expect(await db.messages.count()).toBe(1);
    expect(await db.verdicts.count()).toBe(0);
    expect((await db.chats.toArray()).map((c) => c.id)).toEqual([other.id]);
  });
});

describe('storage errors', () => {
  it('turns a quota failure into StorageFullError and keeps what was saved', async () => {
    const repo = new CharacterRepository(db);
    const saved = await repo.create({ card: { name: 'Kept' } });
    db.characters.hook('updating', () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    await expect(repo.saveDraft(saved, { ...saved, card: { ...saved.card, name: 'Lost?' } })).rejects.toBeInstanceOf(StorageFullError);
    expect((await repo.get(saved.id))?.card.name).toBe('Kept');
  });

  it('recognises wrapped quota errors', async () => {
    expect(isQuotaError({ name: 'AbortError', inner: { name: 'QuotaExceededError' } })).toBe(true);
    expect(isQuotaError(new Error('boom'))).toBe(false);
    await expect(guardWrite(async () => { throw new Error('other'); })).rejects.toThrow('other');
  });
});

describe('settings', () => {
  it('stores typed values', async () => {
    const s = new SettingsRepository(db);
    await s.set('theme', 'dark');
    expect(await s.get('theme')).toBe('dark');
    expect(await s.get('userName')).toBeUndefined();
  });
});

describe('backup', () => {
  it('round-trips the whole library, avatars included', async () => {
    await seedCharacterWithChat();
    await new SettingsRepository(db).set('userName', 'Ada');
    const backup = await exportBackup(db);
    const text = JSON.stringify(backup);
    const other = new StudioDb(`${name}-restore`);
    try {
      await restoreBackup(other, parseBackupText(text), 'replace');
      expect(await other.messages.toArray()).toEqual(await db.messages.toArray());
      expect(await other.verdicts.toArray()).toEqual(await db.verdicts.toArray());
      const [orig] = await db.characters.toArray();
      const [back] = await other.characters.toArray();
      expect({ ...back, avatar: null }).toEqual({ ...orig, avatar: null });
      expect(new Uint8Array(await back!.avatar!.arrayBuffer())).toEqual(new Uint8Array(await orig!.avatar!.arrayBuffer()));
      expect(await new SettingsRepository(other).get('userName')).toBe('Ada');
    } finally {
      other.close();
      await Dexie.delete(`${name}-restore`);
    }
  });

  it('merge keeps existing characters; replace removes them', async () => {
    const { maren } = await seedCharacterWithChat();
    const backup = await exportBackup(db);
    const repo = new CharacterRepository(db);
    const extra = await repo.create({ card: { name: 'Extra' } });
    await restoreBackup(db, backup, 'merge');
    expect((await db.characters.toArray()).map((c) => c.id).sort()).toEqual([maren.id, extra.id].sort());
    await restoreBackup(db, backup, 'replace');
    expect((await db.characters.toArray()).map((c) => c.id)).toEqual([maren.id]);
  });

  it('rejects corrupt or foreign files before writing anything', async () => {
    await seedCharacterWithChat();
    const good = await exportBackup(db);
    const bad: unknown[] = [
      { hello: 'world' },
      { ...good, format: 'sillytavern' },
      { ...good, version: 99 },
      { ...good, messages: undefined },
      { ...good, chats: [{ id: 'x', characterId: 'nobody' }] },
      { ...good, characters: [{ id: 'x' }] },
      { ...good, characters: [{ ...good.characters[0], avatar: { type: 'image/png', base64: '%%%' } }] },
    ];
    for (const b of bad) expect(() => validateBackup(JSON.parse(JSON.stringify(b)))).toThrow(BackupFormatError);
    expect(() => parseBackupText('{not json')).toThrow(BackupFormatError);
  });
});

describe('schema migration', () => {
  it('opens a database written by schema v1 and upgrades it without losing data', async () => {
    const oldName = `${name}-v1`;
    // A database exactly as v1 of the schema wrote it.
    const v1 = new Dexie(oldName);
    v1.version(1).stores({ characters: 'id, updatedAt', chats: 'id, characterId, updatedAt', messages: 'id, chatId, [chatId+order]', settings: 'key' });
    await v1.open();
    await v1.table('characters').put({ id: 'c1', card: { name: 'Old' }, avatar: null, statements: [], createdAt: 1, updatedAt: 1 });
    await v1.table('chats').put({ id: 'chat1', characterId: 'c1', title: '', sampling: {}, createdAt: 1, updatedAt: 5 });
    await v1.table('messages').put({ id: 'm1', chatId: 'chat1', order: 0, role: 'user', name: 'U', swipes: [], swipeIndex: 0, createdAt: 1, updatedAt: 1 });
    v1.close();

    const upgraded = new StudioDb(oldName);
    try {
      await upgraded.open();
      expect(upgraded.verno).toBe(3);
      expect((await upgraded.characters.get('c1'))?.card.name).toBe('Old');
      expect((await upgraded.chats.get('chat1'))?.title).toBe('Chat');
      expect(await upgraded.messages.count()).toBe(1);
      expect(await upgraded.verdicts.count()).toBe(0);
      expect(await upgraded.chats.where('[characterId+updatedAt]').between(['c1', 0], ['c1', 10]).count()).toBe(1);
    } finally {
      upgraded.close();
      await Dexie.delete(oldName);
    }
  });

  it('upgrades v2 verdicts (whole CheckedReply records) to compact v3 verdicts and drops unreadable ones', async () => {
    const oldName = `${name}-v2`;
    const v2 = new Dexie(oldName);
    v2.version(1).stores({ characters: 'id, updatedAt', chats: 'id, characterId, updatedAt', messages: 'id, chatId, [chatId+order]', settings: 'key' });
    v2.version(2).stores({ chats: 'id, characterId, updatedAt, [characterId+updatedAt]', verdicts: 'id, messageId, chatId' });
    await v2.open();
    await v2.table('messages').put({ id: 'm1', chatId: 'chat1', order: 0, role: 'assistant', name: 'M', swipes: [], swipeIndex: 0, createdAt: 1, updatedAt: 1 });
    await v2.table('verdicts').bulkPut([
      { id: 'm1:0', messageId: 'm1', chatId: 'chat1', swipeIndex: 0, verdict: v1Verdict(), createdAt: 1 },
      { id: 'm1:1', messageId: 'm1', chatId: 'chat1', swipeIndex: 1, verdict: { status: 'skipped', reason: 'failed' }, createdAt: 1 },
    ]);
    const before = JSON.stringify(v1Verdict()).length;
    v2.close();

    const upgraded = new StudioDb(oldName);
    try {
      await upgraded.open();
      expect(upgraded.verno).toBe(3);
      expect(await upgraded.verdicts.count()).toBe(1);
      const stored = (await upgraded.verdicts.get('m1:0'))!.verdict;
      expect(stored.v).toBe(VERDICT_VERSION);
      expect(stored.sentences).toEqual([
        [0, 6],
        [7, 22],
      ]);
      expect(stored.verdictMs).toBe(310);
      expect(stored.statements[0]).toMatchObject({ statementId: 's1', status: 'contradicted', sentenceIndex: 1 });
      // No repeated text: the reply, sentence texts, pair scores and timings are gone.
      const json = JSON.stringify(stored);
      expect(json).not.toContain('I hate the sea');
      expect(json).not.toContain('pairScores');
      expect(json.length).toBeLessThan(before);
      expect(sentenceText(stored, 'Never. I hate the sea.', 1)).toBe('I hate the sea.');
      const repo = new VerdictRepository(upgraded);
      expect((await repo.forChat('chat1')).get('m1:0')?.verdict).toBe('contradicts');
    } finally {
      upgraded.close();
      await Dexie.delete(oldName);
    }
  });
});

describe('VerdictRepository', () => {
  it('saves a verdict for an existing message only, and reads it back by chat', async () => {
    const { chat, reply } = await seedCharacterWithChat();
    const repo = new VerdictRepository(db);
    expect(await repo.save(chat.id, reply.id, 1, sampleVerdict())).toBe(true);
    expect(await repo.save(chat.id, 'gone', 0, sampleVerdict())).toBe(false);
    const map = await repo.forChat(chat.id);
    expect([...map.keys()].sort()).toEqual([`${reply.id}:0`, `${reply.id}:1`]);
    expect(await repo.get('gone', 0)).toBeNull();
  });

  it('leaves out records that are not verdicts', async () => {
    const { chat, reply } = await seedCharacterWithChat();
    await db.verdicts.put({ id: `${reply.id}:3`, messageId: reply.id, chatId: chat.id, swipeIndex: 3, verdict: { nonsense: true } as never, createdAt: 1 });
    const map = await new VerdictRepository(db).forChat(chat.id);
    expect(map.has(`${reply.id}:3`)).toBe(false);
    expect(map.has(`${reply.id}:0`)).toBe(true);
  });
});
