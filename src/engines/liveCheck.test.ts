import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FULL_MAX_STATEMENTS,
  makeFingerprint,
  PRUNE_MAX_BY_SIMILARITY_PER_SENTENCE,
  PRUNE_PROBES_PER_SENTENCE,
  PRUNE_TOP_K_BY_RELEVANCE,
  TAIL_FULL_MAX_STATEMENTS,
  roleCalibrationFor,
  STORY_RELEVANCE_WEIGHT,
  storyTail,
} from '../domain/consistency';
import type { StubRuntimeOptions } from '../test/stubCheckerRuntime';
import { CheckerClient } from './CheckerClient';
import { loadStubCheckerClient } from '../test/stubCheckerClient';
import { WorkerCrashedError } from './errors';
import { checkReply, startLiveCheck, type CheckedReply, type LiveCheckOutcome, type SentenceCheck, type SentenceRoleFlags } from './liveCheck';

// The stub NLI answers by a word rule (shared content word + exactly one
// negation → contradiction): it checks the plumbing, not meaning.

const water = { id: 's-water', version: 1, text: 'Maren is afraid of deep water.', enabled: true };
const eyes = { id: 's-eyes', version: 3, text: 'Maren has amber eyes.', enabled: true };
const caring = { id: 's-caring', version: 1, text: 'Maren is caring.', enabled: true };
const statements = [water, eyes, caring];

const REPLY = 'Hello there, traveller. I have never feared the deep water, not once! My amber eyes glow in the dark.';
const CONSISTENT = 'Hello there, traveller. *Maren stays far from the deep water.* My amber eyes glow in the dark.';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function setup(options: StubRuntimeOptions = {}) {
  const loaded = await loadStubCheckerClient(options);
  cleanups.push(loaded.dispose);
  loaded.client.resetStats();
  return loaded;
}

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function checked(outcome: LiveCheckOutcome): CheckedReply {
  if (outcome.status !== 'checked') throw new Error(`not checked: ${outcome.reason} ${outcome.message}`);
  return outcome;
}

