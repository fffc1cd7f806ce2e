import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import type { Message } from './chat';
import { addressedMembers, GroupSceneError, makeGroupScene, nextSpeaker, projectHistory, roundRobinAfter, sceneNote, sceneStops, type GroupScene, type SceneMember } from './group';
import { assemblePrompt, estimateTokens } from './prompt';
import { emptyCardData } from './character';
import { GroupSceneSchema, readChat, readMessage, isRefusal } from './storage/chat';

const members: SceneMember[] = [
  { id: 'a', name: 'Maren', aliases: ['Maren Holt'] },
  { id: 'b', name: 'June', aliases: ['Juniper Ash'] },
  { id: 'c', name: 'Tomas' },
];

let order = 0;
function msg(role: Message['role'], text: string, speakerId?: string, name = role === 'user' ? 'Alex' : 'X'): Message {
  order++;
  return {
    id: `m${order}`,
    chatId: 'chat',
    order,
    role,
    name,
    swipes: [{ text, state: 'done', finishReason: 'stop', modelId: null, createdAt: 0 }],
    swipeIndex: 0,
    createdAt: 0,
    updatedAt: 0,
    ...(speakerId ? { speakerId } : {}),
  };
}

const scene = (strategy: GroupScene['strategy'], muted: string[] = []): GroupScene => ({ memberIds: ['a', 'b', 'c'], strategy, muted });

describe('makeGroupScene', () => {
  it('keeps the order, drops duplicates, and refuses fewer than 2 or more than 6 members', () => {
    expect(makeGroupScene(['b', 'a', 'b']).memberIds).toEqual(['b', 'a']);
    expect(() => makeGroupScene(['a', 'a'])).toThrow(GroupSceneError);
    expect(() => makeGroupScene(['1', '2', '3', '4', '5', '6', '7'])).toThrow(GroupSceneError);
    expect(makeGroupScene(['1', '2', '3', '4', '5', '6']).memberIds).toHaveLength(6);
  });
});

describe('speaker selection', () => {
  it('round-robin goes in scene order after the last speaker, skipping the muted, and wraps', () => {
    expect(roundRobinAfter(scene('round-robin'), null)).toBe('a');
    expect(roundRobinAfter(scene('round-robin'), 'a')).toBe('b');
    expect(roundRobinAfter(scene('round-robin'), 'c')).toBe('a');
    expect(roundRobinAfter(scene('round-robin', ['b']), 'a')).toBe('c');
    expect(roundRobinAfter(scene('round-robin', ['a', 'b', 'c']), 'a')).toBeNull();
  });

  it('round-robin follows the last assistant speaker in the chat', () => {
    const messages = [msg('assistant', 'Hi', 'a'), msg('user', 'Hello'), msg('assistant', 'Hey', 'b'), msg('user', 'So?')];
    expect(nextSpeaker({ scene: scene('round-robin'), members, messages, userText: 'So?' })).toBe('c');
  });

  it('addressed picks the first member named as a whole word (any alias, any case), else round-robin', () => {
    const messages = [msg('assistant', 'Hi', 'a')];
    expect(nextSpeaker({ scene: scene('addressed'), members, messages, userText: 'tomas, and you, june?' })).toBe('c');
    expect(nextSpeaker({ scene: scene('addressed'), members, messages, userText: 'What does Juniper Ash think?' })).toBe('b');
    // "Juneau" is not "June": no one is addressed, round-robin after a → b.
    expect(nextSpeaker({ scene: scene('addressed'), members, messages, userText: 'I flew to Juneau.' })).toBe('b');
    // A muted member is not picked even when named; the next named one is.
    expect(nextSpeaker({ scene: scene('addressed', ['c']), members, messages, userText: 'Tomas? Maren?' })).toBe('a');
  });

  it('manual waits for a pick; a pick wins under every strategy, muted or not', () => {
    expect(nextSpeaker({ scene: scene('manual'), members, messages: [], userText: 'Maren!' })).toBeNull();
    expect(nextSpeaker({ scene: scene('manual'), members, messages: [], userText: '', picked: 'b' })).toBe('b');
    expect(nextSpeaker({ scene: scene('round-robin', ['c']), members, messages: [], userText: '', picked: 'c' })).toBe('c');
    expect(nextSpeaker({ scene: scene('round-robin'), members, messages: [], userText: '', picked: 'not-a-member' })).toBe('a');
  });

  it('addressedMembers orders by first mention and treats names as text, not patterns', () => {
    expect(addressedMembers('June, then Maren', members)).toEqual(['b', 'a']);
    expect(addressedMembers('a.b', [{ id: 'x', name: 'a.b' }, { id: 'y', name: 'a+b' }])).toEqual(['x']);
  });
});

