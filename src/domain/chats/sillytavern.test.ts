import { describe, expect, it } from 'vitest';
import { ChatImportError, parseSillyTavernChat, toSillyTavernJsonl } from './sillytavern';
import type { Message } from '../chat';

const FILE = [
  JSON.stringify({ user_name: 'Ada', character_name: 'Seraphina', create_date: '2024-05-01 @10h 00m 00s 000ms', chat_metadata: {} }),
  JSON.stringify({ name: 'Seraphina', is_user: false, is_system: false, send_date: 'May 1, 2024 10:00am', mes: 'Welcome to the glade.', swipes: ['Welcome to the glade.', 'Ah, you wake.'], swipe_id: 0 }),
  '',
  JSON.stringify({ name: 'Ada', is_user: true, send_date: 'May 1, 2024 10:01am', mes: 'Where am I?' }),
  JSON.stringify({ name: 'Seraphina', is_user: false, send_date: 1714557720, mes: 'Safe, in my forest.', swipes: ['First try.', 'Safe, in my forest.'], swipe_id: 1 }),
].join('\n');

describe('parseSillyTavernChat', () => {
  it('reads the header, roles, swipes and the chosen swipe', () => {
    const chat = parseSillyTavernChat(FILE, 'Seraphina - 2024-05-01.jsonl');
    expect(chat.userName).toBe('Ada');
    expect(chat.characterName).toBe('Seraphina');
    expect(chat.title).toBe('Seraphina - 2024-05-01');
    expect(chat.messages.map((m) => m.role)).toEqual(['assistant', 'user', 'assistant']);
    expect(chat.messages[0]!.swipes).toEqual(['Welcome to the glade.', 'Ah, you wake.']);
    expect(chat.messages[2]!.swipeIndex).toBe(1);
    expect(chat.messages[1]!.swipes).toEqual(['Where am I?']);
    expect(chat.messages[2]!.createdAt).toBe(1714557720000);
  });

  it('works without a header line', () => {
    const chat = parseSillyTavernChat(JSON.stringify({ name: 'Bob', is_user: true, mes: 'Hi' }));
    expect(chat.messages).toHaveLength(1);
    expect(chat.userName).toBe('Bob');
  });

  it('refuses files that are not chats', () => {
    expect(() => parseSillyTavernChat('')).toThrow(ChatImportError);
    expect(() => parseSillyTavernChat('{not json')).toThrow(/Line 1/);
    expect(() => parseSillyTavernChat(JSON.stringify({ spec: 'chara_card_v2', data: {} }))).toThrow(/no messages/);
  });

  it('round-trips through export', () => {
    const messages: Message[] = [
      { id: 'a', chatId: 'c', order: 0, role: 'assistant', name: 'S', swipes: [{ text: 'One', state: 'done', finishReason: 'stop', modelId: null, createdAt: 1000 }, { text: 'Two', state: 'done', finishReason: 'stop', modelId: null, createdAt: 1000 }], swipeIndex: 1, createdAt: 1000, updatedAt: 1000 },
      { id: 'b', chatId: 'c', order: 1, role: 'user', name: 'U', swipes: [{ text: '<b>hi</b>', state: 'done', finishReason: 'stop', modelId: null, createdAt: 2000 }], swipeIndex: 0, createdAt: 2000, updatedAt: 2000 },
    ];
    const back = parseSillyTavernChat(toSillyTavernJsonl({ userName: 'U', characterName: 'S', createdAt: 1000, messages }));
    expect(back.messages.map((m) => [m.role, m.swipes, m.swipeIndex])).toEqual([
      ['assistant', ['One', 'Two'], 1],
      ['user', ['<b>hi</b>'], 0],
    ]);
  });

  it('exports every take of a ranked, guarded reply as a swipe, the shown one as mes', () => {
    const take = (text: string, inCharacterOf?: string[]) => ({ text, state: 'done' as const, finishReason: 'stop' as const, modelId: 'm', createdAt: 1000, ...(inCharacterOf ? { inCharacterOf } : {}) });
    const reply: Message = {
      id: 'r',
      chatId: 'c',
      order: 0,
      role: 'assistant',
      name: 'Maren',
      swipes: [take('Clean try.', ['Maren fears deep water.']), take('Take one.'), take('Take two.'), take('Second try.', ['Maren fears deep water.'])],
      swipeIndex: 0,
      createdAt: 1000,
      updatedAt: 1000,
      guard: { tries: 2, outcome: 'clean', statements: ['Maren fears deep water.'], roleKinds: [], at: 1000 },
    };
    const lines = toSillyTavernJsonl({ userName: 'U', characterName: 'Maren', createdAt: 1000, messages: [reply] }).trim().split('\n');
    const row = JSON.parse(lines[1]!) as { mes: string; swipes: string[]; swipe_id: number };
    expect(row).toMatchObject({ mes: 'Clean try.', swipe_id: 0, swipes: ['Clean try.', 'Take one.', 'Take two.', 'Second try.'] });
    expect(parseSillyTavernChat(lines.join('\n')).messages[0]!.swipes).toHaveLength(4);
  });
});

describe('branch links in SillyTavern files', () => {
  const message = (text: string, role: 'user' | 'assistant'): Message => ({
    id: text,
    chatId: 'b',
    order: 0,
    role,
    name: role === 'user' ? 'Ro' : 'Maren',
    swipes: [{ text, state: 'done', finishReason: 'stop', modelId: null, createdAt: 1000 }],
    swipeIndex: 0,
    createdAt: 1000,
    updatedAt: 1000,
  });

  it('writes main_chat (SillyTavern’s branch link) and the split position, and reads them back', () => {
    const text = toSillyTavernJsonl({ userName: 'Ro', characterName: 'Maren', createdAt: 1000, messages: [message('Evening.', 'assistant'), message('Tea?', 'user')], branch: { mainChat: 'Maren - Chat 1', position: 1 } });
    expect(JSON.parse(text.split('\n')[0]!).chat_metadata).toEqual({ main_chat: 'Maren - Chat 1', in_character_branch: { position: 1 } });
    const parsed = parseSillyTavernChat(text, 'Maren - Chat 1 · branch.jsonl');
    expect(parsed).toMatchObject({ mainChat: 'Maren - Chat 1', branchPosition: 1 });
  });

  it('reads SillyTavern’s own fork_point, and ignores a main_chat that is no file name', () => {
    const header = (meta: unknown) => [JSON.stringify({ user_name: 'A', character_name: 'S', chat_metadata: meta }), JSON.stringify({ name: 'S', mes: 'Hi.' })].join('\n');
    expect(parseSillyTavernChat(header({ main_chat: 'S - 2024-5-1@10h00m00s', fork_point: { mesId: 4, swipeId: 0 } }))).toMatchObject({ mainChat: 'S - 2024-5-1@10h00m00s', branchPosition: 5 });
    const plain = parseSillyTavernChat(header({ main_chat: 42 }));
    expect(plain.mainChat).toBeUndefined();
    expect(parseSillyTavernChat(header({ main_chat: 'x'.repeat(301) })).mainChat).toBeUndefined();
    expect(parseSillyTavernChat(FILE).mainChat).toBeUndefined();
  });
});
