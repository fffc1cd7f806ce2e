import { follow } from './follow';
import { newId } from '../domain/character';
import { DEFAULT_SAMPLING, DEFAULT_TAKES, clampTakes, type AuthorsNote, type BranchPoint, type Chat, type GuardReport, type Message, type Role, type SamplingSettings, type Swipe, type TakeSettings } from '../domain/chat';
import { verdictKey, type StudioDb, type VerdictRecord } from './database';
import { importedSwipes, type ImportedChat } from '../domain/chats/sillytavern';
import { BranchPointError, branchChat } from '../domain/chats/branch';
import { guardWrite, UndoUnavailableError } from './errors';
import type { StorySummary } from '../domain/memory/storySoFar';
import { AuthorsNoteSchema, ChatSchema, GroupSceneSchema, MessageSchema, StorySummarySchema, isRefusal, readChat, readMessage } from '../domain/storage/chat';
import type { GroupScene } from '../domain/group';
import { assertValid } from '../domain/storage/issues';
import { STREAMING } from './streamingMessages';
import { currentFeedMessages, heldFeedMessages, watchChatMessages, type MessagesListener } from './messageFeed';

/** Stored records read through their schemas (domain/storage): damaged ones are repaired or skipped, never crash a screen. */
const soundChat = (row: unknown): Chat | undefined => {
  const read = readChat(row);
  return isRefusal(read) ? undefined : read.value;
};
const soundMessage = (row: unknown): Message | undefined => {
  const read = readMessage(row);
  return isRefusal(read) ? undefined : read.value;
};

export interface ChatSummary extends Chat {
  lastMessage: string;
}

export interface NewMessageInput {
  role: Role;
  name: string;
  text: string;
  state?: Swipe['state'];
  modelId?: string | null;
  /** Group scenes: the character who writes this assistant message. */
  speakerId?: string;
}

/** A deleted chat with everything it owned: what undo puts back. */
export interface DeletedChat {
  chat: Chat;
  messages: Message[];
  verdicts: VerdictRecord[];
}

/** A deleted message with its verdicts. */
export interface DeletedMessage {
  message: Message;
  verdicts: VerdictRecord[];
}

/** A deleted swipe, the message as it was before, and the swipe's verdict. */
export interface DeletedSwipe {
  before: Message;
  /** The message's updatedAt right after the deletion: unchanged since means it can be put back verbatim. */
  afterUpdatedAt: number;
  index: number;
  verdict: VerdictRecord | null;
}

/**
 * A message's updatedAt doubles as its version (undo compares it): strictly
 * increasing, so two changes in the same millisecond still differ.
 */
const nextUpdatedAt = (current: { updatedAt: number }) => Math.max(Date.now(), current.updatedAt + 1);

function swipe(text: string, state: Swipe['state'] = 'done', modelId: string | null = null): Swipe {
  return { text, state, finishReason: state === 'done' ? 'stop' : null, modelId, createdAt: Date.now() };
}

export class ChatRepository {
  constructor(private readonly db: StudioDb) {}

  /** A character's chats, newest first, with their last message for the list. */
  async listForCharacter(characterId: string): Promise<ChatSummary[]> {
    const rows: unknown[] = await this.db.chats.where('characterId').equals(characterId).toArray();
    const chats = rows.flatMap((row) => soundChat(row) ?? []);
    chats.sort((a, b) => b.updatedAt - a.updatedAt);
    // Only the last message per chat: this query re-runs on every save while a
    // reply streams, and the chat screen waits for it on opening, so it reads
    // no whole chats — nor counts them (a count walks all 10,000 keys).
    return Promise.all(
      chats.map(async (chat) => {
        const lastRow: unknown = await this.db.messages.where('[chatId+order]').between([chat.id, -Infinity], [chat.id, Infinity]).last();
        const last = soundMessage(lastRow);
        return { ...chat, lastMessage: last ? (last.swipes[last.swipeIndex]?.text ?? '') : '' };
      }),
    );
  }

  /**
   * When each character was last chatted with: its newest chat's `updatedAt`
   * (a save in a chat raises it). Reads only the `[characterId+updatedAt]`
   * index's keys, no chat records: it re-runs on every save of a chat (a
   * reply's appends), and a library's chats were each read and validated for
   * it. A row whose keys are not sound (not a string id, not a number) is
   * left out, as a damaged record was.
   */
  lastUsedByCharacter(): Promise<Map<string, number>> {
    return this.db.chats
      .orderBy('[characterId+updatedAt]')
      .keys()
      .then((keys) => {
        const out = new Map<string, number>();
        for (const key of keys as unknown[]) {
          if (!Array.isArray(key)) continue;
          const [characterId, updatedAt] = key as unknown[];
          if (typeof characterId !== 'string' || typeof updatedAt !== 'number' || !Number.isFinite(updatedAt)) continue;
          // In key order: a character's chats come together, oldest first.
          out.set(characterId, updatedAt);
        }
        return out;
      });
  }

