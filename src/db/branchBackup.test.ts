import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StudioDb } from './database';
import { CharacterRepository } from './characters';
import { ChatRepository } from './chats';
import { SettingsRepository } from './settings';
import { exportBackup, restoreBackup, validateBackup } from './backup';
import { sampleVerdict } from '../test/sampleVerdict';
import { VerdictRepository } from './verdicts';

// Branch links, a chat's persona and the personas themselves travel in backups
// (issue 13 §2, §5); backups made before them still restore.

let db: StudioDb;
let other: StudioDb;
let name: string;
let n = 0;
beforeEach(() => {
  name = `branch-backup-${Date.now()}-${n++}`;
  db = new StudioDb(name);
  other = new StudioDb(`${name}-to`);
});
afterEach(async () => {
  db.close();
  other.close();
  await Dexie.delete(name);
  await Dexie.delete(`${name}-to`);
});

async function seed() {
  const maren = await new CharacterRepository(db).create({ card: { name: 'Maren' } });
  const chats = new ChatRepository(db);
  const chat = await chats.create({ characterId: maren.id, characterName: 'Maren', greetings: ['Evening.'] });
  await chats.append(chat.id, { role: 'user', name: 'Ro', text: 'Tea?' });
  const reply = await chats.append(chat.id, { role: 'assistant', name: 'Maren', text: 'Always.' });
  await new VerdictRepository(db).save(chat.id, reply.id, 0, sampleVerdict());
  await new SettingsRepository(db).setMany({ personas: [{ id: 'ro', name: 'Captain Ro', description: 'A smuggler.' }], defaultPersonaId: 'ro' });
  await chats.setPersona(chat.id, 'ro');
  const branch = await chats.branch(chat.id, reply.id);
  return { chat, branch };
}

/** A validated backup as the restore takes it (these tests have no avatars). */
const restorable = (backup: ReturnType<typeof validateBackup>) => {
  const { avatars: _none, ...rest } = backup;
  return rest;
};

describe('backups with branches and personas', () => {
  it('round-trip the branch link, its copied verdicts, the chat’s persona and the personas', async () => {
    const { chat, branch } = await seed();
    const file = JSON.parse(JSON.stringify(await exportBackup(db)));
    const backup = validateBackup(file);
    expect(backup.notes).toEqual([]);
    await restoreBackup(other, restorable(backup), 'merge', { settings: ['personas', 'defaultPersonaId'] });
    const restored = new ChatRepository(other);
    expect(await restored.get(branch.id)).toEqual(branch);
    expect((await restored.get(chat.id))?.personaId).toBe('ro');
    expect(branch.personaId).toBe('ro');
    expect((await other.verdicts.where('chatId').equals(branch.id).count())).toBe(1);
    const settings = new SettingsRepository(other);
    expect(await settings.read('personas')).toEqual([{ id: 'ro', name: 'Captain Ro', description: 'A smuggler.' }]);
    expect(await settings.read('defaultPersonaId')).toBe('ro');
  });

  it('restore a backup made before branches and personas', async () => {
    await seed();
    const file = JSON.parse(JSON.stringify(await exportBackup(db))) as { chats: Record<string, unknown>[]; settings: { key: string }[] };
    for (const c of file.chats) {
      delete c.branchOf;
      delete c.personaId;
    }
    file.settings = file.settings.filter((s) => s.key !== 'personas' && s.key !== 'defaultPersonaId');
    const backup = validateBackup(file);
    expect(backup.notes).toEqual([]);
    await restoreBackup(other, restorable(backup), 'merge');
    const chats = await other.chats.toArray();
    expect(chats).toHaveLength(2);
    expect(chats.every((c) => c.branchOf === undefined && c.personaId === undefined)).toBe(true);
    expect(await new SettingsRepository(other).read('personas')).toEqual([]);
  });

  it('drop a damaged branch link with a note, keeping the chat', async () => {
    const { branch } = await seed();
    const file = JSON.parse(JSON.stringify(await exportBackup(db))) as { chats: Record<string, unknown>[] };
    const row = file.chats.find((c) => c.id === branch.id)!;
    row.branchOf = { chatId: 7, messageId: '', position: -1, snippet: 'x' };
    const backup = validateBackup(file);
    expect(backup.notes.join('\n')).toMatch(/branchOf/);
    const repaired = backup.chats.find((c) => c.id === branch.id)!;
    expect(repaired.branchOf).toBeUndefined();
    expect(repaired.title).toBe(branch.title);
  });
});
