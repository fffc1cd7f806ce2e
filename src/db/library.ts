import type { StudioDb } from './database';
import { CharacterRepository, type NewCharacterInput } from './characters';
import { SettingsRepository } from './settings';
import { exportBackup, planRestore, type ExportOptions, restoreBackup, type BackupCounts, type BackupFile, type RestoreInput, type RestoreOptions, type RestorePlan } from './backup';

/** Changes that span the library's tables (characters and settings together). */
export class LibraryRepository {
  constructor(private readonly db: StudioDb) {}

  /**
   * Adds the sample characters once, ever: deleting them later must not bring
   * them back on the next visit, and a library restored into a fresh browser
   * gets none. One rw transaction: two tabs (or StrictMode's double effect)
   * opening at once serialise here, so the samples are written exactly once.
   * @returns whether they were added now.
   */
  async seedSamplesOnce(samples: () => NewCharacterInput[]): Promise<boolean> {
    const { db } = this;
    const settings = new SettingsRepository(db);
    return db.transaction('rw', [db.characters, db.settings], async () => {
      if (await settings.get('samplesSeeded')) return false;
      const empty = (await db.characters.count()) === 0;
      if (empty) await new CharacterRepository(db).createMany(samples());
      await settings.set('samplesSeeded', true);
      return empty;
    });
  }

  /** The whole library as a backup file's contents. */
  exportBackup(options: ExportOptions = {}): Promise<BackupFile> {
    return exportBackup(this.db, options);
  }

  /** What restoring `backup` would change; nothing is written. */
  planRestore(backup: RestoreInput): Promise<RestorePlan> {
    return planRestore(this.db, backup);
  }

  /** Restores a validated backup in one transaction (all or nothing). */
  restore(backup: RestoreInput, mode: 'merge' | 'replace', options: RestoreOptions = {}): Promise<BackupCounts> {
    return restoreBackup(this.db, backup, mode, options);
  }

  /** Deletes every character, chat, verdict, audit run, setting and interview draft; the samples stay away (seeded = true). */
  async wipe(): Promise<void> {
    const { db } = this;
    await db.transaction('rw', [db.characters, db.chats, db.messages, db.verdicts, db.audits, db.settings, db.interviews], async () => {
      await Promise.all([db.characters.clear(), db.chats.clear(), db.messages.clear(), db.verdicts.clear(), db.audits.clear(), db.settings.clear(), db.interviews.clear()]);
      await db.settings.put({ key: 'samplesSeeded', value: true });
    });
  }
}