  /**
   * Follows {@link lastUsedByCharacter} after every change to the chats table.
   * @returns stop following.
   */
  watchLastUsed(listener: (lastUsed: Map<string, number>) => void, onError: (e: unknown) => void): () => void {
    return follow(() => this.lastUsedByCharacter(), listener, onError);
  }

  // Dexie promise chains, not native async: these run inside live queries (see CharacterRepository.list).
  get(id: string): Promise<Chat | undefined> {
    return this.db.chats.get(id).then(soundChat);
  }

  /**
   * Follows a chat's messages in order: `listener` gets the list now and after
   * every change, unchanged messages as the same objects (see messageFeed.ts).
   * @returns stop watching.
   */
  watchMessages(chatId: string, listener: MessagesListener, onError: (e: unknown) => void): () => void {
    return watchChatMessages(this.db, chatId, listener, onError);
  }

  /**
   * What the open chat shows, without reading (null when it is not open). It
   * can lag a write by a moment: a caller that acts on it checks with messages().
   */
  openMessages(chatId: string): Message[] | null {
    return heldFeedMessages(this.db, chatId);
  }

  /**
   * Messages in order. While the chat is open, what its feed holds when that
   * is current (two small reads, see currentFeedMessages); else read whole.
   */
  messages(chatId: string): Promise<Message[]> {
    return currentFeedMessages(this.db, chatId).then(
      (held) =>
        held ??
        this.db.messages
          .where('[chatId+order]')
          .between([chatId, -Infinity], [chatId, Infinity])
          .toArray()
          .then((rows: unknown[]) => rows.flatMap((row) => soundMessage(row) ?? [])),
    );
  }

  /**
   * Creates a chat opened by the character's greeting; alternate greetings are
   * swipes of that first message.
   */
  async create(input: {
    characterId: string;
    characterName: string;
    greetings: string[];
    title?: string;
    sampling?: SamplingSettings;
    /**
     * A group scene (issue 13 §3): `characterId` must be its first member;
     * `openings` replace `greetings`, one opening message per member that has
     * a greeting, each stored with its speaker.
     */
    group?: GroupScene;
    openings?: { speakerId: string; name: string; greetings: string[] }[];
  }): Promise<Chat> {
    const now = Date.now();
    const count = await this.db.chats.where('characterId').equals(input.characterId).count();
    const chat: Chat = {
      id: newId(),
      characterId: input.characterId,
      title: input.title ?? `Chat ${count + 1}`,
      sampling: input.sampling ?? { ...DEFAULT_SAMPLING },
      takes: { ...DEFAULT_TAKES },
      ...(input.group ? { group: input.group } : {}),
      createdAt: now,
      updatedAt: now,
    };
    if (chat.group) assertValid(ChatSchema, chat, `The group scene “${chat.title.slice(0, 60)}”`);
    const openings = (input.openings ?? [{ speakerId: '', name: input.characterName, greetings: input.greetings }])
      .map((o) => ({ ...o, greetings: o.greetings.filter((g) => g.trim() !== '') }))
      .filter((o) => o.greetings.length > 0);
    const { db } = this;
    await guardWrite(() =>
      db.transaction('rw', [db.chats, db.messages], async () => {
        await db.chats.add(chat);
        for (const [order, o] of openings.entries()) {
          await db.messages.add({
            id: newId(),
            chatId: chat.id,
            order,
            role: 'assistant',
            name: o.name,
            swipes: o.greetings.map((g) => swipe(g)),
            swipeIndex: 0,
            createdAt: now,
            updatedAt: now,
            ...(o.speakerId ? { speakerId: o.speakerId } : {}),
          });
        }
      }),
    );
    return chat;
  }

