/**
 * Page of `npm run bench:checker`. Exposes `window.bench` for
 * scripts/bench/checker.mjs; every measurement runs here, in the page
 * (cross-origin isolated by the bench server's COOP/COEP headers):
 *
 * - studio*: the studio's own checker — `CheckerClient` (its real bundled
 *   worker, checker.worker.ts) and `startLiveCheck` / `checkReply` from
 *   liveCheck.ts, exactly as the chat UI calls them;
 * - raw*: transformers.js alone in a plain worker (raw-worker.js).
 */
import { CheckerClient } from '/src/engines/CheckerClient.ts';
import * as studioLive from '/src/engines/liveCheck.ts';
import { segmentSentences, stripRoleplayMarkup } from '/src/domain/consistency/index.ts';
import { REPLIES, statements } from '../checker-data.mjs';

const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line) => {
  document.getElementById('out').textContent += `${line}\n`;
};

/** The NLI text of each reply sentence, exactly as liveCheck sends it. */
function replySentences(i) {
  return segmentSentences(REPLIES[i].text).map((s) => stripRoleplayMarkup(s.text));
}

/** statements(n) × sentences of reply i, as [premise, hypothesis], sentence by sentence (the live order). */
function pairsFor(n, replyIndex) {
  const st = statements(n);
  return replySentences(replyIndex).flatMap((h) => st.map((s) => [s.text, h]));
}

// ---------------------------------------------------------------------------
// Raw library

let raw = null;
let rawSeq = 0;
function rawCall(type, payload) {
  const id = ++rawSeq;
  return new Promise((resolve, reject) => {
    const onMessage = ({ data }) => {
      if (data.id !== id) return;
      raw.removeEventListener('message', onMessage);
      if (data.error) reject(new Error(data.error));
      else resolve(data.result);
    };
    raw.addEventListener('message', onMessage);
    raw.postMessage({ id, type, payload });
  });
}

// ---------------------------------------------------------------------------
// Studio

let client = null;
/** The live checker measured: the studio's, or another build of it (`--live-module`, for before/after runs). */
let live = studioLive;

async function studioScoreUnique(pairs, perSentence) {
  // Cold pair cache every pass: pairs/s of model work, not of cache hits.
  client.clearCaches();
  if (!perSentence) {
    await client.scorePairs(pairs);
    return;
  }
  // The live shape: one call per sentence (all statements of that sentence).
  const bySentence = new Map();
  for (const p of pairs) {
    if (!bySentence.has(p.sentence)) bySentence.set(p.sentence, []);
    bySentence.get(p.sentence).push(p);
  }
  for (const group of bySentence.values()) await client.scorePairs(group);
}

