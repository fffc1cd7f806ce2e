#!/usr/bin/env node
/**
 * `npm run bench:guard` — what best-of-N and the guard (issue 11) buy and cost,
 * measured through the real chat turn (src/services/chatTurn.ts), not a model
 * of it.
 *
 * Part A (this script): a SCRIPTED engine (test double) whose every take
 * contradicts the character with a known probability p (seeded PRNG,
 * independent takes), the real checker client and worker handlers over the
 * stub word-rule NLI runtime (src/test kits: plumbing, not meaning — the
 * contradicting reply negates a statement, the clean one does not), and the
 * real repositories on fake-indexeddb. For each p and setting it runs T turns
 * and counts how often the reply SHOWN to the user (the message's shown swipe
 * after ranking) carries a flagged contradiction, against the expected share:
 * p without the guard, p^(K+1) with K retries, p^N with N takes. It also
 * reports the cost per turn: takes generated, NLI pairs scored, and the
 * turn's wall time in Node (engine instant, so that is storage + checking).
 *
 * Part B (scripts/bench/guard-b.mjs): what N takes and the guard cost in the
 * built studio in Chromium on the CPU engine with the bench decoder and the
 * real bench checker models — latency to the shown reply, tokens generated,
 * checker time.
 *
 * Options: --part a|b|all (all), --turns N (400), --seed N (1) for part A;
 * --runs N (3), --tokens N (16: the Sampling dialog's minimum and step), --warmup-ms N (10000), --warmup-turns N (2),
 * --threshold P (0.05),
 * --no-build for part B.
 */
import 'fake-indexeddb/auto';
import os from 'node:os';
import path from 'node:path';
import { createServer } from 'vite';