  /** Stores an imported chat (e.g. SillyTavern .jsonl) for a character, atomically. */
  async importChat(characterId: string, imported: ImportedChat, sampling: SamplingSettings = { ...DEFAULT_SAMPLING }, link: { branchOf?: BranchPoint; group?: GroupScene } = {}): Promise<Chat> {
    const { branchOf, group } = link;
    const now = Date.now();
    const chat: Chat = { id: newId(), characterId, title: imported.title, sampling, takes: { ...DEFAULT_TAKES }, ...(group ? { group } : {}), createdAt: imported.createdAt, updatedAt: now, ...(branchOf ? { branchOf } : {}) };
    const messages: Message[] = imported.messages.map((m, i) => ({
      ...(m.speakerId ? { speakerId: m.speakerId } : {}),
      id: newId(),
      chatId: chat.id,
      order: i,
      role: m.role,
      name: m.name,
      swipes: importedSwipes(m.swipes, m.createdAt),
      swipeIndex: m.swipeIndex,
      createdAt: m.createdAt,
      updatedAt: now,
    }));
    // An imported file is untrusted: every row must pass its stored shape before anything is written.
    assertValid(ChatSchema, chat, `The chat “${chat.title.slice(0, 60)}”`);
    messages.forEach((m, i) => assertValid(MessageSchema, m, `Message #${i + 1} of the chat`));
    const { db } = this;
    await guardWrite(() =>
      db.transaction('rw', [db.chats, db.messages], async () => {
        await db.chats.add(chat);
        await db.messages.bulkAdd(messages);
      }),
    );
    return chat;
  }

  /**
   * Branches a chat at one of its messages (issue 13 §2): a new chat with the
   * history up to it (every swipe, the shown one as chosen), linked to the
   * parent, with the verdicts of the shared part carried over — all in one
   * transaction, so a reader never sees a branch without its verdicts.
   * @throws BranchPointError when the chat or the message is gone.
   * @throws StorageFullError
   */
  async branch(chatId: string, messageId: string): Promise<Chat> {
    const { db } = this;
    return guardWrite(() =>
      db.transaction('rw', [db.chats, db.messages, db.verdicts], async () => {
        const parent = await this.get(chatId);
        if (!parent) throw new BranchPointError('That chat no longer exists, so there is nothing to branch from.');
        const messages = await this.messages(chatId);
        const verdicts = await db.verdicts.where('chatId').equals(chatId).toArray();
        const copy = branchChat(parent, messages, verdicts, messageId, { newId, now: Date.now() });
        await db.chats.add(copy.chat);
        await db.messages.bulkAdd(copy.messages);
        await db.verdicts.bulkAdd(copy.verdicts);
        return copy.chat;
      }),
    );
  }

  /** The persona a chat writes as (issue 13 §5); null → the default persona. */
  async setPersona(chatId: string, personaId: string | null): Promise<void> {
    const { db } = this;
    await guardWrite(() =>
      db.transaction('rw', db.chats, async () => {
        const chat = await db.chats.get(chatId);
        if (!chat) return;
        const { personaId: _old, ...rest } = chat;
        await db.chats.put(personaId ? { ...rest, personaId } : rest);
      }),
    );
  }

  async rename(id: string, title: string): Promise<void> {
    await guardWrite(() => this.db.chats.update(id, { title: title.trim() || 'Chat', updatedAt: Date.now() }));
  }

  /** Saves the chat's sampling, and its takes and guard settings (clamped into range) when given, in one write. */
  async updateSampling(id: string, sampling: SamplingSettings, takes?: TakeSettings): Promise<void> {
    await guardWrite(() => this.db.chats.update(id, { sampling, ...(takes ? { takes: clampTakes(takes) } : {}) }));
  }

  /**
   * Saves the chat's author's note (an empty text removes it).
   * @throws StorageFullError
   * @throws RecordInvalidError when the note is too long or its depth out of range
   */
  async setAuthorsNote(id: string, note: AuthorsNote): Promise<void> {
    const value = { text: note.text.replace(/\r\n?/g, '\n'), depth: Math.round(note.depth) };
    if (value.text.trim() === '') {
      await guardWrite(() => this.db.chats.where('id').equals(id).modify((c) => void delete c.authorsNote));
      return;
    }
    assertValid(AuthorsNoteSchema, value, 'The author’s note');
    await guardWrite(() => this.db.chats.update(id, { authorsNote: value }));
  }

