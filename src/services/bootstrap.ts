/** First-run and start-up work (no React). */
import { newStatement } from '../domain/character';
import { SAMPLE_CHARACTERS } from '../domain/samples';
import { getDb, CharacterRepository, ChatRepository, SettingsRepository, requestPersistence } from '../db';

/**
 * Seeds the sample characters once, ever: deleting them later must not bring
 * them back on the next visit.
 */
export async function seedSamplesOnce(): Promise<boolean> {
  const db = getDb();
  const settings = new SettingsRepository(db);
  // One rw transaction: two tabs (or StrictMode's double effect) opening at
  // once serialise here, so the samples are written exactly once.
  return db.transaction('rw', [db.characters, db.settings], async () => {
    if (await settings.get('samplesSeeded')) return false;
    // Someone restoring a backup into a fresh browser already has a library.
    if ((await db.characters.count()) === 0) {
      await new CharacterRepository(db).createMany(
        SAMPLE_CHARACTERS.map((s) => ({ card: structuredClone(s.card), statements: s.statements.map((t) => newStatement(t, 'sample')) })),
      );
    }
    await settings.set('samplesSeeded', true);
    return true;
  });
}

let started: ReturnType<typeof runBootstrap> | null = null;

/** Runs at start-up: samples, storage persistence, interrupted streams. */
export function bootstrap(): ReturnType<typeof runBootstrap> {
  started ??= runBootstrap();
  return started;
}

async function runBootstrap(): Promise<{ seeded: boolean; interrupted: number; persisted: boolean }> {
  const seeded = await seedSamplesOnce();
  const interrupted = await new ChatRepository(getDb()).markInterrupted();
  const persisted = await requestPersistence();
  return { seeded, interrupted, persisted };
}