const ROOT = path.resolve(import.meta.dirname, '../..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const TURNS = arg('turns', 400);
const SEED = arg('seed', 1);
const PART = (() => {
  const i = process.argv.indexOf('--part');
  const p = i === -1 ? 'all' : process.argv[i + 1];
  if (!['a', 'b', 'all'].includes(p)) throw new Error(`--part must be a, b or all, not ${p}`);
  return p;
})();

const CONTRADICTS = 'Maren is not afraid of the deep water.';
const CLEAN = 'Maren stays far from the deep water.';
const STATEMENTS = [
  { id: 's1', text: 'Maren is afraid of deep water.', origin: 'manual', enabled: true, version: 1 },
  { id: 's2', text: 'Maren keeps the lighthouse lamp.', origin: 'manual', enabled: true, version: 1 },
];

/** mulberry32: a small seeded PRNG, so a run can be repeated exactly. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** TEST DOUBLE: an engine whose every take contradicts with probability p. */
function scriptedEngine(p, random) {
  const engine = {
    kind: 'transformers',
    status: { state: 'ready', modelId: 'scripted-p' },
    generated: 0,
    tokens: 0,
    subscribe: () => () => undefined,
    load: async () => undefined,
    async generate(_request, options = {}) {
      engine.generated++;
      const text = random() < p ? CONTRADICTS : CLEAN;
      const words = text.match(/\S+\s*/g);
      for (const w of words) {
        if (options.signal?.aborted) return { text: '', finishReason: 'abort', usage: { promptTokens: 0, completionTokens: 0 } };
        options.onDelta?.(w);
      }
      engine.tokens += words.length;
      return { text, finishReason: 'stop', usage: { promptTokens: 0, completionTokens: words.length } };
    },
    interrupt: () => undefined,
    unload: async () => undefined,
    dispose: () => undefined,
  };
  return engine;
}

if (PART !== 'b') await partA();
if (PART !== 'a') {
  const { runPartB } = await import('./guard-b.mjs');
  const md = await runPartB({ runs: arg('runs', 3), tokens: arg('tokens', 16), warmupMs: arg('warmup-ms', 10000), warmupTurns: arg('warmup-turns', 2), threshold: arg('threshold', 0.05), noBuild: process.argv.includes('--no-build') });
  console.log(`\n${md}`);
}

async function partA() {
  const vite = await createServer({ root: ROOT, logLevel: 'error', server: { middlewareMode: true, hmr: false }, appType: 'custom', optimizeDeps: { noDiscovery: true } });
  try {
    const load = (f) => vite.ssrLoadModule(path.join(ROOT, f));
    const { createChatTurns } = await load('src/services/chatTurn.ts');
    const { StudioDb } = await load('src/db/database.ts');
    const { ChatRepository } = await load('src/db/chats.ts');
    const { VerdictRepository } = await load('src/db/verdicts.ts');
    const { buildCharacter } = await load('src/db/characters.ts');
    const { loadStubCheckerClient } = await load('src/test/stubCheckerClient.ts');

    const checker = await loadStubCheckerClient();
    const settings = [
      { label: 'one take, guard off', takes: { perReply: 1, guard: false, guardRetries: 1 }, expected: (p) => p },
      { label: 'guard K = 1', takes: { perReply: 1, guard: true, guardRetries: 1 }, expected: (p) => p ** 2 },
      { label: 'guard K = 2', takes: { perReply: 1, guard: true, guardRetries: 2 }, expected: (p) => p ** 3 },
      { label: 'guard K = 3', takes: { perReply: 1, guard: true, guardRetries: 3 }, expected: (p) => p ** 4 },
      { label: 'N = 2 takes', takes: { perReply: 2, guard: false, guardRetries: 1 }, expected: (p) => p ** 2 },
      { label: 'N = 3 takes', takes: { perReply: 3, guard: false, guardRetries: 1 }, expected: (p) => p ** 3 },
    ];
    const rows = [];
    for (const p of [0.2, 0.5, 0.8]) {
      for (const setting of settings) {
        const db = new StudioDb(`bench-guard-${p}-${setting.label}`);
        const chats = new ChatRepository(db);
        const verdicts = new VerdictRepository(db);
        const character = buildCharacter({ card: { name: 'Maren' }, statements: STATEMENTS });
        await db.characters.add(character);
        const newChat = async () => ({ ...(await chats.create({ characterId: character.id, characterName: 'Maren', greetings: [] })), takes: setting.takes });
        let chat = await newChat();
        const turns = createChatTurns({ chats, verdicts });
        const engine = scriptedEngine(p, prng(SEED));
        const pairsBefore = checker.runtime.nliPairs;
        let shownContradicting = 0;
        let unchecked = 0;
        const started = performance.now();
        for (let t = 0; t < TURNS; t++) {
          // A fresh chat every 20 turns keeps the prompt (and IndexedDB reads) small.
          if (t > 0 && t % 20 === 0) chat = await newChat();
          const handle = turns.start({ chat, character, engine, checker: { client: checker.client, threshold: 0.5 }, userName: 'Ada' }, { kind: 'send', text: 'Will you swim?' }, () => undefined);
          const result = await handle.done;
          if (result.status !== 'replied') throw new Error('turn not started');
          const { messageId } = result.outcome.target;
          const message = await db.messages.get(messageId);
          // Wait for a one-take turn's verdict (it is stored after `done`).
          let verdict = null;
          for (let i = 0; i < 200 && !verdict; i++) {
            verdict = await verdicts.get(messageId, message.swipeIndex);
            if (!verdict) await new Promise((r) => setTimeout(r, 5));
          }
          if (!verdict) unchecked++;
          else if (verdict.flaggedSentences.length > 0) shownContradicting++;
        }
        const ms = performance.now() - started;
        rows.push({
          p,
          setting: setting.label,
          shown: shownContradicting / TURNS,
          expected: setting.expected(p),
          takesPerTurn: engine.generated / TURNS,
          pairsPerTurn: (checker.runtime.nliPairs - pairsBefore) / TURNS,
          msPerTurn: ms / TURNS,
          unchecked,
        });
        process.stderr.write(`p=${p} ${setting.label}: ${(shownContradicting / TURNS).toFixed(3)} shown (expected ${setting.expected(p).toFixed(3)})\n`);
        db.close();
      }
    }
    checker.dispose();

    const load1 = os.loadavg().map((x) => x.toFixed(2)).join(' / ');
    console.log(`\n### bench:guard — scripted p (${TURNS} turns per row, seed ${SEED})\n`);
    console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; load average (1/5/15 min) at the end: ${load1}\n`);
    console.log('| p | setting | contradictions shown | expected | 95% band | takes / turn | NLI pairs run / turn (cache misses) | ms / turn (Node) | unchecked |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of rows) {
      const sd = Math.sqrt((r.expected * (1 - r.expected)) / TURNS);
      const band = `${Math.max(0, r.expected - 1.96 * sd).toFixed(3)}–${Math.min(1, r.expected + 1.96 * sd).toFixed(3)}`;
      console.log(`| ${r.p} | ${r.setting} | ${r.shown.toFixed(3)} | ${r.expected.toFixed(3)} | ${band} | ${r.takesPerTurn.toFixed(2)} | ${r.pairsPerTurn.toFixed(1)} | ${r.msPerTurn.toFixed(1)} | ${r.unchecked} |`);
    }
  } finally {
    await vite.close();
  }
}