describe('startLiveCheck', () => {
  it('scores each sentence as it completes, flagging the contradiction before the reply ends', async () => {
    const { client } = await setup();
    const live = startLiveCheck({ client, statements, userTurn: 'Do you like to swim?' });
    const seen: SentenceCheck[] = [];
    live.onSentence((s) => seen.push(s));
    // Stream everything up to the middle of the third sentence.
    const cut = REPLY.indexOf('My amber') + 5;
    for (const d of chunks(REPLY.slice(0, cut), 4)) live.feed(d);
    await vi.waitFor(() => expect(seen).toHaveLength(2));
    expect(live.state).toBe('running');
    expect(seen[0]).toMatchObject({ flagged: false, statementIds: [] });
    expect(seen[1]!.sentence).toMatchObject({ index: 1, text: 'I have never feared the deep water, not once!' });
    expect(seen[1]).toMatchObject({ flagged: true, statementIds: ['s-water'] });
    expect(seen[1]!.scores.find((s) => s.statementId === 's-water')!.pc).toBeGreaterThan(0.99);
    // Every statement scored for every sentence (≤ FULL_MAX_STATEMENTS).
    expect(seen[1]!.scores).toHaveLength(3);

    for (const d of chunks(REPLY.slice(cut), 4)) live.feed(d);
    const result = checked(await live.end());
    expect(seen).toHaveLength(3);
    expect(result.verdict).toBe('contradicts');
    expect(result.strategy).toBe('full');
    expect(result.flaggedSentences).toEqual([{ sentenceIndex: 1, statementIds: ['s-water'] }]);
    const st = result.statements.find((s) => s.statementId === 's-water')!;
    expect(st).toMatchObject({ status: 'contradicted', sentenceIndex: 1 });
    expect(result.sentences.map((s) => REPLY.slice(s.start, s.end))).toEqual([
      'Hello there, traveller.',
      'I have never feared the deep water, not once!',
      'My amber eyes glow in the dark.',
    ]);
    expect(result.replyText).toBe(REPLY);
    expect(result.pairScores).toHaveLength(9);
    expect(result.fingerprint).toEqual(
      makeFingerprint({ modelId: client.modelId!, statements, replyText: REPLY, userTurnText: 'Do you like to swim?' }),
    );
    expect(result.timings.verdictMs).toBeGreaterThanOrEqual(0);
    expect(result.timings.sentenceLatencyMs).toHaveLength(3);
    expect(result.stats).toEqual({ pairs: 9, pairsCached: 0, skippedPairs: 0 });
  });

  it('does not flag a consistent reply; r comes from the user turn', async () => {
    const { client } = await setup();
    const live = startLiveCheck({ client, statements, userTurn: 'Are you afraid of the water?' });
    for (const d of chunks(CONSISTENT, 3)) live.feed(d);
    const result = checked(await live.end());
    expect(result.flaggedSentences).toEqual([]);
    expect(result.contradictions).toBe(0);
    expect(result.verdict).not.toBe('contradicts');
    expect(result.relevance['s-water']).toBeGreaterThan(0.9);
    expect(result.relevance['s-caring']).toBeLessThan(0.05);
    expect(result.statements.find((s) => s.statementId === 's-water')).toMatchObject({ status: 'kept', sentenceIndex: 1 });
  });

  it('the story so far raises relevance as context, but is never scored, premise or hypothesis, nor flagged', async () => {
    const { client, runtime } = await setup();
    // The turn points back at an event only the summary holds.
    const userTurn = 'Do you remember that night?';
    const story = `${'Ada arrived at the lighthouse in spring. '.repeat(12)}That night Ada and Maren crossed the deep water in a small boat, and Maren was afraid.`;
    const plain = checked(await checkReply(client, { statements, userTurn, replyText: CONSISTENT }));
    const batches = runtime.log.nliBatches.length;
    const embedded = runtime.log.embedBatches.length;
    const told = checked(await checkReply(client, { statements, userTurn, story, replyText: CONSISTENT }));
    // Relevance read the turn and the story's end (storyTail), not the whole story.
    const asked = runtime.log.embedBatches.slice(embedded).flat();
    expect(asked).toContain(storyTail(story));
    expect(asked.some((t) => t.startsWith('Ada arrived') && t.length > 400)).toBe(false);
    expect(plain.relevance['s-water']).toBeLessThan(0.05);
    expect(told.relevance['s-water']).toBeGreaterThan(0.3);
    expect(told.relevance['s-water']).toBeLessThanOrEqual(STORY_RELEVANCE_WEIGHT);
    // Shown where the story made it relevant: kept, and the score rewards it.
    expect(told.statements.find((st) => st.statementId === 's-water')).toMatchObject({ status: 'kept' });
    // The checker's NLI saw statements and reply sentences only: the same pairs (from the cache), no story text.
    expect(told.pairScores).toEqual(plain.pairScores);
    for (const b of runtime.log.nliBatches.slice(batches)) {
      for (const t of [...b.premises, ...b.hypotheses]) expect(story).not.toContain(t);
    }
    expect(told.sentences.map((x) => x.text)).toEqual(plain.sentences.map((x) => x.text));
    // A contradiction is flagged in the reply as before; the story never is.
    const flagged = checked(await checkReply(client, { statements, userTurn, story, replyText: REPLY }));
    expect(flagged.flaggedSentences).toEqual([{ sentenceIndex: 1, statementIds: ['s-water'] }]);
    // The verdict's fingerprint is the turn's: a summary redone later does not make it stale.
    expect(told.fingerprint).toEqual(plain.fingerprint);
  });

  it('a re-check of the same reply is answered from the cache', async () => {
    const { client, runtime } = await setup();
    checked(await checkReply(client, { statements, userTurn: 'Hi', replyText: REPLY }));
    const sent = runtime.nliPairs;
    const again = checked(await checkReply(client, { statements, userTurn: 'Hi', replyText: REPLY }));
    expect(runtime.nliPairs).toBe(sent);
    expect(again.stats).toEqual({ pairs: 9, pairsCached: 9, skippedPairs: 0 });
    expect(again.flaggedSentences).toEqual([{ sentenceIndex: 1, statementIds: ['s-water'] }]);
    // An edited statement is scored again, the others are not.
    const edited = { ...caring, version: 2, text: 'Maren is caring and kind.' };
    const third = checked(await checkReply(client, { statements: [water, eyes, edited], userTurn: 'Hi', replyText: REPLY }));
    expect(runtime.nliPairs).toBe(sent + 3);
    expect(third.stats.pairsCached).toBe(6);
  });

  it('leaves disabled statements out', async () => {
    const { client } = await setup();
    const result = checked(
      await checkReply(client, { statements: [{ ...water, enabled: false }, eyes], userTurn: '', replyText: REPLY }),
    );
    expect(result.statementCount).toBe(1);
    expect(result.flaggedSentences).toEqual([]);
    expect(result.fingerprint.statements).toEqual([{ statementId: 's-eyes', statementVersion: 3 }]);
  });

  it('prunes above FULL_MAX_STATEMENTS and still finds a contradiction of a similar statement', async () => {
    const { client, runtime } = await setup();
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const many = Array.from({ length: FULL_MAX_STATEMENTS + 20 }, (_, i) => ({
      id: `s${i}`,
      version: 1,
      text: `Maren keeps a zz${letters[i % 26]}${letters[Math.floor(i / 26)]}q in her room.`,
      enabled: true,
    }));
    many[45] = { ...water, id: 's45' };
    const live = startLiveCheck({ client, statements: many, userTurn: 'Tell me about your sword.' });
    const seen: SentenceCheck[] = [];
    live.onSentence((s) => seen.push(s));
    for (const d of chunks(REPLY, 7)) live.feed(d);
    const result = checked(await live.end());
    expect(result.strategy).toBe('pruned');
    const perSentence = PRUNE_TOP_K_BY_RELEVANCE + PRUNE_MAX_BY_SIMILARITY_PER_SENTENCE + PRUNE_PROBES_PER_SENTENCE;
    for (const s of seen) expect(s.scores.length).toBeLessThanOrEqual(perSentence);
    expect(runtime.nliPairs).toBeLessThanOrEqual(3 * perSentence);
    expect(result.stats.skippedPairs).toBe(many.length * 3 - result.stats.pairs);
    expect(result.stats.skippedPairs).toBeGreaterThan(0);
    expect(result.prunedStatementIds.length).toBeGreaterThan(0);
    expect(result.flaggedSentences).toEqual([{ sentenceIndex: 1, statementIds: ['s45'] }]);
    expect(seen[1]!.scores.find((s) => s.statementId === 's45')).toBeDefined();
    // Skipped pairs are estimated from the probes; the estimate never flags.
    expect(result.pairScores.filter((p) => p.probe)).toHaveLength(PRUNE_PROBES_PER_SENTENCE * 3);
    expect(result.background).not.toBeNull();
    expect(await live.exact()).toBeNull();
  });

  it('prunes the last sentence above TAIL_FULL_MAX_STATEMENTS, then makes the verdict exact', async () => {
    const { client, runtime } = await setup();
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const many = Array.from({ length: TAIL_FULL_MAX_STATEMENTS + 8 }, (_, i) => ({
      id: `s${i}`,
      version: 1,
      text: `Maren keeps a zz${letters[i % 26]}q in her room.`,
      enabled: true,
    }));
    many[13] = { ...water, id: 's13' };
    // The contradiction is in the last sentence: the one the writer waits for.
    const reply = 'Hello there, traveller. My amber eyes glow in the dark. I have never feared the deep water, not once!';
    const live = startLiveCheck({ client, statements: many, userTurn: 'Tell me about your sword.' });
    const seen: SentenceCheck[] = [];
    live.onSentence((s) => seen.push(s));
    // Streamed slower than the checker: each sentence is scored before the next completes.
    const cut1 = reply.indexOf('My amber');
    const cut2 = reply.indexOf('I have never');
    live.feed(reply.slice(0, cut1));
    live.feed(reply.slice(cut1, cut1 + 3));
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    live.feed(reply.slice(cut1 + 3, cut2 + 3));
    await vi.waitFor(() => expect(seen).toHaveLength(2));
    live.feed(reply.slice(cut2 + 3));
    // Sentences checked while streaming, with no backlog, get every statement.
    expect(seen.map((s) => s.scores.length)).toEqual([many.length, many.length]);
    const fast = checked(await live.end());
    expect(seen).toHaveLength(3);
    const tailPairs = seen[2]!.scores.length;
    expect(tailPairs).toBeLessThanOrEqual(PRUNE_TOP_K_BY_RELEVANCE + PRUNE_MAX_BY_SIMILARITY_PER_SENTENCE + PRUNE_PROBES_PER_SENTENCE);
    expect(tailPairs).toBeLessThan(many.length);
    expect(fast).toMatchObject({ strategy: 'pruned', verdict: 'contradicts' });
    expect(fast.flaggedSentences).toEqual([{ sentenceIndex: 2, statementIds: ['s13'] }]);
    expect(fast.stats.pairs).toBe(2 * many.length + tailPairs);

    const exact = (await live.exact())!;
    expect(exact).not.toBeNull();
    expect(exact).toMatchObject({ strategy: 'full', prunedCount: 0, prunedStatementIds: [], background: null, verdict: 'contradicts' });
    expect(exact.pairScores).toHaveLength(3 * many.length);
    expect(exact.pairScores.some((p) => p.probe)).toBe(false);
    expect(exact.flaggedSentences).toEqual([{ sentenceIndex: 2, statementIds: ['s13'] }]);
    expect(exact.timings.verdictMs).toBeGreaterThanOrEqual(fast.timings.verdictMs);
    expect(runtime.nliPairs).toBe(3 * many.length);
    // Same number as checking the stored reply at once (checkReply scores the tail in full).
    const again = checked(await checkReply(client, { statements: many, userTurn: 'Tell me about your sword.', replyText: reply }));
    expect(again.strategy).toBe('full');
    expect(again.apcPercent).toBeCloseTo(exact.apcPercent, 9);
  });

  it('plans a sentence fast when the one before is still being scored (a backlog), and completes it after', async () => {
    const { client, runtime } = await setup();
    const many = Array.from({ length: TAIL_FULL_MAX_STATEMENTS + 4 }, (_, i) => ({ id: `s${i}`, version: 1, text: `Maren owns ${i + 2} boats.`, enabled: true }));
    many[3] = { ...water, id: 's3' };
    const live = startLiveCheck({ client, statements: many, userTurn: 'Hi' });
    const seen: SentenceCheck[] = [];
    live.onSentence((s) => seen.push(s));
    // All at once: sentence 1 completes while sentence 0 is in flight.
    live.feed(REPLY);
    const fast = checked(await live.end());
    const bySentence = [...seen].sort((a, b) => a.sentence.index - b.sentence.index).map((s) => s.scores.length);
    expect(bySentence[0]).toBe(many.length);
    expect(bySentence[1]).toBeLessThan(many.length);
    expect(bySentence[2]).toBeLessThan(many.length);
    // The contradicted statement is the most similar one: the fast plan keeps it.
    expect(fast.flaggedSentences).toEqual([{ sentenceIndex: 1, statementIds: ['s3'] }]);
    const exact = (await live.exact())!;
    expect(exact.strategy).toBe('full');
    expect(exact.pairScores).toHaveLength(3 * many.length);
    expect(runtime.nliPairs).toBe(3 * many.length);
  });

  it('keeps the tail exact up to TAIL_FULL_MAX_STATEMENTS', async () => {
    const { client } = await setup();
    const few = Array.from({ length: TAIL_FULL_MAX_STATEMENTS }, (_, i) => ({ id: `s${i}`, version: 1, text: `Maren owns ${i + 2} boats.`, enabled: true }));
    const live = startLiveCheck({ client, statements: few, userTurn: 'Hi' });
    live.feed(REPLY);
    const result = checked(await live.end());
    expect(result.strategy).toBe('full');
    expect(result.pairScores).toHaveLength(3 * few.length);
    expect(await live.exact()).toBeNull();
  });

  it('cancel() resolves end() as cancelled and emits nothing more', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { client } = await setup({ nliGate: () => gate });
    const live = startLiveCheck({ client, statements, userTurn: 'Hi' });
    const seen: SentenceCheck[] = [];
    live.onSentence((s) => seen.push(s));
    live.feed(REPLY);
    live.cancel();
    const outcome = await live.end();
    expect(outcome).toMatchObject({ status: 'skipped', reason: 'cancelled' });
    release();
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([]);
    expect(live.state).toBe('cancelled');
  });

  it('is a no-op that says so when the checker is not loaded', async () => {
    const client = new CheckerClient({ createWorker: () => {
      throw new Error('must not spawn');
    } });
    const live = startLiveCheck({ client, statements, userTurn: 'Hi' });
    live.feed(REPLY);
    expect(live.state).toBe('skipped');
    expect(await live.end()).toMatchObject({ status: 'skipped', reason: 'not-ready' });
  });

  it('a worker crash mid-reply ends in "failed", never an exception', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { client, workers } = await setup({ nliGate: () => gate });
    const live = startLiveCheck({ client, statements, userTurn: 'Hi' });
    live.feed('I have never feared the deep water. ');
    live.feed('Next');
    await new Promise((r) => setTimeout(r, 5));
    workers.crash();
    live.feed(' sentence here.');
    const outcome = await live.end();
    release();
    expect(outcome).toMatchObject({ status: 'skipped', reason: 'failed' });
    expect(outcome.status === 'skipped' && outcome.error).toBeInstanceOf(WorkerCrashedError);
  });

  it('end(finalText) extends the fed text, or re-checks a different final text', async () => {
    const { client } = await setup();
    const live = startLiveCheck({ client, statements, userTurn: 'Hi' });
    live.feed(REPLY.slice(0, 30));
    const result = checked(await live.end(REPLY));
    expect(result.replyText).toBe(REPLY);
    expect(result.sentences).toHaveLength(3);

    const other = startLiveCheck({ client, statements, userTurn: 'Hi' });
    other.feed('Something else entirely. ');
    const redone = checked(await other.end(CONSISTENT));
    expect(redone.replyText).toBe(CONSISTENT);
    expect(redone.flaggedSentences).toEqual([]);
  });

  it('bad options end in "failed" instead of throwing at the chat', async () => {
    const { client } = await setup();
    const live = startLiveCheck({ client, statements, userTurn: '', strategyOptions: { fullMaxStatements: -1 } });
    live.feed(REPLY);
    expect(await live.end()).toMatchObject({ status: 'skipped', reason: 'failed' });
  });

  it('threshold moves the flag line', async () => {
    const { client } = await setup();
    const strict = checked(await checkReply(client, { statements, userTurn: 'Hi', replyText: REPLY, threshold: 0.999 }));
    expect(strict.flaggedSentences).toEqual([]);
  });
});

