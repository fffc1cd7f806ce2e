import { newId } from '../domain/character';
import { DEFAULT_SAMPLING, type Chat, type Message, type Role, type SamplingSettings, type Swipe } from '../domain/chat';
import type { StudioDb } from './database';
import { importedSwipes, type ImportedChat } from '../domain/chats/sillytavern';
import { guardWrite } from './errors';
import { ChatSchema, MessageSchema, isRefusal, readChat, readMessage } from '../domain/storage/chat';
import { assertValid } from '../domain/storage/issues';

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
  messageCount: number;
  lastMessage: string;
}

export interface NewMessageInput {
  role: Role;
  name: string;
  text: string;
  state?: Swipe['state'];
  modelId?: string | null;
}

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
    // Only the last message and a count per chat: this query re-runs on every
    // save while a reply streams, so it must not read whole chats.
    return Promise.all(
      chats.map(async (chat) => {
        const range = this.db.messages.where('[chatId+order]').between([chat.id, -Infinity], [chat.id, Infinity]);
        const [lastRow, messageCount] = await Promise.all([range.clone().last(), range.clone().count()]);
        const last = soundMessage(lastRow);
        return { ...chat, messageCount, lastMessage: last ? (last.swipes[last.swipeIndex]?.text ?? '') : '' };
      }),
    );
  }

  // Dexie promise chains, not native async: these run inside live queries (see CharacterRepository.list).
  get(id: string): Promise<Chat | undefined> {
    return this.db.chats.get(id).then(soundChat);
  }

  /** Messages in order. */
  messages(chatId: string): Promise<Message[]> {
    return this.db.messages
      .where('[chatId+order]')
      .between([chatId, -Infinity], [chatId, Infinity])
      .toArray()
      .then((rows: unknown[]) => rows.flatMap((row) => soundMessage(row) ?? []));
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
  }): Promise<Chat> {
    const now = Date.now();
    const count = await this.db.chats.where('characterId').equals(input.characterId).count();
    const chat: Chat = {
      id: newId(),
      characterId: input.characterId,
      title: input.title ?? `Chat ${count + 1}`,
      sampling: input.sampling ?? { ...DEFAULT_SAMPLING },
      createdAt: now,
      updatedAt: now,
    };
    const greetings = input.greetings.filter((g) => g.trim() !== '');
    const { db } = this;
    await guardWrite(() =>
      db.transaction('rw', [db.chats, db.messages], async () => {
        await db.chats.add(chat);
        if (greetings.length > 0) {
          await db.messages.add({
            id: newId(),
            chatId: chat.id,
            order: 0,
            role: 'assistant',
            name: input.characterName,
            swipes: greetings.map((g) => swipe(g)),
            swipeIndex: 0,
            createdAt: now,
            updatedAt: now,
          });
        }
      }),
    );
    return chat;
  }

  /** Stores an imported chat (e.g. SillyTavern .jsonl) for a character, atomically. */
  async importChat(characterId: string, imported: ImportedChat, sampling: SamplingSettings = { ...DEFAULT_SAMPLING }): Promise<Chat> {
    const now = Date.now();
    const chat: Chat = { id: newId(), characterId, title: imported.title, sampling, createdAt: imported.createdAt, updatedAt: now };
    const messages: Message[] = imported.messages.map((m, i) => ({
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

  async rename(id: string, title: string): Promise<void> {
    await guardWrite(() => this.db.chats.update(id, { title: title.trim() || 'Chat', updatedAt: Date.now() }));
  }

  async updateSampling(id: string, sampling: SamplingSettings): Promise<void> {
    await guardWrite(() => this.db.chats.update(id, { sampling }));
  }

  /** Deletes a chat with its messages and verdicts, atomically. */
  async delete(id: string): Promise<void> {
    const { db } = this;
    await db.transaction('rw', [db.chats, db.messages, db.verdicts], async () => {
      await db.verdicts.where('chatId').equals(id).delete();
      await db.messages.where('chatId').equals(id).delete();
      await db.chats.delete(id);
    });
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
        };
        await db.messages.add(message);
        await db.chats.update(chatId, { updatedAt: now });
        return message;
      }),
    );
  }

  /** Adds a new (streaming) swipe to a message and shows it. Returns its index. */
  async addSwipe(messageId: string, init: Partial<Swipe> = {}): Promise<number> {
    const { db } = this;
    return guardWrite(() =>
      db.transaction('rw', db.messages, async () => {
        const message = await db.messages.get(messageId);
        if (!message) throw new Error('That message no longer exists.');
        const swipes = [...message.swipes, { ...swipe('', 'streaming'), ...init }];
        await db.messages.update(messageId, { swipes, swipeIndex: swipes.length - 1, updatedAt: Date.now() });
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
        await db.messages.update(messageId, { swipes, updatedAt: Date.now() });
      }),
    );
  }

  async selectSwipe(messageId: string, swipeIndex: number): Promise<void> {
    await guardWrite(() => this.db.messages.update(messageId, { swipeIndex }));
  }

  /** Deletes a message and its verdicts. */
  async deleteMessage(messageId: string): Promise<void> {
    const { db } = this;
    await db.transaction('rw', [db.messages, db.verdicts], async () => {
      await db.verdicts.where('messageId').equals(messageId).delete();
      await db.messages.delete(messageId);
    });
  }

  /**
   * After a reload, swipes that were streaming when the page died are marked
   * 'interrupted' (their text so far is kept). Returns how many were fixed.
   */
  async markInterrupted(): Promise<number> {
    const { db } = this;
    let fixed = 0;
    await db.transaction('rw', db.messages, async () => {
      await db.messages
        .filter((m) => m.swipes.some((s) => s.state === 'streaming'))
        .modify((m) => {
          m.swipes = m.swipes.map((s) => (s.state === 'streaming' ? { ...s, state: 'interrupted', finishReason: 'interrupted' } : s));
          fixed++;
        });
    });
    return fixed;
  }
}
