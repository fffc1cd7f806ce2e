import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLING, DEFAULT_TAKES, type Chat, type Message } from '../chat';
import type { VerdictRecord } from '../storage/records';
import { sampleVerdict } from '../../test/sampleVerdict';
import { arrangeChatTree, branchChat, BranchPointError, importedBranchPoint, snippetOf } from './branch';

const parent: Chat = { id: 'p', characterId: 'c', title: 'Harbour', sampling: { ...DEFAULT_SAMPLING }, takes: { ...DEFAULT_TAKES }, createdAt: 1, updatedAt: 2, personaId: 'ro' };

function msg(id: string, order: number, role: Message['role'], texts: string[], swipeIndex = 0, state: 'done' | 'streaming' = 'done'): Message {
  return {
    id,
    chatId: 'p',
    order,
    role,
    name: role === 'user' ? 'Ro' : 'Maren',
    swipes: texts.map((text) => ({ text, state, finishReason: state === 'done' ? 'stop' : null, modelId: null, createdAt: 1 })),
    swipeIndex,
    createdAt: order,
    updatedAt: order,
  };
}
const verdict = (messageId: string, swipeIndex: number): VerdictRecord => ({ id: `${messageId}:${swipeIndex}`, messageId, chatId: 'p', swipeIndex, verdict: sampleVerdict(), createdAt: 5 });

// Given out of order: the copy goes by `order`, with gaps closed.
const messages = [msg('m3', 30, 'assistant', ['Never.', 'Maybe later.'], 1), msg('m1', 10, 'assistant', ['Evening.', 'Hello.'], 1), msg('m2', 20, 'user', ['Swim with me?']), msg('m4', 40, 'user', ['Why not?'])];
const verdicts = [verdict('m1', 0), verdict('m1', 1), verdict('m3', 0), verdict('m3', 1), verdict('m4', 0)];

describe('branchChat', () => {
  let n = 0;
  const newId = () => `n${++n}`;

  it('copies the history up to the message with every swipe, the shown one as chosen, linked to the parent', () => {
    n = 0;
    const copy = branchChat(parent, messages, verdicts, 'm3', { newId, now: 99 });
    expect(copy.chat).toMatchObject({ id: 'n1', characterId: 'c', title: 'Harbour · branch', personaId: 'ro', createdAt: 99, updatedAt: 99, branchOf: { chatId: 'p', messageId: 'm3', position: 3, snippet: 'Maybe later.' } });
    expect(copy.messages.map((m) => [m.id, m.chatId, m.order, m.swipes.map((s) => s.text), m.swipeIndex])).toEqual([
      ['n2', 'n1', 0, ['Evening.', 'Hello.'], 1],
      ['n3', 'n1', 1, ['Swim with me?'], 0],
      ['n4', 'n1', 2, ['Never.', 'Maybe later.'], 1],
    ]);
    // Every swipe's verdict moves to the new message id; the later message's does not come along.
    expect(copy.verdicts.map((v) => [v.id, v.messageId, v.chatId, v.swipeIndex])).toEqual([
      ['n2:0', 'n2', 'n1', 0],
      ['n2:1', 'n2', 'n1', 1],
      ['n4:0', 'n4', 'n1', 0],
      ['n4:1', 'n4', 'n1', 1],
    ]);
    expect(copy.verdicts[0]!.verdict).toEqual(verdicts[0]!.verdict);
    // The parent's records are not touched.
    expect(messages[0]!.id).toBe('m3');
    expect(verdicts[0]!.id).toBe('m1:0');
  });

  it('marks a swipe that was still streaming as interrupted in the copy', () => {
    const copy = branchChat(parent, [msg('a', 0, 'assistant', ['Half a'], 0, 'streaming')], [], 'a', { newId, now: 1 });
    expect(copy.messages[0]!.swipes[0]).toMatchObject({ state: 'interrupted', finishReason: 'interrupted', text: 'Half a' });
  });

  it('refuses a message that is not in the chat', () => {
    expect(() => branchChat(parent, messages, verdicts, 'gone', { newId, now: 1 })).toThrow(BranchPointError);
  });
});

describe('snippetOf', () => {
  it('keeps one short line and looks only at the start of a huge text', () => {
    expect(snippetOf('  Hello\n\n  there  ')).toBe('Hello there');
    const long = snippetOf('word '.repeat(2_000_000));
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('arrangeChatTree', () => {
  const chat = (id: string, branchOf?: { chatId: string; position: number }, createdAt = 0) => ({
    id,
    createdAt,
    ...(branchOf ? { branchOf: { ...branchOf, messageId: 'x', snippet: '' } } : {}),
  });

  it('puts branches under their origin, by where they split, nested', () => {
    const rows = arrangeChatTree([chat('b2', { chatId: 'a', position: 12 }), chat('a'), chat('b1', { chatId: 'a', position: 3 }), chat('c'), chat('b1x', { chatId: 'b1', position: 5 })]);
    expect(rows.map((r) => [r.chat.id, r.depth])).toEqual([
      ['a', 0],
      ['b1', 1],
      ['b1x', 2],
      ['b2', 1],
      ['c', 0],
    ]);
  });

  it('shows a branch whose parent is gone at the top level, and never loses chats in a cycle', () => {
    const rows = arrangeChatTree([chat('x', { chatId: 'deleted', position: 2 }), chat('y', { chatId: 'z', position: 1 }), chat('z', { chatId: 'y', position: 1 })]);
    expect(rows.map((r) => [r.chat.id, r.depth, r.parentMissing])).toEqual([
      ['x', 0, true],
      ['y', 0, false],
      ['z', 1, false],
    ]);
  });

  it('handles a chain of thousands of branches without recursion', () => {
    const chain = Array.from({ length: 5000 }, (_, i) => chat(`c${i}`, i === 0 ? undefined : { chatId: `c${i - 1}`, position: 1 }));
    const rows = arrangeChatTree(chain.reverse());
    expect(rows).toHaveLength(5000);
    expect(rows.at(-1)).toMatchObject({ depth: 4999 });
  });
});

describe('importedBranchPoint', () => {
  const parentMessages = [msg('m1', 0, 'assistant', ['Evening.']), msg('m2', 1, 'user', ['Swim with me?']), msg('m3', 2, 'assistant', ['Never.'])];
  const file = (texts: string[], branchPosition?: number) => ({ messages: texts.map((t) => ({ swipes: [t], swipeIndex: 0 })), ...(branchPosition ? { branchPosition } : {}) });

  it('uses the position the file gives', () => {
    expect(importedBranchPoint(file(['Evening.', 'Swim with me?', 'Other'], 2), { chatId: 'p', messages: parentMessages })).toEqual({ chatId: 'p', messageId: 'm2', position: 2, snippet: 'Swim with me?' });
  });

  it('finds where the texts part when the file gives no usable position', () => {
    expect(importedBranchPoint(file(['Evening.', 'Swim with me?', 'Later.', 'More.'], 9), { chatId: 'p', messages: parentMessages })).toMatchObject({ messageId: 'm2', position: 2 });
    expect(importedBranchPoint(file(['Something else']), { chatId: 'p', messages: parentMessages })).toBeNull();
  });
});

describe('branch titles', () => {
  it('a branch of a branch keeps one "· branch"', () => {
    const copy = branchChat({ ...parent, title: 'Harbour · branch' }, messages, [], 'm1', { newId: () => 'x', now: 1 });
    expect(copy.chat.title).toBe('Harbour · branch');
  });
});
