/**
 * TEST KIT (unit tests only): a long chat in the app's database (the one
 * `repos` opens on fake-indexeddb), for tests of layers that may not reach
 * db/ themselves (stores/).
 */
import { getDb, repos } from '../db';
import { buildCharacter } from '../db/characters';
import type { Character } from '../domain/character';
import { DEFAULT_SAMPLING, type Chat } from '../domain/chat';
import { historyFrom } from '../domain/memory/history';
import { readSummaryChain, type SummaryStatus } from '../domain/memory/storySoFar';

/** A chat of 40 forty-word messages (Ada and Maren) on a 1,024-token context: far longer than fits. */
export async function createLongChat(): Promise<{ character: Character; chat: Chat }> {
  const character = buildCharacter({ card: { name: 'Maren', description: 'Keeper of the lighthouse.' } });
  await getDb().characters.add(character);
  const chat = await repos.chats.create({ characterId: character.id, characterName: 'Maren', greetings: ['Hello.'] });
  for (let i = 0; i < 40; i++) {
    await repos.chats.append(chat.id, { role: i % 2 === 0 ? 'user' : 'assistant', name: i % 2 === 0 ? 'Ada' : 'Maren', text: `Line ${i}: ${'the tide rolls over the rocks and '.repeat(5)}` });
  }
  await repos.chats.updateSampling(chat.id, { ...DEFAULT_SAMPLING, contextSize: 1024, maxTokens: 100 });
  return { character, chat: (await repos.chats.get(chat.id))! };
}

/** The chat as stored now. */
export async function storedChat(chatId: string): Promise<Chat> {
  return (await repos.chats.get(chatId))!;
}

/** Rewrites the shown swipe of the chat's `index`-th message, as an edit does. */
export async function editMessage(chatId: string, index: number, text: string): Promise<void> {
  const message = (await repos.chats.messages(chatId))[index]!;
  await repos.chats.writeSwipe(message.id, message.swipeIndex, { text, state: 'done' });
}

/** The shown text of the chat's last message. */
export async function lastText(chatId: string): Promise<string> {
  const last = (await repos.chats.messages(chatId)).at(-1)!;
  return last.swipes[last.swipeIndex]!.text;
}

/** Its summaries' statuses against the history as it is now. */
export async function summaryStatuses(chatId: string): Promise<SummaryStatus[]> {
  const chat = await storedChat(chatId);
  return readSummaryChain(chat.memory ?? [], historyFrom(await repos.chats.messages(chatId))).states.map((s) => s.status);
}