describe('projectHistory (egocentric view)', () => {
  const history = [msg('assistant', 'Welcome.', 'a'), msg('user', 'Hi all.'), msg('assistant', 'Evening.', 'b'), msg('assistant', 'Tea?', 'a'), msg('user', 'June, maps?'), msg('assistant', '', 'c')];

  it("makes the speaker's own lines assistant turns and everyone else's user turns with their names, merged", () => {
    expect(projectHistory(history, 'a', members, 'Alex')).toEqual([
      { role: 'assistant', name: 'Maren', content: 'Welcome.' },
      { role: 'user', name: 'Alex', content: 'Alex: Hi all.\n\nJune: Evening.' },
      { role: 'assistant', name: 'Maren', content: 'Tea?' },
      { role: 'user', name: 'Alex', content: 'Alex: June, maps?' },
    ]);
  });

  it('gives another speaker the mirror view: no other character is ever an assistant turn', () => {
    const view = projectHistory(history, 'b', members, 'Alex');
    expect(view.filter((h) => h.role === 'assistant').map((h) => h.content)).toEqual(['Evening.']);
    expect(view[0]).toEqual({ role: 'user', name: 'Maren', content: 'Maren: Welcome.\n\nAlex: Hi all.' });
    expect(view.at(-1)).toEqual({ role: 'user', name: 'Maren', content: 'Maren: Tea?\n\nAlex: June, maps?' });
    // A member who has not spoken sees only user turns.
    expect(projectHistory(history, 'c', members, 'Alex').every((h) => h.role === 'user')).toBe(true);
  });

  it('stops at untilIndex', () => {
    expect(projectHistory(history, 'a', members, 'Alex', 1)).toEqual([{ role: 'assistant', name: 'Maren', content: 'Welcome.' }]);
  });

  it("feeds assemblePrompt: the speaker's card, the scene note, and the others' names as stops", () => {
    const speaker = members[1]!;
    const prompt = assemblePrompt({
      card: { ...emptyCardData('June'), description: 'June runs a map shop.' },
      statements: [{ id: 's1', text: 'June never drinks coffee.', enabled: true, source: 'manual' } as never],
      history: projectHistory(history, 'b', members, 'Alex'),
      userName: 'Alex',
      contextSize: 4096,
      maxReplyTokens: 200,
      countTokens: estimateTokens,
      scene: { note: sceneNote(speaker, members, 'Alex'), stops: sceneStops(speaker, members, 'Alex') },
    });
    const system = prompt.messages[0]!.content;
    expect(system).toContain('Facts about June:\n- June never drinks coffee.');
    expect(system).toContain('Present with June: Maren, Tomas and Alex.');
    expect(prompt.stop).toEqual(['\nAlex:', '\nMaren:', '\nTomas:']);
    expect(prompt.messages.at(-1)).toMatchObject({ role: 'user', content: 'Maren: Tea?\n\nAlex: June, maps?' });
  });
});

describe('stored group scenes', () => {
  const chat = { id: 'c1', characterId: 'a', title: 'Scene', sampling: { temperature: 1, topP: 1, maxTokens: 10, presencePenalty: 0, repetitionPenalty: 1, contextSize: 100 }, createdAt: 1, updatedAt: 1 };

  it('reads a sound scene as is, and a chat without one as a plain chat (older records)', () => {
    const read = readChat({ ...chat, group: { memberIds: ['a', 'b'], strategy: 'addressed', muted: ['b'] } });
    expect(isRefusal(read) ? null : read.value.group).toEqual({ memberIds: ['a', 'b'], strategy: 'addressed', muted: ['b'] });
    const old = readChat(chat);
    expect(isRefusal(old) ? 'refused' : old.value.group).toBeUndefined();
  });

  it('repairs a damaged scene (duplicates, unknown strategy, stray mutes) and drops one left with a single member', () => {
    const read = readChat({ ...chat, group: { memberIds: ['a', 'b', 'a', 7], strategy: 'loudest', muted: ['z', 'b'] } });
    expect(isRefusal(read) ? null : read.value.group).toEqual({ memberIds: ['a', 'b'], strategy: 'round-robin', muted: ['b'] });
    const single = readChat({ ...chat, group: { memberIds: ['a', 'a'], strategy: 'manual', muted: [] } });
    expect(isRefusal(single) ? 'refused' : single.value.group).toBeUndefined();
    expect(v.safeParse(GroupSceneSchema, { memberIds: ['a', 'a'], strategy: 'manual', muted: [] }).success).toBe(false);
  });

  it("keeps a message's speaker through the reader", () => {
    const m = msg('assistant', 'Hi', 'b');
    const sound = readMessage(m);
    expect(isRefusal(sound) ? null : sound.value.speakerId).toBe('b');
    const damaged = readMessage({ ...m, swipes: 'oops' });
    expect(isRefusal(damaged) ? null : damaged.value.speakerId).toBe('b');
  });
});