describe('role flags (issue 11)', () => {
  const ROLE_REPLY =
    '*Maren laughs.* You want to know if I fear the deep water at night? As an AI language model, I have no fears. *You nod and say nothing.*';
  // The stub embeds a bag of words, like the tiny-embed fixture: its calibration.
  const roles = { userName: 'Alex', voiceLines: ['Another storm, Alex.', 'The water took my father.'], calibration: roleCalibrationFor('tiny-embed') };

  it('the live check puts each kind on its own sentence, and toVerdict keeps them', async () => {
    const { client } = await setup();
    const live = startLiveCheck({ client, statements, userTurn: 'Do you want to know if I fear the deep water at night?', roles });
    for (const d of chunks(ROLE_REPLY, 7)) live.feed(d);
    const outcome = checked(await live.end(ROLE_REPLY));
    expect(outcome.roleFlags?.map((f) => `${f.sentenceIndex}:${f.kind}`)).toEqual(['1:echo', '2:assistant-voice', '3:speaks-for-user']);
    const { toVerdict, migrateVerdict } = await import('../domain/consistency');
    const stored = migrateVerdict(JSON.parse(JSON.stringify(toVerdict(outcome))));
    expect(stored?.roleFlags).toEqual(outcome.roleFlags);
  });

  it('an ordinary reply gets an empty list; without `roles` there is none at all', async () => {
    const { client } = await setup();
    const withRoles = checked(await checkReply(client, { statements, userTurn: 'Do you swim?', replyText: CONSISTENT, roles }));
    expect(withRoles.roleFlags).toEqual([]);
    const without = checked(await checkReply(client, { statements, userTurn: 'Do you swim?', replyText: CONSISTENT }));
    expect(without.roleFlags).toBeUndefined();
  });

  it('streams each sentence\'s role flags after its scores, before the reply ends; the verdict agrees', async () => {
    const { client } = await setup();
    const live = startLiveCheck({ client, statements, userTurn: 'Do you want to know if I fear the deep water at night?', roles });
    const events: string[] = [];
    const byIndex = new Map<number, SentenceRoleFlags>();
    let twoLanded!: () => void;
    const landed = new Promise<void>((r) => (twoLanded = r));
    live.onSentence((s) => events.push(`scores ${s.sentence.index}`));
    live.onRoleFlags((r) => {
      events.push(`roles ${r.sentence.index}`);
      byIndex.set(r.sentence.index, r);
      if (r.sentence.index === 2) twoLanded();
    });
    // Everything but the last sentence: sentences 0–2 complete while streaming.
    for (const d of chunks(ROLE_REPLY, 7)) live.feed(d);
    await landed;
    expect(live.state).toBe('running');
    expect(byIndex.get(1)?.flags.map((f) => f.kind)).toEqual(['echo']);
    expect(byIndex.get(2)?.flags.map((f) => f.kind)).toEqual(['assistant-voice']);
    expect(byIndex.get(0)?.flags).toEqual([]);
    for (const i of [0, 1, 2]) expect(events.indexOf(`scores ${i}`)).toBeLessThan(events.indexOf(`roles ${i}`));

    const outcome = checked(await live.end(ROLE_REPLY));
    await vi.waitFor(() => expect(byIndex.has(3)).toBe(true));
    expect(byIndex.get(3)?.flags.map((f) => f.kind)).toEqual(['speaks-for-user']);
    const streamed = [...byIndex.values()].flatMap((r) => r.flags.map((f) => `${f.sentenceIndex}:${f.kind}`)).sort();
    expect(streamed).toEqual(outcome.roleFlags?.map((f) => `${f.sentenceIndex}:${f.kind}`).sort());
  });

  it('sends no live role flags without `roles`, and none for sentences of a cancelled check', async () => {
    const { client } = await setup();
    const plain = startLiveCheck({ client, statements, userTurn: 'Do you swim?' });
    const none: SentenceRoleFlags[] = [];
    plain.onRoleFlags((r) => none.push(r));
    plain.feed(ROLE_REPLY);
    checked(await plain.end());
    expect(none).toEqual([]);

    const cancelled = startLiveCheck({ client, statements, userTurn: 'Do you swim?', roles });
    const late: SentenceRoleFlags[] = [];
    cancelled.onRoleFlags((r) => late.push(r));
    cancelled.feed(ROLE_REPLY);
    cancelled.cancel();
    expect(await cancelled.end()).toMatchObject({ status: 'skipped', reason: 'cancelled' });
    // Anything already in the worker finishes; nothing from this check is sent afterwards.
    await checked(await checkReply(client, { statements, userTurn: 'Do you swim?', replyText: CONSISTENT }));
    expect(late).toEqual([]);
  });

  it('the role embeddings are asked of the worker (exemplars, voice, user turn and each sentence)', async () => {
    const { client } = await setup();
    client.resetStats();
    checked(await checkReply(client, { statements, userTurn: 'Do you swim?', replyText: CONSISTENT, roles }));
    const sent = client.stats.embedTextsSent;
    expect(sent).toBeGreaterThanOrEqual(24 + 2 + 1 + 3);
    // A second reply reuses the cached references: only its new sentences go out.
    client.resetStats();
    checked(await checkReply(client, { statements, userTurn: 'Do you swim?', replyText: 'Brand new words here. And more of them.', roles }));
    expect(client.stats.embedTextsSent).toBe(2);
  });
});
