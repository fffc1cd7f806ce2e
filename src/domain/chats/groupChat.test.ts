import { describe, expect, it } from 'vitest';
import type { Message } from '../chat';
import { isGroupChatFile, matchGroupSpeakers, speakerNames } from './groupChat';
import { parseSillyTavernChat, toSillyTavernJsonl } from './sillytavern';

function msg(order: number, role: Message['role'], name: string, text: string, speakerId?: string): Message {
  return { id: `m${order}`, chatId: 'c', order, role, name, swipes: [{ text, state: 'done', finishReason: 'stop', modelId: null, createdAt: 0 }], swipeIndex: 0, createdAt: 0, updatedAt: 0, ...(speakerId ? { speakerId } : {}) };
}

const library = [
  { id: 'maren', name: 'Maren', aliases: ['Maren Holt'] },
  { id: 'june', name: 'June', aliases: ['Juniper Ash'] },
];

describe('SillyTavern group chats', () => {
  it("exports SillyTavern's group header and each line's card file, and reads it back as the same speakers", () => {
    const messages = [msg(0, 'assistant', 'Maren', 'Tea?', 'maren'), msg(1, 'user', 'Alex', 'Yes.'), msg(2, 'assistant', 'June', 'Maps!', 'june')];
    const text = toSillyTavernJsonl({ userName: 'Alex', characterName: 'Maren Holt', createdAt: 0, messages, group: { cardFileOf: (id) => (id === 'maren' ? 'Maren Holt.png' : 'Juniper Ash.png') } });
    const rows = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows[0]).toMatchObject({ user_name: 'unused', character_name: 'unused' });
    expect(rows[1]).toMatchObject({ name: 'Maren', is_user: false, mes: 'Tea?', original_avatar: 'Maren Holt.png' });
    expect(rows[2]).not.toHaveProperty('original_avatar');
    expect(rows[3]).toMatchObject({ name: 'June', original_avatar: 'Juniper Ash.png' });

    const parsed = parseSillyTavernChat(text, 'scene.jsonl');
    expect(isGroupChatFile(parsed)).toBe(true);
    expect(speakerNames(parsed)).toEqual(['Maren', 'June']);
    const { memberIds, chat } = matchGroupSpeakers(parsed, library);
    expect(memberIds).toEqual(['maren', 'june']);
    expect(chat.messages.map((m) => m.speakerId ?? null)).toEqual(['maren', null, 'june']);
  });

  it('matches by any name case-insensitively and leaves unknown speakers as named lines without a speaker', () => {
    const file = [
      JSON.stringify({ user_name: 'unused', character_name: 'unused', chat_metadata: {} }),
      JSON.stringify({ name: 'juniper ash', is_user: false, mes: 'Hello.' }),
      JSON.stringify({ name: 'Stranger', is_user: false, mes: 'Who?' }),
    ].join('\n');
    const parsed = parseSillyTavernChat(file);
    expect(isGroupChatFile(parsed)).toBe(true);
    const { memberIds, chat } = matchGroupSpeakers(parsed, library);
    expect(memberIds).toEqual(['june']);
    expect(chat.messages[1]).toMatchObject({ name: 'Stranger' });
    expect(chat.messages[1]!.speakerId).toBeUndefined();
  });

  it('a one-character chat file is not a group chat', () => {
    const file = [JSON.stringify({ user_name: 'Alex', character_name: 'Maren Holt' }), JSON.stringify({ name: 'Maren Holt', is_user: false, mes: 'Hi' })].join('\n');
    expect(isGroupChatFile(parseSillyTavernChat(file))).toBe(false);
  });
});