  /**
   * Changes the chat's "Story so far" summaries in one transaction: `change`
   * gets the stored list and returns the new one (each is validated first).
   * Returns the list written, or null when the chat is gone.
   * @throws StorageFullError
   */
  async updateMemory(id: string, change: (current: StorySummary[]) => StorySummary[]): Promise<StorySummary[] | null> {
    const { db } = this;
    return guardWrite(() =>
      db.transaction('rw', db.chats, async () => {
        const chat = soundChat(await db.chats.get(id));
        if (!chat) return null;
        const next = change(chat.memory ?? []);
        next.forEach((s, i) => assertValid(StorySummarySchema, s, `Summary #${i + 1}`));
        await db.chats.update(id, { memory: next });
        return next;
      }),
    );
  }

  /** Pins or unpins a message (a pinned one stays in the prompt). */
  async setPinned(messageId: string, pinned: boolean): Promise<void> {
    // updatedAt rises so an open chat sees the pin (db/messageFeed.ts follows it).
    await guardWrite(() =>
      this.db.messages
        .where('id')
        .equals(messageId)
        .modify((m) => {
          if (pinned) m.pinned = true;
          else delete m.pinned;
          m.updatedAt = nextUpdatedAt(m);
        }),
    );
  }

  /** Saves a group scene's speaking rule and mutes (validated: members never change here). */
  async updateGroup(id: string, group: GroupScene): Promise<void> {
    assertValid(GroupSceneSchema, group, 'The group scene');
    await guardWrite(() => this.db.chats.update(id, { group }));
  }

  /** Deletes a chat with its messages and verdicts, atomically. */
  async delete(id: string): Promise<void> {
    await this.deleteChatForUndo(id);
  }

  /**
   * Deletes a chat with its messages and verdicts in one transaction and
   * returns all of it, for undo (`restoreChat`). Null when it did not exist.
   */
  async deleteChatForUndo(id: string): Promise<DeletedChat | null> {
    const { db } = this;
    return db.transaction('rw', [db.chats, db.messages, db.verdicts], async () => {
      const chat = await db.chats.get(id);
      if (!chat) return null;
      const messages = await this.messages(id);
      const verdicts = await db.verdicts.where('chatId').equals(id).toArray();
      await db.verdicts.bulkDelete(verdicts.map((v) => v.id));
      await db.messages.bulkDelete(messages.map((m) => m.id));
      await db.chats.delete(id);
      return { chat, messages, verdicts };
    });
  }

  /**
   * Puts a deleted chat back exactly as it was.
   * @throws UndoUnavailableError when its character is gone.
   * @throws StorageFullError
   */
  async restoreChat(deleted: DeletedChat): Promise<void> {
    const { db } = this;
    await guardWrite(() =>
      db.transaction('rw', [db.characters, db.chats, db.messages, db.verdicts], async () => {
        if (!(await db.characters.get(deleted.chat.characterId))) throw new UndoUnavailableError('The chat’s character has been deleted.');
        await db.chats.put(deleted.chat);
        await db.messages.bulkPut(deleted.messages);
        await db.verdicts.bulkPut(deleted.verdicts);
      }),
    );
  }

  /** Appends a message at the end of a chat and touches the chat. */
  async append(chatId: string, input: NewMessageInput): Promise<Message> {
    const { db } = this;
    return guardWrite(() =>
      db.transaction('rw', [db.chats, db.messages], async () => {
        const last = await db.messages.where('[chatId+order]').between([chatId, -Infinity], [chatId, Infinity]).last();
        const now = Date.now();
        const message: Message = {
          id: newId(),
          chatId,
          order: (last?.order ?? -1) + 1,
          role: input.role,
          name: input.name,
          swipes: [swipe(input.text, input.state ?? 'done', input.modelId ?? null)],
          swipeIndex: 0,
          createdAt: now,
          updatedAt: now,
          ...(input.speakerId ? { speakerId: input.speakerId } : {}),
        };
        await db.messages.add(message);
        await db.chats.update(chatId, { updatedAt: now });
        return message;
      }),
    );
  }

  /**
   * Adds a new (streaming) swipe to a message and shows it, unless `show` is
   * false (a background take: the reply on screen stays). Returns its index.
   */
  async addSwipe(messageId: string, init: Partial<Swipe> = {}, show = true): Promise<number> {
    const { db } = this;
    return guardWrite(() =>
      db.transaction('rw', db.messages, async () => {
        const message = await db.messages.get(messageId);
        if (!message) throw new Error('That message no longer exists.');
        const swipes = [...message.swipes, { ...swipe('', 'streaming'), ...init }];
        await db.messages.update(messageId, { swipes, swipeIndex: show ? swipes.length - 1 : message.swipeIndex, updatedAt: nextUpdatedAt(message) });
        return swipes.length - 1;
      }),
    );
  }

