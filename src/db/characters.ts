import Dexie from 'dexie';
import { follow } from './follow';
import { libraryEntryOf, type LibraryEntry } from '../domain/library';
import { readLibraryEntry } from '../domain/storage/libraryEntry';
import { CHARACTERS, LIBRARY_ENTRIES } from './libraryEntries';
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
import { mergeCharacter, type FieldConflict } from '../domain/characterMerge';
import { CharacterSchema, assertValid, readCharacter } from '../domain/storage';
import type { AuditRun } from '../domain/audit/run';
import type { StudioDb, VerdictRecord } from './database';
import { CharacterGoneError, guardWrite } from './errors';

/** Everything a character owns; what delete removes and undo puts back. */
export interface CharacterSnapshot {
  character: Character;
  chats: Chat[];
  messages: Message[];
  verdicts: VerdictRecord[];
  /** Its audit runs (issue 12); absent in snapshots taken before audits existed. */
  audits?: AuditRun[];
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

/** What an editor's save did: the character as stored now, and what it could not write. */
export interface DraftSaveResult {
  stored: Character;
  /** Fields changed here and elsewhere: not written, the stored value kept. */
  conflicts: FieldConflict[];
}

/**
 * updatedAt doubles as the record's version: strictly increasing, so two
 * saves in the same millisecond still differ.
 */
const nextUpdatedAt = (current: Character | undefined) => Math.max(Date.now(), (current?.updatedAt ?? 0) + 1);

/** The last check before a character is written: it must pass the stored shape. @throws RecordInvalidError */
export function checkedCharacter(character: Character): Character {
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

  /**
   * Follows {@link list}: `listener` gets the library now and after every
   * change to the characters table.
   * @returns stop following.
   */
  watchList(listener: (characters: Character[]) => void, onError: (e: unknown) => void): () => void {
    return follow(() => this.list(), listener, onError);
  }

  /**
   * What the library lists of every character, most recently changed first:
   * the small rows of `libraryEntries`, not the cards. Should those not
   * match the characters (a row that fails its schema, a count that
   * differs), the entries are derived from the characters instead, so the
   * list is never wrong, only slower.
   */
  entries(): Promise<LibraryEntry[]> {
    const { db } = this;
    return Dexie.Promise.all([db.libraryEntries.toArray(), db.characters.count()]).then(([rows, count]: [unknown[], number]) => {
      const entries = rows.map(readLibraryEntry);
      const sound = entries.length === count && entries.every((e) => e !== null);
      const out = sound ? (entries as LibraryEntry[]) : this.list().then((characters) => characters.map(libraryEntryOf));
      return Dexie.Promise.resolve(out).then((list) => list.sort((a, b) => b.updatedAt - a.updatedAt));
    });
  }

  /**
   * Follows {@link entries} after every change to the library.
   * @returns stop following.
   */
  watchEntries(listener: (entries: LibraryEntry[]) => void, onError: (e: unknown) => void): () => void {
    return follow(() => this.entries(), listener, onError);
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
    await guardWrite(() => this.db.characters.put(checkedCharacter(read.character)));
    return read.repairs;
  }

  /** @throws StorageFullError when the browser's quota is exhausted; RecordInvalidError. */
  async create(input: NewCharacterInput): Promise<Character> {
    const character = checkedCharacter(buildCharacter(input));
    await guardWrite(() => this.db.characters.add(character));
    return character;
  }

  /** Adds several characters atomically: all or none (multi-file import). @throws RecordInvalidError */
  async createMany(inputs: NewCharacterInput[]): Promise<Character[]> {
    const now = Date.now();
    const characters = inputs.map((input, i) => checkedCharacter(buildCharacter(input, now + i)));
    await guardWrite(() => this.db.characters.bulkAdd(characters));
    return characters;
  }

  /**
   * Saves an editor's draft: writes only what the draft changed since `base`
   * (the stored version it started from), over whatever is stored now, in one
   * transaction. A field changed both here and in storage since `base` is not
   * written; it comes back as a conflict. `signal` aborts the transaction (the
   * page is unloading and writes the draft with `saveDraftNow` instead).
   * @throws CharacterGoneError when the character no longer exists.
   * @throws StorageFullError
   * @throws Dexie's AbortError when `signal` aborted it.
   */
  async saveDraft(base: Character, draft: Character, signal?: AbortSignal): Promise<DraftSaveResult> {
    const { db } = this;
    return guardWrite(() =>
      db.transaction('rw', db.characters, async (tx) => {
        if (signal) {
          if (signal.aborted) tx.abort();
          signal.addEventListener('abort', () => tx.abort(), { once: true });
        }
        const current = readCharacter(await db.characters.get(draft.id))?.character;
        if (!current) throw new CharacterGoneError(draft.id);
        const merged = mergeCharacter(base, draft, current);
        if (!merged.changed) return { stored: current, conflicts: merged.conflicts };
        const stored = checkedCharacter({ ...merged.stored, updatedAt: nextUpdatedAt(current) });
        await db.characters.put(stored);
        return { stored, conflicts: merged.conflicts };
      }),
    );
  }

  /**
   * The page is about to unload: writes the draft merged over `latest` (the
   * newest stored copy this page has seen), the request issued and the
   * transaction committed before this returns. An unloading page gets no
   * more callbacks, so a read-then-write (saveDraft) would never reach its
   * write. Abort any saveDraft still running first: it would hold this write
   * up behind a transaction that is about to die with the page.
   *
   * If the page lives on (navigation cancelled, back/forward cache), the write
   * is followed up through Dexie: live queries here and in other tabs hear of
   * it, and changes another tab saved since `latest` are put back.
   *
   * Returns what was written, or null when there was nothing to write or the
   * database is not open.
   */
  saveDraftNow(base: Character, draft: Character, latest: Character): Character | null {
    const merged = mergeCharacter(base, draft, latest);
    if (!merged.changed) return null;
    let stored: Character;
    try {
      stored = checkedCharacter({ ...merged.stored, updatedAt: nextUpdatedAt(latest) });
    } catch {
      return null;
    }
    try {
      // Below Dexie, so its middleware does not keep the library's entry: this write does.
      const tx = this.db.backendDB().transaction([CHARACTERS, LIBRARY_ENTRIES], 'readwrite');
      const store = tx.objectStore(CHARACTERS);
      const before = store.get(stored.id);
      store.put(stored);
      tx.objectStore(LIBRARY_ENTRIES).put(libraryEntryOf(stored));
      tx.commit();
      tx.oncomplete = () => void this.followUpWriteNow(latest, before.result as Character | undefined, stored).catch(() => undefined);
    } catch {
      return null;
    }
    return stored;
  }

  private async followUpWriteNow(latest: Character, before: Character | undefined, written: Character): Promise<void> {
    const { db } = this;
    await db.transaction('rw', db.characters, async () => {
      const current = await db.characters.get(written.id);
      if (!current) return;
      // Deleted elsewhere just before the write: the write must not bring it back.
      if (!before) {
        await db.characters.delete(written.id);
        return;
      }
      // Another tab saved after `latest`: re-apply its changes to the fields this write did not change.
      const next = before.updatedAt === latest.updatedAt ? current : mergeCharacter(latest, before, current).stored;
      // Rewritten through Dexie even when unchanged, so live queries are told.
      await db.characters.put({ ...next, updatedAt: nextUpdatedAt(current) });
    });
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
    await guardWrite(() => this.db.characters.add(checkedCharacter(copy)));
    return copy;
  }

  /** Deletes a character and everything it owns in one transaction; returns what undo needs. */
  async delete(id: string): Promise<CharacterSnapshot | null> {
    const { db } = this;
    return db.transaction('rw', [db.characters, db.chats, db.messages, db.verdicts, db.audits], async () => {
      const character = await db.characters.get(id);
      if (!character) return null;
      const chats = await db.chats.where('characterId').equals(id).toArray();
      const chatIds = chats.map((c) => c.id);
      const messages = await db.messages.where('chatId').anyOf(chatIds).toArray();
      const verdicts = await db.verdicts.where('chatId').anyOf(chatIds).toArray();
      const audits = await db.audits.where('characterId').equals(id).toArray();
      await db.audits.bulkDelete(audits.map((a) => a.id));
      await db.verdicts.bulkDelete(verdicts.map((v) => v.id));
      await db.messages.bulkDelete(messages.map((m) => m.id));
      await db.chats.bulkDelete(chatIds);
      await db.characters.delete(id);
      return { character, chats, messages, verdicts, audits };
    });
  }

  /** Puts a deleted character back exactly as it was (undo). */
  async restore(snapshot: CharacterSnapshot): Promise<void> {
    const { db } = this;
    await guardWrite(() =>
      db.transaction('rw', [db.characters, db.chats, db.messages, db.verdicts, db.audits], async () => {
        await db.characters.put(snapshot.character);
        await db.chats.bulkPut(snapshot.chats);
        await db.messages.bulkPut(snapshot.messages);
        await db.verdicts.bulkPut(snapshot.verdicts);
        if (snapshot.audits) await db.audits.bulkPut(snapshot.audits);
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
        const updated: Character = checkedCharacter({
          ...character,
          card: { ...character.card, character_book: { ...current, entries: [...current.entries, ...added] } },
          updatedAt: nextUpdatedAt(character),
        });
        await db.characters.put(updated);
        return updated;
      }),
    );
  }
}
