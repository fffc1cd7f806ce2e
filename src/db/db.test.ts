import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newStatement } from '../domain/character';
import { StudioDb } from './database';
import { CharacterRepository } from './characters';
import { ChatRepository } from './chats';
import { SettingsRepository } from './settings';
import * as v from 'valibot';
import { exportBackup, parseBackupText, planRestore, restoreBackup, validateBackup, type RestoreInput, type ValidatedBackup } from './backup';
import { BackupFormatError, RecordInvalidError, StorageFullError, guardWrite, isQuotaError } from './errors';
import { CharacterSchema, MessageSchema, storedTypeFor, type SettingKey } from '../domain/storage';
import { tinyPng } from '../domain/cards/testdata/tinyPng';
import { VerdictRepository } from './verdicts';
import { LibraryRepository } from './library';
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
    avatar: new Blob([tinyPng().slice()], { type: 'image/png' }),
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
    expect(list[0]).not.toHaveProperty('messageCount');
  });

  it('knows when each character was last used from the chats index alone: the newest chat per character, damaged keys left out', async () => {
    const { chats, maren, chat } = await seedCharacterWithChat();
    const other = await chats.create({ characterId: maren.id, characterName: 'Maren', greetings: ['Again.'] });
    await db.chats.update(chat.id, { updatedAt: 5_000 });
    await db.chats.update(other.id, { updatedAt: 9_000 });
    await db.chats.put({ ...(await db.chats.get(chat.id))!, id: 'c-juniper', characterId: 'juniper', updatedAt: 7_000 });
    // A row damaged in devtools: no usable time (not in the index), or an id that is not a string.
    await db.chats.put({ ...(await db.chats.get(chat.id))!, id: 'c-broken', characterId: 'broken', updatedAt: 'soon' as unknown as number });
    await db.chats.put({ ...(await db.chats.get(chat.id))!, id: 'c-odd', characterId: 42 as unknown as string, updatedAt: 8_000 });
    const used = await chats.lastUsedByCharacter();
    expect(Object.fromEntries(used)).toEqual({ juniper: 7_000, [maren.id]: 9_000 });
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

  it('indexes only messages with a swipe streaming: start-up reads those, not the chat', async () => {
    const { chats, chat, reply } = await seedCharacterWithChat();
    const streamingIds = () => db.messages.where('streaming').equals(1).primaryKeys();
    expect(await streamingIds()).toEqual([]);
    const live = await chats.append(chat.id, { role: 'assistant', name: 'Maren', text: '', state: 'streaming' });
    const idx = await chats.addSwipe(reply.id);
    expect((await streamingIds()).sort()).toEqual([live.id, reply.id].sort());
    // A finished swipe leaves the index; the stored row loses the mark.
    await chats.writeSwipe(reply.id, idx, { text: 'Fine.', state: 'done' });
    expect(await streamingIds()).toEqual([live.id]);
    expect(await db.messages.get(reply.id)).not.toHaveProperty('streaming');
    // Reads never show the mark.
    expect((await chats.messages(chat.id)).some((m) => 'streaming' in m)).toBe(false);
    expect(await chats.markInterrupted()).toBe(1);
    expect(await streamingIds()).toEqual([]);
    expect((await db.messages.get(live.id))?.swipes[0]?.state).toBe('interrupted');
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

/** TEST DOUBLE for platform/image's re-encoding (no canvas in Node): the checked bytes in a Blob of the sniffed type. */
function restorable(backup: ValidatedBackup): RestoreInput {
  const { avatars, ...rest } = backup;
  return {
    ...rest,
    characters: backup.characters.map((c) => {
      const a = avatars.get(c.id);
      return a ? { ...c, avatar: new Blob([a.bytes], { type: storedTypeFor(a.kind) }) } : c;
    }),
  };
}

const restoreText = (target: StudioDb, text: string, mode: 'merge' | 'replace', settings: SettingKey[] = []) =>
  restoreBackup(target, restorable(parseBackupText(text)), mode, { settings });

describe('backup', () => {
  it('round-trips the whole library, avatars included; settings only when chosen', async () => {
    await seedCharacterWithChat();
    await new SettingsRepository(db).set('userName', 'Ada');
    await new SettingsRepository(db).set('theme', 'dark');
    const backup = await exportBackup(db);
    const text = JSON.stringify(backup);
    const other = new StudioDb(`${name}-restore`);
    try {
      await restoreText(other, text, 'replace', ['userName']);
      expect(await other.messages.toArray()).toEqual(await db.messages.toArray());
      expect(await other.verdicts.toArray()).toEqual(await db.verdicts.toArray());
      const [orig] = await db.characters.toArray();
      const [back] = await other.characters.toArray();
      expect({ ...back, avatar: null }).toEqual({ ...orig, avatar: null });
      expect(new Uint8Array(await back!.avatar!.arrayBuffer())).toEqual(new Uint8Array(await orig!.avatar!.arrayBuffer()));
      expect(await new SettingsRepository(other).get('userName')).toBe('Ada');
      expect(await new SettingsRepository(other).get('theme')).toBeUndefined();
    } finally {
      other.close();
      await Dexie.delete(`${name}-restore`);
    }
  });

  it('leaves the server API key out of a backup unless secrets are included, and restores it only when ticked', async () => {
    const settings = new SettingsRepository(db);
    await settings.setMany({ serverBaseUrl: 'http://127.0.0.1:8080/v1', serverApiKey: 'sk-secret-123', serverModelId: 'llama' });
    const plain = JSON.stringify(await exportBackup(db));
    expect(plain).not.toContain('sk-secret-123');
    expect(plain).toContain('http://127.0.0.1:8080/v1');
    const withSecrets = JSON.stringify(await exportBackup(db, { includeSecrets: true }));
    expect(withSecrets).toContain('sk-secret-123');

    const other = new StudioDb(`${name}-secrets`);
    try {
      await restoreText(other, withSecrets, 'merge', ['serverModelId']);
      expect(await new SettingsRepository(other).get('serverApiKey')).toBeUndefined();
      expect(await new SettingsRepository(other).get('serverBaseUrl')).toBeUndefined();
      await restoreText(other, withSecrets, 'merge', ['serverApiKey', 'serverBaseUrl']);
      expect(await new SettingsRepository(other).get('serverApiKey')).toBe('sk-secret-123');
      expect(await new SettingsRepository(other).get('serverBaseUrl')).toBe('http://127.0.0.1:8080/v1');
      const plan = await planRestore(db, restorable(parseBackupText(withSecrets.replace('sk-secret-123', 'sk-other'))));
      const key = plan.settings.changes.find((c) => c.key === 'serverApiKey')!;
      expect(key).toMatchObject({ restore: 'guarded', secret: true });
      expect(`${key.from} ${key.to}`).not.toMatch(/sk-/);
    } finally {
      other.close();
      await Dexie.delete(`${name}-secrets`);
    }
  });

  it('merge keeps existing characters; replace removes them but keeps settings', async () => {
    const { maren } = await seedCharacterWithChat();
    const backup = restorable(validateBackup(JSON.parse(JSON.stringify(await exportBackup(db)))));
    const repo = new CharacterRepository(db);
    const extra = await repo.create({ card: { name: 'Extra' } });
    await new SettingsRepository(db).set('userName', 'Mine');
    await restoreBackup(db, backup, 'merge');
    expect((await db.characters.toArray()).map((c) => c.id).sort()).toEqual([maren.id, extra.id].sort());
    await restoreBackup(db, backup, 'replace');
    expect((await db.characters.toArray()).map((c) => c.id)).toEqual([maren.id]);
    expect(await new SettingsRepository(db).get('userName')).toBe('Mine');
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
      { ...good, characters: [{ card: { name: 'no id' } }] },
    ];
    for (const b of bad) expect(() => validateBackup(JSON.parse(JSON.stringify(b)))).toThrow(BackupFormatError);
    expect(() => parseBackupText('{not json')).toThrow(BackupFormatError);
  });

  it('names the version problem: text, negative or fractional versions are not backups; only a larger integer is "newer"', async () => {
    const good = JSON.parse(JSON.stringify(await exportBackup(db))) as Record<string, unknown>;
    for (const version of ['1', -5, 0, 1.5, null]) {
      expect(() => validateBackup({ ...good, version })).toThrow(/not a valid In Character backup: its version is/);
    }
    expect(() => validateBackup({ ...good, version: '1' })).toThrow(/“1” \(text\)/);
    expect(() => validateBackup({ ...good, version: 2 })).toThrow(/newer version/);
    expect(validateBackup({ ...good, version: 1 }).version).toBe(1);
  });

  it('coerces or names every wrong field of the crafted backup (issue 10, item 1) and lists it', async () => {
    const crafted = {
      format: 'in-character-backup',
      version: 1,
      exportedAt: '2026-01-01T00:00:00Z',
      characters: [
        {
          id: 'evil',
          card: { name: 12345, description: { x: 1 }, tags: 'a,b', alternate_greetings: null, character_book: { entries: 'x' }, extensions: null },
          avatar: null,
          statements: [{}],
          createdAt: 1,
          updatedAt: 2,
        },
        { id: 'no-updated', card: { name: 'Quiet' }, avatar: null, statements: [], createdAt: 5 },
      ],
      chats: [],
      messages: [],
      verdicts: [],
      settings: [],
    };
    const validated = validateBackup(crafted, 1000);
    const evil = validated.characters.find((c) => c.id === 'evil')!;
    expect(evil.card.name).toBe('12345');
    expect(evil.card.description).toBe('');
    expect(evil.card.tags).toEqual(['a', 'b']);
    expect(evil.card.alternate_greetings).toEqual([]);
    expect(evil.card.character_book?.entries).toEqual([]);
    expect(evil.card.extensions).toEqual({});
    expect(evil.statements).toEqual([]);
    expect(validated.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/“12345”.*card\.name: expected text, found a number/),
        expect.stringMatching(/card\.description: expected text, found an object/),
        expect.stringMatching(/card\.tags: expected a list, found text/),
        expect.stringMatching(/statements\.0: has no text, left out/),
      ]),
    );
    await restoreBackup(db, restorable(validated), 'merge');
    const listed = await new CharacterRepository(db).list();
    expect(listed.map((c) => c.card.name)).toEqual(['Quiet', '12345']);
    expect(listed[0]!.updatedAt).toBe(5);
    for (const c of await db.characters.toArray()) expect(v.is(CharacterSchema, c)).toBe(true);
  });

  it('refuses an avatar that is not an image (text/html) and keeps the character', async () => {
    const html = new TextEncoder().encode('<!doctype html><script>alert(1)</script>');
    const backup = {
      format: 'in-character-backup',
      version: 1,
      exportedAt: '',
      characters: [{ id: 'h', card: { name: 'Html' }, avatar: { type: 'text/html', base64: Buffer.from(html).toString('base64') }, statements: [], createdAt: 1, updatedAt: 1 }],
      chats: [],
      messages: [],
      verdicts: [],
      settings: [],
    };
    const validated = validateBackup(backup);
    expect(validated.avatars.size).toBe(0);
    expect(validated.notes.join('\n')).toMatch(/avatar refused: it looks like HTML/);
    const bad64 = validateBackup({ ...backup, characters: [{ ...backup.characters[0], avatar: { type: 'image/png', base64: '%%%' } }] });
    expect(bad64.notes.join('\n')).toMatch(/avatar: not valid base64/);
    await restoreBackup(db, restorable(validated), 'merge');
    expect((await db.characters.get('h'))?.avatar).toBeNull();
  });

  it('plans a restore: records added, overwritten and only in the library; settings that differ; never machine state', async () => {
    const { maren } = await seedCharacterWithChat();
    await new SettingsRepository(db).set('modelBaseUrl', 'https://models.evil.example/');
    await new SettingsRepository(db).set('theme', 'light');
    const backup = JSON.parse(JSON.stringify(await exportBackup(db))) as ReturnType<typeof JSON.parse>;
    await new SettingsRepository(db).set('modelBaseUrl', '');
    await new SettingsRepository(db).set('theme', 'dark');
    await new SettingsRepository(db).set('samplesSeeded', false);
    const extra = await new CharacterRepository(db).create({ card: { name: 'Extra' } });
    backup.settings.push({ key: 'samplesSeeded', value: true }, { key: 'mystery', value: 1 }, { key: 'contradictionThreshold', value: 'high' });
    const input = restorable(validateBackup(backup));
    const plan = await planRestore(db, input);
    expect(plan.characters).toMatchObject({ added: 0, overwritten: 1, onlyInLibrary: 1, overwrittenNames: ['Maren'], onlyInLibraryNames: ['Extra'] });
    expect(plan.messages).toMatchObject({ added: 0, overwritten: 3, onlyInLibrary: 0 });
    const byKey = Object.fromEntries(plan.settings.changes.map((c) => [c.key, c]));
    expect(byKey.modelBaseUrl).toMatchObject({ restore: 'guarded', from: 'Hugging Face (default)', to: '“https://models.evil.example/”' });
    expect(byKey.theme).toMatchObject({ restore: 'offer', from: '“dark”', to: '“light”' });
    expect(byKey.samplesSeeded).toBeUndefined();
    expect(plan.settings.ignored.join('\n')).toMatch(/unknown setting “mystery”/);
    expect(plan.settings.ignored.join('\n')).toMatch(/contradictionThreshold: expected a number, found text/);

    // Merge without ticks: no setting changes.
    await restoreBackup(db, input, 'merge');
    expect(await new SettingsRepository(db).get('modelBaseUrl')).toBe('');
    expect(await new SettingsRepository(db).get('theme')).toBe('dark');
    expect(await new SettingsRepository(db).get('samplesSeeded')).toBe(false);
    // Ticked: only those.
    await restoreBackup(db, input, 'merge', { settings: ['theme', 'samplesSeeded'] });
    expect(await new SettingsRepository(db).get('theme')).toBe('light');
    expect(await new SettingsRepository(db).get('samplesSeeded')).toBe(false);
    expect(await new SettingsRepository(db).get('modelBaseUrl')).toBe('');
    await restoreBackup(db, input, 'merge', { settings: ['modelBaseUrl'] });
    expect(await new SettingsRepository(db).get('modelBaseUrl')).toBe('https://models.evil.example/');
    expect(extra.id).not.toBe(maren.id);
  });

  it('refuses deeply nested files without recursion', () => {
    const deep = `{"format":"in-character-backup","version":1,"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(() => parseBackupText(deep)).toThrow(/more than 128 levels deep/);
  });
});

describe('reading damaged records already in IndexedDB', () => {
  it('lists, repairs and exports a character written by a bug, and names what was wrong', async () => {
    // Deeper than the schema allows (128), shallow enough for fake-indexeddb's recursive clone.
    let deep: unknown = 'bottom';
    for (let i = 0; i < 1_000; i++) deep = [deep];
    await db.characters.put({
      id: 'bad',
      card: { name: 12345, description: { x: 1 }, tags: 'a,b', extensions: { ok: 1, deep } },
      avatar: new Blob(['<script>alert(1)</script>'], { type: 'text/html' }),
      statements: [{}],
      createdAt: 1,
    } as never);
    const repo = new CharacterRepository(db);
    const [listed] = await repo.list();
    expect(listed).toMatchObject({ id: 'bad', avatar: null, statements: [], updatedAt: 1, card: { name: '12345', tags: ['a', 'b'], extensions: { ok: 1 } } });
    const problems = await repo.problems('bad');
    expect(problems.join('\n')).toMatch(/card\.name: expected text, found a number/);
    expect(problems.join('\n')).toMatch(/extensions\.deep: nested more than 128 levels deep/);
    expect(problems.join('\n')).toMatch(/avatar: a file of type "text\/html", not an image; hidden/);
    const exported = await exportBackup(db);
    expect(exported.characters[0]!.card).toMatchObject({ name: '12345', extensions: { ok: 1 } });
    expect(await repo.repair('bad')).toEqual(problems);
    expect(await repo.problems('bad')).toEqual([]);
    expect(v.is(CharacterSchema, await db.characters.get('bad'))).toBe(true);
  });

  it('repairs or skips damaged messages and chats instead of failing the chat screen', async () => {
    const { chats, chat } = await seedCharacterWithChat();
    await db.messages.put({ id: 'odd', chatId: chat.id, order: 5, role: 'assistant', name: 7, swipes: 'x', swipeIndex: 9, createdAt: 1, updatedAt: 1 } as never);
    await db.messages.put({ id: 'nobody', chatId: chat.id, order: 6, role: 'narrator', name: 'N', swipes: [], swipeIndex: 0, createdAt: 1, updatedAt: 1 } as never);
    const messages = await chats.messages(chat.id);
    expect(messages.map((m) => m.id)).toContain('odd');
    expect(messages.map((m) => m.id)).not.toContain('nobody');
    const odd = messages.find((m) => m.id === 'odd')!;
    expect(odd).toMatchObject({ name: '7', swipeIndex: 0, swipes: [{ text: '', state: 'done' }] });
    for (const m of messages) expect(v.is(MessageSchema, m)).toBe(true);
  });
});

describe('settings are checked per key', () => {
  it('reads a malformed stored value as absent and refuses to write one', async () => {
    const s = new SettingsRepository(db);
    await db.settings.put({ key: 'theme', value: 42 });
    await db.settings.put({ key: 'stray', value: 1 });
    expect(await s.get('theme')).toBeUndefined();
    expect(await s.all()).toEqual({});
    await expect(s.set('modelBaseUrl', 'javascript:alert(1)')).rejects.toBeInstanceOf(RecordInvalidError);
    await s.set('modelBaseUrl', './models/');
    expect(await s.get('modelBaseUrl')).toBe('./models/');
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
      expect(upgraded.verno).toBe(7);
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
      expect(upgraded.verno).toBe(7);
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

describe('LibraryRepository', () => {
  it('wipe empties every table in one go and keeps the samples from coming back', async () => {
    await seedCharacterWithChat();
    await new SettingsRepository(db).set('userName', 'Ada');
    await db.interviews.put({ id: 'i1', step: 0, answers: {}, accepted: [], rejected: [], createdAt: 1, updatedAt: 1 } as never);
    const library = new LibraryRepository(db);
    await library.wipe();
    expect([await db.characters.count(), await db.chats.count(), await db.messages.count(), await db.verdicts.count(), await db.interviews.count()]).toEqual([0, 0, 0, 0, 0]);
    expect(await new SettingsRepository(db).all()).toEqual({ samplesSeeded: true });
    expect(await library.seedSamplesOnce(() => [{ card: { name: 'Sample' } }])).toBe(false);
    expect(await db.characters.count()).toBe(0);
  });

  it('exports, plans and restores through the same backup functions', async () => {
    const { maren, chats, chat, reply } = await seedCharacterWithChat();
    // Issue 11: the chat's takes and guard, and a guard note on a reply, travel with the backup.
    const takes = { perReply: 3, guard: true, guardRetries: 2 };
    const guard = { tries: 2, outcome: 'failing' as const, statements: ['Maren is afraid of deep water.'], roleKinds: [], at: 5 };
    await chats.updateSampling(chat.id, chat.sampling, takes);
    await chats.addSwipe(reply.id, { text: 'Take two.', state: 'done', finishReason: 'stop' }, false);
    await chats.rankSwipes(reply.id, 0, [1, 0], 0, guard);
    const library = new LibraryRepository(db);
    const file = await library.exportBackup();
    await library.wipe();
    const backup = parseBackupText(JSON.stringify(file));
    const { avatars: _avatars, ...input } = backup;
    const plan = await library.planRestore(input);
    expect(plan.characters.added).toBe(1);
    await library.restore(input, 'merge');
    expect((await db.characters.get(maren.id))?.card.name).toBe('Maren');
    expect(await db.messages.count()).toBe(3);
    expect((await chats.get(chat.id))?.takes).toEqual(takes);
    const restored = (await chats.messages(chat.id)).find((m) => m.id === reply.id)!;
    expect(restored.guard).toEqual(guard);
    expect(restored.swipes.map((w) => w.text)).toEqual(['Take two.', 'Never.']);
  });
});
