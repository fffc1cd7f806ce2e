import type { Character } from '../domain/character';
import { draftToCharacter, type InterviewDraft } from '../domain/interview';
import { readInterviewDraft } from '../domain/storage';
import { buildCharacter, checkedCharacter } from './characters';
import type { StudioDb } from './database';
import { guardWrite } from './errors';

/**
 * Guided-creation drafts: kept until the interview finishes (then the
 * character is created and the draft deleted in one transaction) or the
 * writer discards it. Reads go through the stored-shape reader, so a damaged
 * draft is repaired rather than lost.
 */
export class InterviewRepository {
  constructor(private readonly db: StudioDb) {}

  async get(id: string): Promise<InterviewDraft | undefined> {
    const raw: unknown = await this.db.interviews.get(id);
    return raw === undefined ? undefined : (readInterviewDraft(raw, Date.now()) ?? undefined);
  }

  /** The draft touched last, to resume; undefined when none is open. */
  async latest(): Promise<InterviewDraft | undefined> {
    const raw: unknown = await this.db.interviews.orderBy('updatedAt').last();
    return raw === undefined ? undefined : (readInterviewDraft(raw, Date.now()) ?? undefined);
  }

  /** @throws StorageFullError */
  async save(draft: InterviewDraft): Promise<void> {
    await guardWrite(() => this.db.interviews.put(draft));
  }

  async delete(id: string): Promise<void> {
    await this.db.interviews.delete(id);
  }

  /**
   * Turns the draft into an ordinary character and removes the draft, both or
   * neither.
   * @throws RecordInvalidError when the card would not pass the stored-character schema.
   * @throws StorageFullError
   */
  async finish(draft: InterviewDraft): Promise<Character> {
    const { db } = this;
    const character = checkedCharacter(buildCharacter(draftToCharacter(draft)));
    await guardWrite(() =>
      db.transaction('rw', [db.characters, db.interviews], async () => {
        await db.characters.add(character);
        await db.interviews.delete(draft.id);
      }),
    );
    return character;
  }
}
