import {
  emptyCardData,
  emptyLorebook,
  newId,
  type CardData,
  type Character,
  type Lorebook,
  type PersonaStatement,
} from '../domain/character';
import type { Chat, Message } from '../domain/chat';
import { CharacterSchema, assertValid, readCharacter } from '../domain/storage';
import type { StudioDb, VerdictRecord } from './database';
import { guardWrite } from './errors';

/** Everything a character owns; what delete removes and undo puts back. */
export interface CharacterSnapshot {
  character: Character;
  chats: Chat[];
  messages: Message[];
  verdicts: VerdictRecord[];
}

export interface NewCharacterInput {
  card?: Partial<CardData>;
  avatar?: Blob | null;
  statements?: PersonaStatement[];
}

export function buildCharacter(input: NewCharacterInput, now = Date.now()): Character {
  return {
    id: newId(),
    card: { ...emptyCardData(), ...input.card },
    avatar: input.avatar ?? null,
    statements: input.statements ?? [],
    createdAt: now,
    updatedAt: now,
  };
}

/** The last check before a character is written: it must pass the stored shape. @throws RecordInvalidError */
function checked(character: Character): Character {
  return assertValid(CharacterSchema, character, `The character “${String(character.card?.name ?? '').slice(0, 60)}”`) as Character;
}

export class CharacterRepository {
  constructor(private readonly db: StudioDb) {}

  /**
   * Every character, most recently changed first. Records are read through
   * the character schema (domain/storage): one written by an older version or
   * a bug is shown repaired instead of breaking the library, and one without
   * `updatedAt` (which the index would skip) is still listed.
   */
  // IMPORTANT: these reads run inside useLiveQuery while start-up writes in a
  // transaction; a native `async` function here made that transaction commit
  // early (Dexie's zone tracking, PrematureCommitError on first run). Dexie
  // promise chains (.then) keep the zone.
  list(): Promise<Character[]> {
    return this.db.characters.toArray().then((rows: unknown[]) => {
      const characters = rows.flatMap((row) => readCharacter(row)?.character ?? []);
      return characters.sort((a, b) => b.updatedAt - a.updatedAt);
    });
  }

  /** One character, read through the schema like {@link list}. */
  get(id: string): Promise<Character | undefined> {
    return this.db.characters.get(id).then((row: unknown) => readCharacter(row)?.character);
  }

  /**
   * What is wrong with the stored record (the repairs {@link get} makes when
   * reading it), one sentence per field; empty for a sound record or none.
   */
  problems(id: string): Promise<string[]> {
    return this.db.characters.get(id).then((row: unknown) => (row === undefined ? [] : (readCharacter(row)?.repairs ?? ['the record has no usable id'])));
  }

  /**
   * Stores the repaired reading of a damaged record in place of it (the way
   * out the editor offers). Returns the repairs made.
   * @throws StorageFullError
   */
  async repair(id: string): Promise<string[]> {
    const row: unknown = await this.db.characters.get(id);
    const read = readCharacter(row, Date.now());
    if (!read || read.repairs.length === 0) return [];
    await guardWrite(() => this.db.characters.put(checked(read.character)));
    return read.repairs;
  }

  /** @throws StorageFullError when the browser's quota is exhausted; RecordInvalidError. */
  async create(input: NewCharacterInput): Promise<Character> {
    const character = checked(buildCharacter(input));
    await guardWrite(() => this.db.characters.add(character));
    return character;
  }

  /** Adds several characters atomically: all or none (multi-file import). @throws RecordInvalidError */
  async createMany(inputs: NewCharacterInput[]): Promise<Character[]> {
    const now = Date.now();
    const characters = inputs.map((input, i) => checked(buildCharacter(input, now + i)));
    await guardWrite(() => this.db.characters.bulkAdd(characters));
    return characters;
  }

  /**
   * Saves the whole character (autosave). Returns the stored copy.
   * @throws StorageFullError
   */
  async save(character: Character): Promise<Character> {
    const stored = { ...character, updatedAt: Date.now() };
    await guardWrite(() => this.db.characters.put(stored));
    return stored;
  }

  /** Copies a character with fresh ids; chats are not copied. */
  async duplicate(id: string): Promise<Character> {
    const source = await this.get(id);
    if (!source) throw new Error('That character no longer exists.');
    const copy = buildCharacter({
      card: { ...structuredClone(source.card), name: `${source.card.name} (copy)` },
      avatar: source.avatar,
      statements: source.statements.map((s) => ({ ...s, id: newId() })),
    });
    await guardWrite(() => this.db.characters.add(copy));
    return copy;
  }

  /** Deletes a character and everything it owns in one transaction; returns what undo needs. */
  async delete(id: string): Promise<CharacterSnapshot | null> {
    const { db } = this;
    return db.transaction('rw', [db.characters, db.chats, db.messages, db.verdicts], async () => {
      const character = await db.characters.get(id);
      if (!character) return null;
      const chats = await db.chats.where('characterId').equals(id).toArray();
      const chatIds = chats.map((c) => c.id);
      const messages = await db.messages.where('chatId').anyOf(chatIds).toArray();
      const verdicts = await db.verdicts.where('chatId').anyOf(chatIds).toArray();
      await db.verdicts.bulkDelete(verdicts.map((v) => v.id));
      await db.messages.bulkDelete(messages.map((m) => m.id));
      await db.chats.bulkDelete(chatIds);
      await db.characters.delete(id);
      return { character, chats, messages, verdicts };
    });
  }

  /** Puts a deleted character back exactly as it was (undo). */
  async restore(snapshot: CharacterSnapshot): Promise<void> {
    const { db } = this;
    await guardWrite(() =>
      db.transaction('rw', [db.characters, db.chats, db.messages, db.verdicts], async () => {
        await db.characters.put(snapshot.character);
        await db.chats.bulkPut(snapshot.chats);
        await db.messages.bulkPut(snapshot.messages);
        await db.verdicts.bulkPut(snapshot.verdicts);
      }),
    );
  }

  /** Appends world-info entries to a character's lorebook, renumbering ids to stay unique. */
  async addLorebookEntries(id: string, book: Lorebook): Promise<Character> {
    const { db } = this;
    return guardWrite(() =>
      db.transaction('rw', db.characters, async () => {
        const character = readCharacter(await db.characters.get(id))?.character;
        if (!character) throw new Error('That character no longer exists.');
        const current = character.card.character_book ?? { ...emptyLorebook(), name: book.name };
        let nextId = current.entries.reduce((max, e) => Math.max(max, e.id), -1) + 1;
        const added = book.entries.map((e) => ({ ...e, id: nextId++ }));
        const updated: Character = checked({
          ...character,
          card: { ...character.card, character_book: { ...current, entries: [...current.entries, ...added] } },
          updatedAt: Date.now(),
        });
        await db.characters.put(updated);
        return updated;
      }),
    );
  }
}
