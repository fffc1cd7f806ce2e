/**
 * Chats outside a turn: starting one with the character's greetings, and the
 * history helpers the turn (chatTurn.ts) builds its prompt from. No React.
 */
import type { Character } from '../domain/character';
import { currentText, type Chat, type Message } from '../domain/chat';
import { resolveMacros } from '../domain/text';
import { activePersona, type ActivePersona } from '../domain/userPersona';
import { repos } from '../db';

export { historyFrom } from '../domain/memory/history';

/** The user turn a reply answers: the last user message before it. */
export function userTurnBefore(messages: Message[], index: number): string {
  for (let i = index - 1; i >= 0; i--) if (messages[i]!.role === 'user') return currentText(messages[i]!);
  return '';
}

export function displayName(character: Character): string {
  return character.card.nickname || character.card.name || 'Character';
}

/** The name the user writes under ({{user}}) without a persona. */
export function userName(): Promise<string> {
  return repos.settings.read('userName');
}

/**
 * Who the user is in `chat` (its persona, else the default persona, else
 * "Your name"); without a chat, the default. Its name is `{{user}}`.
 */
export async function personaFor(chat?: Pick<Chat, 'personaId'>): Promise<ActivePersona> {
  const [personas, defaultId, name] = await Promise.all([repos.settings.read('personas'), repos.settings.read('defaultPersonaId'), userName()]);
  return activePersona(personas, chat?.personaId, defaultId, name);
}

/**
 * Starts a chat opened by the character's greeting (macros resolved);
 * alternate greetings are swipes of it.
 * @throws StorageFullError when the browser refuses the write.
 */
export async function startChat(character: Character): Promise<Chat> {
  // A new chat writes as the default persona until the writer picks another.
  const names = { char: displayName(character), user: (await personaFor()).name };
  const greetings = [character.card.first_mes, ...character.card.alternate_greetings].map((g) => resolveMacros(g, names));
  return repos.chats.create({ characterId: character.id, characterName: displayName(character), greetings });
}
