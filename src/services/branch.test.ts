import { afterEach, describe, expect, it } from 'vitest';
import { buildCharacter } from '../db/characters';
import { getDb, repos, verdictKey } from '../db';
import { currentText } from '../domain/chat';
import { loadStubCheckerClient } from '../test/stubCheckerClient';
import { createRecheckQueue, verdictStaleness, type RecheckDeps, type RecheckJob } from './checking';
import { assistantTurns } from './chatChecks';

// Branches reuse the verdicts of the shared part (issue 13 §2). The checker
// is the stub (real worker handlers, a word-rule NLI: plumbing, not meaning);
// its runtime counts every NLI pair it runs.

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('a branch', () => {
  it('carries the shared verdicts over: nothing is stale or unchecked, and the checker is not called for the copied replies', async () => {
    const loaded = await loadStubCheckerClient();
    cleanups.push(loaded.dispose);
    const character = buildCharacter({
      card: { name: 'Maren' },
      statements: [{ id: 's1', text: 'Maren is afraid of deep water.', origin: 'manual', enabled: true, version: 1 }],
    });
    const chat = await repos.chats.create({ characterId: character.id, characterName: 'Maren', greetings: [] });
    await repos.chats.append(chat.id, { role: 'user', name: 'Ro', text: 'Swim?' });
    const first = await repos.chats.append(chat.id, { role: 'assistant', name: 'Maren', text: 'I never feared the deep water.' });
    await repos.chats.append(chat.id, { role: 'user', name: 'Ro', text: 'Tea, then?' });
    const second = await repos.chats.append(chat.id, { role: 'assistant', name: 'Maren', text: 'I love the harbour.' });
    await repos.chats.append(chat.id, { role: 'user', name: 'Ro', text: 'Later.' });

    const deps = async (): Promise<RecheckDeps> => ({ client: loaded.client, threshold: 0.5, setChecking: () => undefined, userName: 'Ro' });
    const queue = createRecheckQueue(deps);
    const jobsOf = (chatId: string, messages: Awaited<ReturnType<typeof repos.chats.messages>>) =>
      assistantTurns(messages).map(({ message, userTurn }): RecheckJob => ({ chatId, message, character, userTurn }));
    expect(await queue.enqueue(jobsOf(chat.id, await repos.chats.messages(chat.id)))).toBe(2);
    const pairsAfterParent = loaded.runtime.nliPairs;
    expect(pairsAfterParent).toBeGreaterThan(0);

    const branch = await repos.chats.branch(chat.id, second.id);
    const messages = await repos.chats.messages(branch.id);
    expect(messages.map(currentText)).toEqual(['Swim?', 'I never feared the deep water.', 'Tea, then?', 'I love the harbour.']);
    const verdicts = await repos.verdicts.forChat(branch.id);
    const parentVerdicts = await repos.verdicts.forChat(chat.id);
    const turns = assistantTurns(messages);
    // What the chat screen would send to the checker: replies without a verdict, or with a stale one.
    const todo = turns.filter(({ message, userTurn }) => {
      const verdict = verdicts.get(verdictKey(message.id, message.swipeIndex));
      return !verdict || verdictStaleness(verdict, character, currentText(message), userTurn, loaded.client.modelId!).stale;
    });
    expect(turns).toHaveLength(2);
    expect(todo).toEqual([]);
    expect(verdicts.get(verdictKey(messages[1]!.id, 0))).toEqual(parentVerdicts.get(verdictKey(first.id, 0)));
    expect(await queue.enqueue(todo.map(({ message, userTurn }) => ({ chatId: branch.id, message, character, userTurn })))).toBe(0);
    expect(loaded.runtime.nliPairs).toBe(pairsAfterParent);

    // The same rule does see a copied reply that changed in the branch (the test can fail).
    await repos.chats.writeSwipe(messages[3]!.id, 0, { text: 'I hate the harbour.' });
    const edited = await repos.chats.messages(branch.id);
    const stale = assistantTurns(edited).filter(({ message, userTurn }) => verdictStaleness(verdicts.get(verdictKey(message.id, 0))!, character, currentText(message), userTurn, loaded.client.modelId!).stale);
    expect(stale.map(({ message }) => message.id)).toEqual([messages[3]!.id]);
  });

  it('survives the deletion of its parent, and the parent comes back linked on undo', async () => {
    const chat = await repos.chats.create({ characterId: 'c1', characterName: 'Maren', greetings: ['Evening.', 'Hello.'] });
    const reply = await repos.chats.append(chat.id, { role: 'user', name: 'Ro', text: 'Hi.' });
    const branch = await repos.chats.branch(chat.id, reply.id);
    const deleted = await repos.chats.deleteChatForUndo(chat.id);
    expect(await repos.chats.get(branch.id)).toMatchObject({ branchOf: { chatId: chat.id, messageId: reply.id, position: 2 } });
    expect((await repos.chats.messages(branch.id)).map(currentText)).toEqual(['Evening.', 'Hi.']);
    expect((await repos.chats.messages(branch.id))[0]!.swipes).toHaveLength(2);
    await getDb().characters.put({ ...buildCharacter({ card: { name: 'Maren' } }), id: 'c1' });
    await repos.chats.restoreChat(deleted!);
    expect((await repos.chats.listForCharacter('c1')).map((c) => c.id).sort()).toEqual([chat.id, branch.id].sort());
  });
});
