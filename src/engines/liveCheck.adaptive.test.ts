/**
 * The live plan adapting to the throughput it measures (liveCheck.ts, "Adapting
 * to the machine"), on a stub checker with a fake clock: every NLI call costs
 * `msPerPair` of fake time per uncached pair, one call at a time, so a test
 * decides how fast the machine is — and when it slows down — and the timings
 * are exact. The stub's answers are made up (a planted contradiction, small
 * background values elsewhere): it checks planning, not meaning.
 */
import { describe, expect, it } from 'vitest';
import {
  FAST_PLAN_OPTIONS,
  LIVE_MIN_PAIRS_PER_SENTENCE,
  LIVE_MIN_PRUNED_PAIRS_PER_SENTENCE,
  LIVE_TAIL_SECONDS,
  cosine,
  maxPlanPairs,
} from '../domain/consistency';
// @ts-expect-error -- plain JS data module of the benchmark (no types)
import { REPLIES as BENCH_REPLIES, statements as benchStatements } from '../../scripts/bench/checker-data.mjs';
import type { PairRequest, ScoredPair, StatementRef } from './CheckerClient';
import { checkReply, startLiveCheck, type CheckedReply, type LiveCheckClient, type LiveCheckOutcome, type SentenceCheck } from './liveCheck';

const STOP = new Set(['i', 'a', 'the', 'of', 'to', 'is', 'and', 'we', 'my', 'me', 'her', 'she', 'has', 'maren', 'owns', 'not', 'even', 'been', 'have', 'over']);
const words = (t: string) => (t.toLowerCase().match(/[a-z]+/g) ?? []).filter((w) => !STOP.has(w));

function hashed(text: string): Float32Array {
  const v = new Float32Array(64).fill(0.01);
  for (const w of words(text)) {
    let h = 2166136261;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619);
    v[(h >>> 0) % 64]! += 1;
  }
  return v;
}

/** Deterministic background answer of a pair (a few percent, like a real NLI model on unrelated text). */
function background(statementId: string, sentence: string): { contradiction: number; entailment: number } {
  let h = 7;
  for (const c of `${statementId}|${sentence}`) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return { contradiction: 0.01 + (h % 40) / 1000, entailment: 0.02 + ((h >>> 8) % 60) / 1000 };
}

/** A checker client on a fake clock: one NLI call at a time, `msPerPair` per uncached pair. */
class FakeChecker implements LiveCheckClient {
  readonly isReady = true;
  modelId = 'fake-nli+fake-embed';
  /** The fake clock (ms). */
  t = 0;
  msPerPair: number;
  /** Every NLI call: when it was made (`sentAt`), when the stub ran it (`start`–`end`). */
  readonly calls: { sentences: string[]; pairs: number; uncached: number; sentAt: number; start: number; end: number }[] = [];
  private busyUntil = 0;
  private readonly timers: { at: number; fire: () => void }[] = [];
  private readonly cache = new Map<string, ScoredPair>();

  constructor(
    msPerPair: number,
    private readonly contradictions: ReadonlyMap<string, string>,
    /** Fake-time cost of every NLI call, and of an embedding call of a few texts (0: free). */
    private readonly costs: { msPerCall: number; msPerEmbed: number } = { msPerCall: 0, msPerEmbed: 0 },
  ) {
    this.msPerPair = msPerPair;
  }

  readonly now = () => this.t;

  /** Runs after what is queued (one model call at a time, like the worker); resolves at the fake time it ends. */
  private queue<T>(ms: number, value: T): Promise<T> {
    if (ms === 0) return Promise.resolve(value);
    const start = Math.max(this.t, this.busyUntil);
    this.busyUntil = start + ms;
    return new Promise((resolve) => this.timers.push({ at: start + ms, fire: () => resolve(value) }));
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    // Statements are embedded when the chat opens (prepare): only sentences cost time here.
    return this.queue(texts.length <= 2 ? this.costs.msPerEmbed : 0, texts.map(hashed));
  }

  async relevance(userTurn: string, statements: readonly StatementRef[]): Promise<Map<string, number>> {
    const turn = hashed(userTurn);
    return new Map(statements.map((s) => [s.id, cosine(turn, hashed(s.text)) > 0.5 ? 0.9 : 0.02]));
  }

