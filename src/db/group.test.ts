import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newStatement } from '../domain/character';
import { makeGroupScene } from '../domain/group';
import { StudioDb } from './database';
import { CharacterRepository } from './characters';
import { ChatRepository } from './chats';
import { LibraryRepository } from './library';
import { parseBackupText } from './backup';

let db: StudioDb;
let name: string;
let n = 0;

beforeEach(() => {
  name = `group-${Date.now()}-${n++}`;
  db = new StudioDb(name);
});
afterEach(async () => {
  db.close();
  await Dexie.delete(name);
});

async function seedScene() {
  const characters = new CharacterRepository(db);
  const chats = new ChatRepository(db);
  const maren = await characters.create({ card: { name: 'Maren', first_mes: 'Tea?' }, statements: [newStatement('Maren is afraid of deep water.', 'manual')] });
  const june = await characters.create({ card: { name: 'June', first_mes: 'Maps!' }, statements: [newStatement('June never drinks coffee.', 'manual')] });
  const chat = await chats.create({
    characterId: maren.id,
    characterName: 'Maren',
    greetings: [],
    title: 'Maren and June',
    group: makeGroupScene([maren.id, june.id], 'addressed'),
    openings: [
      { speakerId: maren.id, name: 'Maren', greetings: ['Tea?'] },
      { speakerId: june.id, name: 'June', greetings: ['Maps!', 'Lost?'] },
    ],
  });
  await chats.append(chat.id, { role: 'user', name: 'Alex', text: 'June?' });
  await chats.append(chat.id, { role: 'assistant', name: 'June', text: 'Yes.', speakerId: june.id });
  return { chats, characters, maren, june, chat };
}

describe('group scenes in storage', () => {
  it("stores the scene, its openings with their speakers, and each reply's speaker", async () => {
    const { chats, maren, june, chat } = await seedScene();
    expect((await chats.get(chat.id))?.group).toEqual({ memberIds: [maren.id, june.id], strategy: 'addressed', muted: [] });
    const messages = await chats.messages(chat.id);
    expect(messages.map((m) => [m.name, m.speakerId ?? null, m.swipes.length])).toEqual([
      ['Maren', maren.id, 1],
      ['June', june.id, 2],
      ['Alex', null, 1],
      ['June', june.id, 1],
    ]);
    await chats.updateGroup(chat.id, { memberIds: [maren.id, june.id], strategy: 'manual', muted: [june.id] });
    expect((await chats.get(chat.id))?.group?.muted).toEqual([june.id]);
    // A scene that is not sound is refused, not stored.
    await expect(chats.updateGroup(chat.id, { memberIds: [maren.id], strategy: 'manual', muted: [] })).rejects.toThrow();
    expect((await chats.get(chat.id))?.group?.memberIds).toEqual([maren.id, june.id]);
  });

  it('travels with a backup; a backup missing a member restores the scene as a plain chat, messages kept', async () => {
    const { chat, maren, june } = await seedScene();
    const library = new LibraryRepository(db);
    const file = await library.exportBackup();
    await library.wipe();
    const { avatars: _a, ...input } = parseBackupText(JSON.stringify(file));
    await library.restore(input, 'merge');
    const chats = new ChatRepository(db);
    expect((await chats.get(chat.id))?.group?.memberIds).toEqual([maren.id, june.id]);
    expect((await chats.messages(chat.id)).at(-1)?.speakerId).toBe(june.id);

    const partial = JSON.parse(JSON.stringify(file)) as { characters: { id: string }[] };
    partial.characters = partial.characters.filter((c) => c.id !== june.id);
    const read = parseBackupText(JSON.stringify(partial));
    expect(read.chats[0]!.group).toBeUndefined();
    expect(read.notes.join('\n')).toContain('restored as a chat with one character');
    expect(read.messages).toHaveLength(4);
  });
});
