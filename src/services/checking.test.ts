import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildCharacter } from '../db/characters';
import { ChatRepository } from '../db/chats';
import { getDb } from '../db';
import { TAIL_FULL_MAX_STATEMENTS } from '../domain/consistency';
import { loadStubCheckerClient } from '../test/stubCheckerClient';
import type { SentenceCheck } from '../engines/liveCheck';
import { liveChecking, storedVerdict, verdictKey, type LiveCheckDeps } from './checking';

// The stub NLI (checkerTestkit) answers by a word rule — shared content word +
// exactly one negation → contradiction: plumbing, not meaning.

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Deps as the checker store would pass them, recording what the service reports. */
function liveDeps(client: LiveCheckDeps['client']) {
  const sentences: { key: string; s: SentenceCheck }[] = [];
  const cleared: string[] = [];
  const deps: LiveCheckDeps = {
    client,
    threshold: 0.5,
    onSentence: (key, s) => sentences.push({ key, s }),
    onClear: (key) => cleared.push(key),
  };
  return { deps, sentences, cleared };
}

async function loadedClient() {
  const loaded = await loadStubCheckerClient();
  cleanups.push(loaded.dispose);
  return loaded;
}

describe('liveChecking', () => {
  it('stores the fast verdict when the reply ends, then replaces it with the exact one', async () => {
    const { client, runtime } = await loadedClient();
    const { deps, sentences, cleared } = liveDeps(client);
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

    const key = verdictKey(message.id, 0);
    const handle = liveChecking.start({ chatId: chat.id, messageId: message.id, swipeIndex: 0, character, userTurn: 'Hi', prefix: '' }, deps);
    handle.feed(reply);
    const outcome = await handle.end(reply);
    expect(outcome).toMatchObject({ status: 'checked', strategy: 'pruned', verdict: 'contradicts' });
    // Live flags went to the caller under the swipe's key, cleared at the start and the end.
    expect(sentences.length).toBeGreaterThan(0);
    expect(sentences.every((x) => x.key === key)).toBe(true);
    expect(cleared).toEqual([key, key]);

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
    const { deps, sentences, cleared } = liveDeps(null);
    const handle = liveChecking.start(
      {
        chatId: 'c',
        messageId: 'm',
        swipeIndex: 0,
        character: buildCharacter({ card: { name: 'X' } }),
        userTurn: '',
        prefix: '',
      },
      deps,
    );
    handle.feed('Hello.');
    expect(await handle.end('Hello.')).toBeNull();
    expect(sentences).toEqual([]);
    expect(cleared).toEqual([]);
    expect(await getDb().verdicts.get(verdictKey('m', 0))).toBeUndefined();
  });
});