  /** Writes one swipe's text/state (used while streaming, throttled by the caller). */
  async writeSwipe(messageId: string, swipeIndex: number, patch: Partial<Swipe>): Promise<void> {
    const { db } = this;
    await guardWrite(() =>
      db.transaction('rw', db.messages, async () => {
        const message = await db.messages.get(messageId);
        if (!message || !message.swipes[swipeIndex]) return;
        const swipes = message.swipes.slice();
        swipes[swipeIndex] = { ...swipes[swipeIndex]!, ...patch };
        await db.messages.update(messageId, { swipes, updatedAt: nextUpdatedAt(message) });
      }),
    );
  }

  async selectSwipe(messageId: string, swipeIndex: number): Promise<void> {
    // updatedAt rises with every change a reader must see (db/messageFeed.ts follows it).
    await guardWrite(() =>
      this.db.messages
        .where('id')
        .equals(messageId)
        .modify((m) => {
          m.swipeIndex = swipeIndex;
          m.updatedAt = nextUpdatedAt(m);
        }),
    );
  }

  /** Deletes a message and its verdicts. */
  async deleteMessage(messageId: string): Promise<void> {
    await this.deleteMessageForUndo(messageId);
  }

  /**
   * Deletes a message (all its swipes) and its verdicts in one transaction
   * and returns them, for undo (`restoreMessage`). Null when it did not exist.
   */
  async deleteMessageForUndo(messageId: string): Promise<DeletedMessage | null> {
    const { db } = this;
    return db.transaction('rw', [db.messages, db.verdicts], async () => {
      const message = await db.messages.get(messageId);
      if (!message) return null;
      const verdicts = await db.verdicts.where('messageId').equals(messageId).toArray();
      await db.verdicts.bulkDelete(verdicts.map((v) => v.id));
      await db.messages.delete(messageId);
      return { message, verdicts };
    });
  }

  /**
   * Puts a deleted message back at its place in the chat, with its verdicts.
   * A message written since in that place moves down one, with those after it.
   * @throws UndoUnavailableError when the chat is gone.
   * @throws StorageFullError
   */
  async restoreMessage({ message, verdicts }: DeletedMessage): Promise<void> {
    const { db } = this;
    await guardWrite(() =>
      db.transaction('rw', [db.chats, db.messages, db.verdicts], async () => {
        if (!(await db.chats.get(message.chatId))) throw new UndoUnavailableError('The chat this message was in has been deleted.');
        if (await db.messages.get(message.id)) return;
        const range = db.messages.where('[chatId+order]');
        if (await range.equals([message.chatId, message.order]).count()) {
          const later = await range.between([message.chatId, message.order], [message.chatId, Infinity], true, true).toArray();
          await db.messages.bulkPut(later.map((m) => ({ ...m, order: m.order + 1 })));
        }
        await db.messages.add(message);
        await db.verdicts.bulkPut(verdicts);
      }),
    );
  }

  /**
   * Deletes one swipe of a message that has several, with its verdict; the
   * later swipes' verdicts follow their swipes. Returns what undo needs
   * (`restoreSwipe`); null when there is no such swipe or it is the only one.
   * @throws UndoUnavailableError while a reply streams into the message.
   */
  async deleteSwipeForUndo(messageId: string, index: number): Promise<DeletedSwipe | null> {
    const { db } = this;
    return guardWrite(() =>
      db.transaction('rw', [db.messages, db.verdicts], async () => {
        const before = await db.messages.get(messageId);
        if (!before || before.swipes.length < 2 || !before.swipes[index]) return null;
        if (before.swipes.some((s) => s.state === 'streaming')) throw new UndoUnavailableError('A reply is being written into this message.');
        const verdicts = await db.verdicts.where('messageId').equals(messageId).toArray();
        const verdict = verdicts.find((v) => v.swipeIndex === index) ?? null;
        // Its verdict goes first: the next swipe's verdict moves into its id.
        if (verdict) await db.verdicts.delete(verdict.id);
        await this.shiftVerdicts(verdicts, index + 1, -1);
        const swipes = before.swipes.filter((_, i) => i !== index);
        const shown = before.swipeIndex > index ? before.swipeIndex - 1 : Math.min(before.swipeIndex, swipes.length - 1);
        const afterUpdatedAt = nextUpdatedAt(before);
        await db.messages.update(messageId, { swipes, swipeIndex: shown, updatedAt: afterUpdatedAt });
        return { before, afterUpdatedAt, index, verdict };
      }),
    );
  }