window.bench = {
  info: () => ({
    crossOriginIsolated: self.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    userAgent: navigator.userAgent,
    replySentenceCounts: REPLIES.map((_, i) => replySentences(i).length),
  }),

  pairs: (n, replyIndex) => pairsFor(n, replyIndex),

  async rawLoad({ baseUrl, modelId, threads, wasmVariant }) {
    raw = new Worker(new URL('./raw-worker.js', import.meta.url), { type: 'module' });
    return rawCall('load', { baseUrl: new URL(baseUrl, location.href).href, modelId, numThreads: threads, wasmVariant });
  },
  rawRun: (payload) => rawCall('run', payload),
  async rawDispose() {
    if (!raw) return;
    await rawCall('dispose', null).catch(() => undefined);
    raw.terminate();
    raw = null;
  },

  async studioLoad({ baseUrl, nliId, embedId, threads, liveModule }) {
    live = liveModule ? await import(/* @vite-ignore */ liveModule) : studioLive;
    // No stall watchdog: on a loaded machine creating the 86 MB session can block
    // the worker for over a minute, which is slow, not hung.
    client = new CheckerClient({ stall: false });
    const t0 = now();
    const info = await client.load({
      nliModelId: nliId,
      embeddingModelId: embedId,
      source: { kind: 'self-hosted', baseUrl },
      maxThreads: threads,
    });
    log(`studio loaded ${threads} thread(s) in ${Math.round(now() - t0)} ms`);
    return { ...info, wallMs: now() - t0 };
  },

  /** Pre-warm: the pairs/s workload, repeated for `seconds` (Chromium tiers up wasm for seconds, NOTES.md). */
  async studioWarm({ seconds }) {
    const pairs = pairsFor(30, 0).map(([text, sentence], i) => ({
      statement: { id: `w${i}`, version: 1, text },
      sentence,
    }));
    const end = now() + seconds * 1000;
    let passes = 0;
    while (now() < end) {
      await studioScoreUnique(pairs, true);
      passes++;
    }
    // And the embedding model, as prepare() / relevance use it.
    await client.embed(statements(50).map((s) => `${s.text} (warm)`));
    return { passes };
  },

  /** Pairs/s through the client on unique (uncached) pairs. */
  async studioPairs({ n, replyIndex, seconds, perSentence }) {
    const st = statements(n);
    const sentences = replySentences(replyIndex);
    const pairs = sentences.flatMap((sentence) => st.map((statement) => ({ statement, sentence })));
    client.resetStats();
    let done = 0;
    const passMs = [];
    const t0 = now();
    do {
      const p0 = now();
      await studioScoreUnique(pairs, perSentence);
      passMs.push(now() - p0);
      done += pairs.length;
    } while (now() - t0 < seconds * 1000);
    const ms = now() - t0;
    return { pairsPerSecond: (done * 1000) / ms, pairs: done, ms, passMs, stats: client.stats };
  },

  /**
   * One live check as the chat runs it: statements embedded in advance
   * (client.prepare at chat open), startLiveCheck when generation starts
   * (relevance runs then), the reply fed in `chunkChars` pieces at
   * `charsPerSecond`, end() right after the last piece.
   */
  async studioLatency({ n, replyIndex, charsPerSecond, chunkChars, strategyOptions }) {
    const st = statements(n);
    const reply = REPLIES[replyIndex];
    client.clearCaches();
    await client.prepare(st);
    await sleep(100);
    client.resetStats();
    const check = live.startLiveCheck({ client, statements: st, userTurn: reply.userTurn, strategyOptions });
    const sentences = [];
    const t0 = now();
    check.onSentence((s) =>
      sentences.push({ index: s.sentence.index, latencyMs: s.latencyMs, pairs: s.scores.length, flagged: s.flagged, at: now() - t0 }),
    );
    const text = reply.text;
    for (let i = 0; i < text.length; i += chunkChars) {
      const due = t0 + (i * 1000) / charsPerSecond;
      const wait = due - now();
      if (wait > 0) await sleep(wait);
      check.feed(text.slice(i, i + chunkChars));
    }
    const streamMs = now() - t0;
    const out = await check.end();
    if (out.status !== 'checked') throw new Error(`live check ${out.status}: ${out.message}`);
    // A plan shrunk for time (the fast tail, a busy machine) is completed by exact().
    const exact = await check.exact();
    return {
      n,
      replyIndex,
      strategy: out.strategy,
      verdictMs: out.timings.verdictMs,
      exactMs: exact ? exact.timings.verdictMs : out.timings.verdictMs,
      exactStrategy: exact ? exact.strategy : out.strategy,
      exactApcPercent: exact ? exact.apcPercent : out.apcPercent,
      tailPairs: sentences.length ? sentences[sentences.length - 1].pairs : 0,
      totalMs: out.timings.totalMs,
      streamMs,
      sentenceLatencyMs: out.timings.sentenceLatencyMs,
      sentences,
      pairs: out.stats.pairs,
      skippedPairs: out.stats.skippedPairs,
      apcPercent: out.apcPercent,
      clientStats: client.stats,
    };
  },

  /** checkReply (whole reply at once) with the default strategy, or full APC forced. */
  async studioApc({ n, replyIndex, full }) {
    const st = statements(n);
    const reply = REPLIES[replyIndex];
    const t0 = now();
    const out = await live.checkReply(client, {
      statements: st,
      userTurn: reply.userTurn,
      replyText: reply.text,
      strategyOptions: full ? { fullMaxStatements: 100_000 } : undefined,
    });
    if (out.status !== 'checked') throw new Error(`check ${out.status}: ${out.message}`);
    return {
      n,
      replyIndex,
      strategy: out.strategy,
      apcPercent: out.apcPercent,
      contradictions: out.contradictions,
      contradicted: out.statements.filter((s) => s.status === 'contradicted').map((s) => s.statementId),
      flaggedSentences: out.flaggedSentences,
      pairs: out.stats.pairs,
      prunedCount: out.prunedCount,
      ms: now() - t0,
    };
  },

  /**
   * The live checker's tail: the reply fed at once (every sentence but the last
   * is checked in full), end() — last sentence pruned first above
   * TAIL_FULL_MAX_STATEMENTS — then exact(). APC of the first verdict vs the exact one.
   */
  async studioApcTail({ n, replyIndex }) {
    const st = statements(n);
    const reply = REPLIES[replyIndex];
    const check = live.startLiveCheck({ client, statements: st, userTurn: reply.userTurn });
    check.feed(reply.text);
    const fast = await check.end();
    if (fast.status !== 'checked') throw new Error(`check ${fast.status}: ${fast.message}`);
    const exact = (await check.exact()) ?? fast;
    const contradicted = (v) => v.statements.filter((s) => s.status === 'contradicted').map((s) => s.statementId);
    return {
      n,
      replyIndex,
      strategy: fast.strategy,
      fastApc: fast.apcPercent,
      exactApc: exact.apcPercent,
      fastPairs: fast.stats.pairs,
      exactPairs: exact.stats.pairs,
      fastContradicted: contradicted(fast),
      exactContradicted: contradicted(exact),
    };
  },

  studioDispose() {
    client?.dispose();
    client = null;
  },
};

log('ready');
