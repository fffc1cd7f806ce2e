import Dexie, { type EntityTable } from 'dexie';
import type { Character } from '../domain/character';
import type { InterviewDraft } from '../domain/interview';
import type { Chat, Message } from '../domain/chat';
import { migrateVerdict } from '../domain/consistency/verdict';
import type { SettingRecord, VerdictRecord } from '../domain/storage/records';
import type { AuditRun } from '../domain/audit/run';
import type { LibraryEntry } from '../domain/library';
import { entryOfRecord, libraryEntriesMiddleware } from './libraryEntries';
import { streamingMessagesMiddleware } from './streamingMessages';

// The stored shapes of these rows live with their schemas (domain/storage).
export type { SettingRecord, VerdictRecord } from '../domain/storage/records';

/** The key of a swipe's verdict: one verdict per (message, swipe). */
export const verdictKey = (messageId: string, swipeIndex: number) => `${messageId}:${swipeIndex}`;

export type CharacterRecord = Character;

/**
 * IMPORTANT: the schema below is a contract with every browser that has ever
 * opened the studio. Never edit an existing `version()` — add a new one with an
 * upgrade function and a test that opens a database seeded at the old version
 * (see database.test.ts).
 */
export const DB_NAME = 'in-character';

export class StudioDb extends Dexie {
  characters!: EntityTable<CharacterRecord, 'id'>;
  chats!: EntityTable<Chat, 'id'>;
  messages!: EntityTable<Message, 'id'>;
  settings!: EntityTable<SettingRecord, 'key'>;
  verdicts!: EntityTable<VerdictRecord, 'id'>;
  interviews!: EntityTable<InterviewDraft, 'id'>;
  /** Audit runs (issue 12 §1), one row per run, stored as `AuditRun` (domain/audit/run.ts). */
  audits!: EntityTable<AuditRun, 'id'>;
  /** What the library lists of each character (issue 13 §1), kept by db/libraryEntries.ts; never written directly. */
  libraryEntries!: EntityTable<LibraryEntry, 'id'>;

  constructor(name: string = DB_NAME) {
    super(name);
    // v1: the foundation — library, chats, messages, settings.
    this.version(1).stores({
      characters: 'id, updatedAt',
      chats: 'id, characterId, updatedAt',
      messages: 'id, chatId, [chatId+order]',
      settings: 'key',
    });
    // v2: consistency verdicts (issue #4); chats gain a lastMessageAt-free index
    // on [characterId+updatedAt] so a character's chat list sorts in the index.
    this.version(2)
      .stores({
        chats: 'id, characterId, updatedAt, [characterId+updatedAt]',
        verdicts: 'id, messageId, chatId',
      })
      .upgrade(async (tx) => {
        // Chats written by v1 may lack a title; v2 readers expect one.
        await tx
          .table<Chat, string>('chats')
          .toCollection()
          .modify((chat) => {
            if (typeof chat.title !== 'string' || chat.title.trim() === '') chat.title = 'Chat';
          });
      });
    // v3: verdicts become versioned and compact (domain/consistency/verdict.ts):
    // v1's whole CheckedReply (~17 KB, mostly repeated text) → ids and numbers.
    // A record that is not a readable verdict is dropped: the reply is simply
    // unchecked again and can be re-checked. No index changes.
    this.version(3)
      .stores({})
      .upgrade(async (tx) => {
        await tx
          .table<{ verdict: unknown }, string>('verdicts')
          .toCollection()
          .modify((record, ref) => {
            const verdict = migrateVerdict(record.verdict);
            if (verdict) record.verdict = verdict;
            else delete (ref as { value?: unknown }).value;
          });
      });
    // v4: guided-creation drafts (issue 12 §2), so an interview can be left and
    // resumed. A new table only: nothing older to upgrade.
    this.version(4).stores({ interviews: 'id, updatedAt' });
    // v5: character audits (issue 12 §1). A new table only: nothing to upgrade.
    // [characterId+createdAt] lists a character's runs in order from the index.
    this.version(5).stores({
      audits: 'id, characterId, [characterId+createdAt]',
    });
    // v6: messages gain [chatId+updatedAt], so an open chat follows its
    // changed messages alone (messageFeed.ts) instead of re-reading the chat
    // on every save. IndexedDB fills the index for existing rows.
    this.version(6).stores({
      messages: 'id, chatId, [chatId+order], [chatId+updatedAt]',
    });
    // v7 (issue 13 §1), so start-up reads what it shows and no more:
    // - the library's entries: a few hundred bytes per character, so the
    //   sidebar lists 1,000 characters without reading 1,000 cards. Written
    //   by their middleware with every character write; filled here from the
    //   characters already stored;
    // - messages gain a sparse index on `streaming` (set by its middleware
    //   while a swipe streams), so start-up finds the replies a closed page
    //   cut off without reading every message. Marked here once.
    this.version(7)
      .stores({ libraryEntries: 'id', messages: 'id, chatId, [chatId+order], [chatId+updatedAt], streaming' })
      .upgrade(async (tx) => {
        const rows: unknown[] = await tx.table('characters').toArray();
        await tx.table('libraryEntries').bulkPut(rows.flatMap((row) => entryOfRecord(row) ?? []));
        await tx
          .table<Message & { streaming?: 1 }, string>('messages')
          .filter((m) => Array.isArray(m.swipes) && m.swipes.some((s) => s?.state === 'streaming'))
          .modify((m) => {
            m.streaming = 1;
          });
      });
    this.use(libraryEntriesMiddleware);
    this.use(streamingMessagesMiddleware);
  }
}

let shared: StudioDb | null = null;

/** The app's database (one per page). Tests construct their own StudioDb. */
export function getDb(): StudioDb {
  shared ??= new StudioDb();
  return shared;
}