  /**
   * Puts a deleted swipe back. Untouched since, the message returns exactly
   * as it was; otherwise the swipe goes back at its place among the current ones.
   * @throws UndoUnavailableError when the message is gone or a reply streams into it.
   * @throws StorageFullError
   */
  async restoreSwipe({ before, afterUpdatedAt, index, verdict }: DeletedSwipe): Promise<void> {
    const { db } = this;
    await guardWrite(() =>
      db.transaction('rw', [db.messages, db.verdicts], async () => {
        const current = await db.messages.get(before.id);
        if (!current) throw new UndoUnavailableError('The message has been deleted.');
        if (current.swipes.some((s) => s.state === 'streaming')) throw new UndoUnavailableError('A reply is being written into this message; undo once it has finished.');
        const at = Math.min(index, current.swipes.length);
        await this.shiftVerdicts(await db.verdicts.where('messageId').equals(before.id).toArray(), at, +1);
        if (verdict) await db.verdicts.put({ ...verdict, id: verdictKey(before.id, at), swipeIndex: at });
        if (current.updatedAt === afterUpdatedAt) {
          await db.messages.put(before);
          return;
        }
        const swipes = [...current.swipes.slice(0, at), before.swipes[index]!, ...current.swipes.slice(at)];
        await db.messages.update(before.id, { swipes, swipeIndex: at, updatedAt: nextUpdatedAt(current) });
      }),
    );
  }

  /**
   * Puts a message's swipes from `from` on in the order given (`order` lists
   * old indices, each at most once; swipes from `from` on that it leaves out
   * are dropped with their verdicts), moves every verdict with its swipe, shows
   * `show` (a new index) and stores the guard's note — all in one transaction,
   * so a reader never sees a verdict on the wrong swipe.
   * @throws StorageFullError
   */
  async rankSwipes(messageId: string, from: number, order: readonly number[], show: number, guard?: GuardReport): Promise<void> {
    const { db } = this;
    await guardWrite(() =>
      db.transaction('rw', [db.messages, db.verdicts], async () => {
        const message = await db.messages.get(messageId);
        if (!message) return;
        const valid = order.every((i, k) => i >= from && i < message.swipes.length && order.indexOf(i) === k);
        if (!valid || show < 0 || show >= from + order.length) throw new RangeError('Not an order of the message’s swipes.');
        const verdicts = (await db.verdicts.where('messageId').equals(messageId).toArray()).filter((v) => v.swipeIndex >= from);
        await db.verdicts.bulkDelete(verdicts.map((v) => v.id));
        const moved = verdicts.flatMap((v) => {
          const at = order.indexOf(v.swipeIndex);
          return at === -1 ? [] : [{ ...v, id: verdictKey(messageId, from + at), swipeIndex: from + at }];
        });
        await db.verdicts.bulkPut(moved);
        const swipes = [...message.swipes.slice(0, from), ...order.map((i) => message.swipes[i]!)];
        await db.messages.update(messageId, { swipes, swipeIndex: show, updatedAt: nextUpdatedAt(message), ...(guard ? { guard } : {}) });
      }),
    );
  }

  /** Moves the verdicts of swipes `from` and later by `by` places (inside a transaction). */
  private async shiftVerdicts(verdicts: VerdictRecord[], from: number, by: number): Promise<void> {
    const moving = verdicts.filter((v) => v.swipeIndex >= from);
    if (moving.length === 0) return;
    await this.db.verdicts.bulkDelete(moving.map((v) => v.id));
    await this.db.verdicts.bulkPut(moving.map((v) => ({ ...v, id: verdictKey(v.messageId, v.swipeIndex + by), swipeIndex: v.swipeIndex + by })));
  }

  /**
   * After a reload, swipes that were streaming when the page died are marked
   * 'interrupted' (their text so far is kept). Returns how many were fixed.
   */
  async markInterrupted(): Promise<number> {
    const { db } = this;
    let fixed = 0;
    await db.transaction('rw', db.messages, async () => {
      // The sparse index holds only messages with a swipe streaming (db/streamingMessages.ts).
      await db.messages
        .where(STREAMING)
        .equals(1)
        .modify((m) => {
          m.swipes = m.swipes.map((s) => (s.state === 'streaming' ? { ...s, state: 'interrupted', finishReason: 'interrupted' } : s));
          m.updatedAt = nextUpdatedAt(m);
          fixed++;
        });
    });
    return fixed;
  }
}
