import type { StudioDb } from './database';
import { CharacterRepository, type NewCharacterInput } from './characters';
import { SettingsRepository } from './settings';

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
}