  scorePairs(pairs: readonly PairRequest[]): Promise<ScoredPair[]> {
    const key = (p: PairRequest) => `${p.statement.id}\u0000${p.sentence}`;
    const uncached = new Set(pairs.map(key).filter((k) => !this.cache.has(k))).size;
    const start = Math.max(this.t, this.busyUntil);
    const end = start + (uncached > 0 ? this.costs.msPerCall : 0) + uncached * this.msPerPair;
    this.busyUntil = end;
    this.calls.push({ sentences: [...new Set(pairs.map((p) => p.sentence))], pairs: pairs.length, uncached, sentAt: this.t, start, end });
    const answers = pairs.map((p) => {
      const hit = this.cache.get(key(p));
      if (hit) return { ...hit, cached: true };
      const planted = this.contradictions.get(p.statement.id);
      const { contradiction, entailment } =
        planted !== undefined && p.sentence.includes(planted) ? { contradiction: 0.97, entailment: 0.01 } : background(p.statement.id, p.sentence);
      const scored = { contradiction, entailment, neutral: 1 - contradiction - entailment, cached: false };
      this.cache.set(key(p), scored);
      return scored;
    });
    return new Promise((resolve) => this.timers.push({ at: end, fire: () => resolve(answers) }));
  }

  /** Forgets every answer (the benchmark clears the client's caches between runs). */
  clearCache(): void {
    this.cache.clear();
  }

  /** Moves the clock forward by `ms`, finishing the calls due on the way (in order). */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await new Promise((r) => setTimeout(r, 0));
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fire();
    }
    this.t = target;
    await new Promise((r) => setTimeout(r, 0));
  }

  /** Advances the clock until `promise` settles. */
  async settle<T>(promise: Promise<T>): Promise<T> {
    let done = false;
    void promise.finally(() => (done = true)).catch(() => undefined);
    for (let i = 0; i < 10_000 && !done; i++) {
      // Straight to the next call's end; a little time when only promises are pending.
      const next = Math.min(...this.timers.map((x) => x.at));
      await this.advance(Number.isFinite(next) ? Math.max(0, next - this.t) : 1);
    }
    expect(done).toBe(true);
    return promise;
  }
}

/** `n` statements; the one at `waterAt` is the one the reply contradicts. */
function persona(n: number, waterAt: number): (StatementRef & { enabled: boolean })[] {
  return Array.from({ length: n }, (_, i) =>
    i === waterAt
      ? { id: `s${i}`, version: 1, text: 'Maren is afraid of deep water.', enabled: true }
      : { id: `s${i}`, version: 1, text: `Maren owns ${i + 2} boats named ${['Gull', 'Tern', 'Auk', 'Skua'][i % 4]} ${i}.`, enabled: true },
  );
}

// Six sentences; the 4th and 5th are short, so at ~60 characters a second they
// complete while a call is still running: a backlog.
const REPLY = [
  'Hello there, traveller, and welcome to the old harbour town. ',
  'My father taught me to sail before I could walk properly. ',
  'The nets are mended and the boats are ready for the morning. ',
  'Truly. ',
  'Ask anyone. ',
  'I have never been afraid of the deep water, not even once.',
].join('');
const PLANTED = 'never been afraid of the deep water';
const CHARS_PER_SECOND = 60;

/** Streams REPLY at CHARS_PER_SECOND in 4-character pieces on the fake clock, then ends. */
async function stream(fake: FakeChecker, statements: ReturnType<typeof persona>, onChunk?: (i: number) => void) {
  const live = startLiveCheck({ client: fake, statements, userTurn: 'Are you afraid of the water?', now: fake.now });
  const seen: SentenceCheck[] = [];
  /** Fake time each sentence's scores arrived, by sentence index. */
  const arrivedAt = new Map<number, number>();
  live.onSentence((s) => {
    seen.push(s);
    arrivedAt.set(s.sentence.index, fake.t);
  });
  for (let i = 0; i < REPLY.length; i += 4) {
    await fake.advance((4 * 1000) / CHARS_PER_SECOND);
    onChunk?.(i);
    live.feed(REPLY.slice(i, i + 4));
  }
  const endedAt = fake.t;
  const first = checked(await fake.settle(live.end()));
  return { live, seen, first, endedAt, arrivedAt };
}

