import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildCharacter } from '../db/characters';
import { ChatRepository } from '../db/chats';
import { getDb } from '../db';
import { TAIL_FULL_MAX_STATEMENTS } from '../domain/consistency';
import { CheckerClient } from '../engines/CheckerClient';
import { useChecker } from '../stores/checker';
import { createStubRuntime, fakeCheckerWorkers } from '../workers/checkerTestkit';
import { liveChecking, storedVerdict, verdictKey } from './checking';

// The stub NLI (checkerTestkit) answers by a word rule — shared content word +
// exactly one negation → contradiction: plumbing, not meaning.

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  useChecker.setState({ client: null });
});

async function loadedClient() {
  const runtime = createStubRuntime();
  const workers = fakeCheckerWorkers(runtime);
  const client = new CheckerClient({ createWorker: workers.createWorker });
  cleanups.push(() => {
    client.dispose();
    workers.close();
  });
  await client.load({ nliModelId: 'stub-nli', embeddingModelId: 'stub-embed', warmUp: false });
  useChecker.setState({ client });
  return { client, runtime };
}

describe('liveChecking', () => {
  it('stores the fast verdict when the reply ends, then replaces it with the exact one', async () => {
    const { runtime } = await loadedClient();
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const statements = Array.from({ length: TAIL_FULL_MAX_STATEMENTS + 6 }, (_, i) => ({
      id: `s${i}`,
      text: `Maren keeps a zz${letters[i % 26]}q in her room.`,
      origin: 'manual' as const,
      enabled: true,
      version: 1,
    }));
    statements[5] = { ...statements[5]!, text: 'Maren is afraid of deep water.' };
    const character = buildCharacter({ card: { name: 'Maren' }, statements });
    const repo = new ChatRepository(getDb());
    const chat = await repo.create({ characterId: character.id, characterName: 'Maren', greetings: [] });
    const message = await repo.append(chat.id, { role: 'assistant', name: 'Maren', text: '' });
    const reply = 'Hello there, traveller. I have never feared the deep water, not once!';

    const handle = liveChecking.start({ chatId: chat.id, messageId: message.id, swipeIndex: 0, character, userTurn: 'Hi', prefix: '' });
    handle.feed(reply);
    const outcome = await handle.end(reply);
    expect(outcome).toMatchObject({ status: 'checked', strategy: 'pruned', verdict: 'contradicts' });

    const key = verdictKey(message.id, 0);
    // The exact verdict follows and replaces the stored one.
    await vi.waitFor(async () => {
      const v = storedVerdict(await getDb().verdicts.get(key));
      expect(v?.strategy).toBe('full');
    });
    const exact = storedVerdict(await getDb().verdicts.get(key))!;
    expect(exact.pairScores).toHaveLength(2 * statements.length);
    expect(exact.flaggedSentences).toEqual([{ sentenceIndex: 1, statementIds: ['s5'] }]);
    expect(runtime.nliPairs).toBe(2 * statements.length);
  });

  it('is a no-op when the checker is not loaded', async () => {
    useChecker.setState({ client: null });
    const handle = liveChecking.start({
      chatId: 'c',
      messageId: 'm',
      swipeIndex: 0,
      character: buildCharacter({ card: { name: 'X' } }),
      userTurn: '',
      prefix: '',
    });
    handle.feed('Hello.');
    expect(await handle.end('Hello.')).toBeNull();
  });
});
