import Dexie, { type EntityTable } from 'dexie';
import type { Character } from '../domain/character';
import type { Chat, Message } from '../domain/chat';

/** A stored consistency verdict for one swipe of one assistant message (issue #4). */
export interface VerdictRecord {
  /** `${messageId}:${swipeIndex}` */
  id: string;
  messageId: string;
  chatId: string;
  swipeIndex: number;
  /** The verdict itself, as produced by domain/consistency (kept opaque here). */
  verdict: unknown;
  createdAt: number;
}

/** A verdict record's id: one per swipe of a message. */
export const verdictRecordId = (messageId: string, swipeIndex: number) => `${messageId}:${swipeIndex}`;

export interface SettingRecord {
  key: string;
  value: unknown;
}

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
  }
}

let shared: StudioDb | null = null;

/** The app's database (one per page). Tests construct their own StudioDb. */
export function getDb(): StudioDb {
  shared ??= new StudioDb();
  return shared;
}