function checked(outcome: LiveCheckOutcome | null): CheckedReply {
  if (!outcome || outcome.status !== 'checked') throw new Error(`not checked: ${JSON.stringify(outcome)}`);
  return outcome;
}

const sorted = (v: CheckedReply) =>
  [...v.pairScores].sort((a, b) => a.sentenceIndex - b.sentenceIndex || a.statementId.localeCompare(b.statementId, 'en', { numeric: true }));

describe('live plan adapting to the measured throughput', () => {
  it('shrinks the plan when throughput halves mid-reply, merges the backlog, and exact() equals the full check', async () => {
    const statements = persona(30, 7);
    const fake = new FakeChecker(20, new Map([['s7', PLANTED]]));
    // 50 pairs/s until the second sentence's call, then 25.
    const { live, seen, first, endedAt, arrivedAt } = await stream(fake, statements, () => {
      if (fake.calls.length >= 2) fake.msPerPair = 40;
    });
    const bySentence = [...seen].sort((a, b) => a.sentence.index - b.sentence.index);
    expect(bySentence.map((s) => s.sentence.index)).toEqual([0, 1, 2, 3, 4, 5]);
    // Nothing measured yet: the first sentence is checked in full.
    expect(bySentence[0]!.scores).toHaveLength(30);
    expect(fake.calls[0]).toMatchObject({ pairs: 30, sentences: [bySentence[0]!.sentence.text] });
    // After the slowdown the plans shrink, never below the floor.
    const later = bySentence.slice(3).map((s) => s.scores.length);
    for (const n of later) {
      expect(n).toBeLessThan(30);
      expect(n).toBeGreaterThanOrEqual(LIVE_MIN_PAIRS_PER_SENTENCE);
    }
    // The two short sentences queued behind a running call and went out as one
    // plan: planned at the same moment, sent back to back, one call each.
    const callOf = (text: string) => fake.calls.find((c) => c.sentences.length === 1 && c.sentences[0] === text)!;
    expect(callOf('Truly.').sentAt).toBe(callOf('Ask anyone.').sentAt);
    expect(callOf('Ask anyone.').start).toBe(callOf('Truly.').end);
    // Each shows as soon as its own pairs are scored.
    expect(arrivedAt.get(3)).toBe(callOf('Truly.').end);
    expect(arrivedAt.get(4)).toBe(callOf('Ask anyone.').end);
    // Queued sentences are planned fast (FAST_PLAN_OPTIONS at most), like the last one.
    expect(Math.max(bySentence[3]!.scores.length, bySentence[4]!.scores.length)).toBeLessThanOrEqual(maxPlanPairs(FAST_PLAN_OPTIONS));
    // The last sentence fits the tail budget: what 25 pairs/s scores in LIVE_TAIL_SECONDS, at least the floor.
    expect(bySentence[5]!.scores.length).toBeLessThanOrEqual(Math.max(LIVE_MIN_PAIRS_PER_SENTENCE, Math.floor(40 * LIVE_TAIL_SECONDS)));
    // The verdict arrives, flags the contradiction in the last sentence, and the writer waited little.
    expect(first).toMatchObject({ strategy: 'pruned', verdict: 'contradicts' });
    expect(first.flaggedSentences).toEqual([{ sentenceIndex: 5, statementIds: ['s7'] }]);
    expect(first.timings.verdictMs).toBeLessThan(1000);
    const lastCall = fake.calls.find((c) => c.sentences.includes(bySentence[5]!.sentence.text))!;
    expect(first.timings.verdictMs).toBe(lastCall.end - endedAt);

    // exact() fills in every skipped pair: the same verdict as checking the reply in full at once.
    const exact = checked(await fake.settle(live.exact()));
    expect(exact).toMatchObject({ strategy: 'full', prunedCount: 0, background: null });
    expect(exact.pairScores).toHaveLength(6 * 30);
    const full = checked(await fake.settle(checkReply(fake, { statements, userTurn: 'Are you afraid of the water?', replyText: REPLY })));
    expect(full.strategy).toBe('full');
    expect(exact.apcPercent).toBeCloseTo(full.apcPercent, 12);
    expect(exact.statements).toEqual(full.statements);
    expect(exact.flaggedSentences).toEqual(full.flaggedSentences);
    expect(sorted(exact)).toEqual(sorted(full));
  });

  it('without adapting, the same slowdown leaves a backlog the writer waits for', async () => {
    // Same reply and machine, adaptation off (tailFullMaxStatements above the count): every pair, in arrival order.
    const statements = persona(30, 7);
    const fake = new FakeChecker(20, new Map([['s7', PLANTED]]));
    const live = startLiveCheck({
      client: fake,
      statements,
      userTurn: 'Are you afraid of the water?',
      now: fake.now,
      strategyOptions: { tailFullMaxStatements: 100 },
    });
    for (let i = 0; i < REPLY.length; i += 4) {
      await fake.advance((4 * 1000) / CHARS_PER_SECOND);
      if (fake.calls.length >= 2) fake.msPerPair = 40;
      live.feed(REPLY.slice(i, i + 4));
    }
    const first = checked(await fake.settle(live.end()));
    // 4 sentences × 30 pairs at 25 pairs/s behind the reply: seconds, not a fraction of one.
    expect(first.timings.verdictMs).toBeGreaterThan(3000);
  });

  it('under the pruned strategy, shrinks plans to the budget and exact() gives the default pruned verdict', async () => {
    const statements = persona(60, 41);
    const fake = new FakeChecker(20, new Map([['s41', PLANTED]]));
    const { live, seen, first } = await stream(fake, statements, () => {
      if (fake.calls.length >= 2) fake.msPerPair = 60;
    });
    const sizes = [...seen].sort((a, b) => a.sentence.index - b.sentence.index).map((s) => s.scores.length);
    // Default pruned plans are 14–22 pairs; shrunk ones keep the pruned floor.
    expect(Math.min(...sizes.slice(3))).toBeGreaterThanOrEqual(LIVE_MIN_PRUNED_PAIRS_PER_SENTENCE);
    expect(sizes[5]).toBe(LIVE_MIN_PRUNED_PAIRS_PER_SENTENCE);
    expect(first.flaggedSentences).toEqual([{ sentenceIndex: 5, statementIds: ['s41'] }]);
    const exact = checked(await fake.settle(live.exact()));
    const stored = checked(await fake.settle(checkReply(fake, { statements, userTurn: 'Are you afraid of the water?', replyText: REPLY })));
    expect(stored.strategy).toBe('pruned');
    expect(exact.strategy).toBe('pruned');
    expect(sorted(exact)).toEqual(sorted(stored));
    expect(exact.apcPercent).toBeCloseTo(stored.apcPercent, 12);
    expect(exact.prunedStatementIds).toEqual(stored.prunedStatementIds);
    expect(exact.statements).toEqual(stored.statements);
    // The first verdict estimated more pairs, but not by much on these answers.
    expect(Math.abs(first.apcPercent - exact.apcPercent)).toBeLessThan(2);
  });

  it('on a fast machine keeps the default plans: pruned verdicts need no exact pass', async () => {
    const statements = persona(60, 41);
    const fake = new FakeChecker(2, new Map([['s41', PLANTED]]));
    const { live, seen } = await stream(fake, statements);
    for (const s of seen) expect(s.scores.length).toBeGreaterThanOrEqual(14);
    expect(fake.calls.every((c) => c.sentences.length === 1)).toBe(true);
    expect(await fake.settle(live.exact())).toBeNull();
  });

  it('starts a reply from the throughput the one before measured', async () => {
    const statements = persona(30, 7);
    const fake = new FakeChecker(50, new Map([['s7', PLANTED]]));
    await stream(fake, statements);
    // 20 pairs/s measured: the next reply's first sentence gets what fits in a sentence's time, not all 30.
    const callsBefore = fake.calls.length;
    const next = startLiveCheck({ client: fake, statements, userTurn: 'Hi', now: fake.now });
    next.feed('Something else entirely, said slowly and at length. ');
    await fake.advance(1000);
    next.feed('More.');
    await fake.settle(next.end());
    const firstCall = fake.calls[callsBefore]!;
    expect(firstCall.pairs).toBeLessThan(30);
    expect(firstCall.pairs).toBeGreaterThanOrEqual(LIVE_MIN_PAIRS_PER_SENTENCE);

    // Another model has not been measured: its first call is not shrunk.
    fake.modelId = 'other-nli+fake-embed';
    const callsBeforeOther = fake.calls.length;
    const other = startLiveCheck({ client: fake, statements, userTurn: 'Hi', now: fake.now });
    other.feed('A third reply that nobody has measured yet, said slowly. ');
    await fake.advance(1000);
    other.feed('End.');
    await fake.settle(other.end());
    expect(fake.calls[callsBeforeOther]!.pairs).toBe(30);
  });

  it('below the adaptive range sends every sentence at once, and each lands when its own pairs are done', async () => {
    const statements = persona(5, 1);
    const fake = new FakeChecker(10, new Map());
    const live = startLiveCheck({ client: fake, statements, userTurn: 'Hi', now: fake.now });
    live.feed('One sentence here. Two sentences here. Three sentences here. Four');
    const outcome = checked(await fake.settle(live.end()));
    expect(fake.calls.map((c) => [c.sentAt, c.pairs])).toEqual([[0, 5], [0, 5], [0, 5], [0, 5]]);
    expect(outcome.timings.sentenceLatencyMs).toEqual([50, 100, 150, 200]);
  });

  it('on a modelled machine, meets the latency targets at 17 pairs/s where fixed plans did not', async () => {
    // A MODEL of the busy machine of issue 9, not a measurement (that is
    // `npm run bench:checker`, BENCHMARKS.md): 17 pairs/s, 30 ms per call,
    // 25 ms per sentence embedding, the bench's replies at 18 tokens/s (72
    // characters/s). Replayed with the old fixed plans the same model gave
    // 1.6–2.0 s (30 statements) and 1.7–2.5 s (200) after the reply.
    for (const [n, target] of [[30, 800], [200, 2000]] as const) {
      const fake = new FakeChecker(1000 / 17, new Map(), { msPerCall: 30, msPerEmbed: 25 });
      const verdicts: number[] = [];
      for (const round of [0, 1]) {
        for (const reply of BENCH_REPLIES as { userTurn: string; text: string }[]) {
          fake.clearCache();
          const live = startLiveCheck({ client: fake, statements: benchStatements(n), userTurn: reply.userTurn, now: fake.now });
          for (let i = 0; i < reply.text.length; i += 8) {
            await fake.advance(1000 / 9);
            live.feed(reply.text.slice(i, i + 8));
          }
          const first = checked(await fake.settle(live.end()));
          // The first round is the chat's first replies (nothing measured before the first call).
          if (round === 1) verdicts.push(first.timings.verdictMs);
          await fake.settle(live.exact());
        }
      }
      verdicts.sort((a, b) => a - b);
      expect(verdicts[verdicts.length >> 1]).toBeLessThanOrEqual(target);
      expect(verdicts.at(-1)).toBeLessThanOrEqual(target * 1.5);
    }
  }, 60_000);

  it('measures throughput from overlapping calls too, for the next reply that adapts', async () => {
    const fake = new FakeChecker(100, new Map());
    // 10 statements do not adapt: four sentences sent at once, queued in the worker.
    const small = startLiveCheck({ client: fake, statements: persona(10, 1), userTurn: 'Hi', now: fake.now });
    small.feed('One sentence here. Two sentences here. Three sentences here. Four');
    await fake.settle(small.end());
    expect(new Set(fake.calls.map((c) => c.sentAt)).size).toBe(1);
    // 10 pairs/s measured: a 30-statement reply's first sentence gets what fits in 0.8 s (8 pairs).
    const before = fake.calls.length;
    const next = startLiveCheck({ client: fake, statements: persona(30, 7), userTurn: 'Hi', now: fake.now });
    next.feed('A sentence of the next reply. And');
    await fake.settle(next.end());
    expect(fake.calls[before]!.pairs).toBe(8);
  });

  it('measures latencies on the given clock', async () => {
    const statements = persona(5, 1);
    const fake = new FakeChecker(10, new Map());
    const live = startLiveCheck({ client: fake, statements, userTurn: 'Hi', now: fake.now });
    live.feed('One sentence here. Two');
    const outcome = checked(await fake.settle(live.end()));
    // Not adaptive (≤ 16 statements): both sentences in full, one call after the other, 50 ms each.
    expect(outcome.timings.sentenceLatencyMs).toEqual([50, 100]);
    expect(outcome.timings.verdictMs).toBe(100);
  });
});
