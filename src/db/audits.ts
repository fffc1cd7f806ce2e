import { assertAuditRun, readAuditRun, type AuditRun } from '../domain/audit/run';
import type { StudioDb } from './database';
import { CharacterGoneError, guardWrite } from './errors';

/** Stored audit runs (issue 12 §1), kept with their character. */
export class AuditRepository {
  constructor(private readonly db: StudioDb) {}

  /**
   * A character's runs, newest first. Rows that are not readable runs are
   * left out (never shown half-read).
   */
  async forCharacter(characterId: string): Promise<AuditRun[]> {
    const rows = await this.db.audits.where('[characterId+createdAt]').between([characterId, -Infinity], [characterId, Infinity]).reverse().toArray();
    return rows.flatMap((row) => readAuditRun(row) ?? []);
  }

  async get(id: string): Promise<AuditRun | null> {
    return readAuditRun(await this.db.audits.get(id));
  }

  /**
   * Stores a run (replacing the earlier state of the same run: a run is saved
   * after every probe, so a reload keeps what finished).
   * @throws CharacterGoneError when the character was deleted meanwhile (no orphan is written).
   * @throws StorageFullError when the browser refuses the write.
   * @throws AuditRunInvalidError when the run does not have the stored shape.
   */
  async save(run: AuditRun): Promise<void> {
    const { db } = this;
    const valid = assertAuditRun(run);
    await guardWrite(() =>
      db.transaction('rw', [db.characters, db.audits], async () => {
        if (!(await db.characters.get(valid.characterId))) throw new CharacterGoneError(valid.characterId);
        await db.audits.put(valid);
      }),
    );
  }

  async delete(id: string): Promise<void> {
    await this.db.audits.delete(id);
  }
}
