#!/usr/bin/env node
// `npm run bench:checker`: speed of the consistency checker (issue #4).
//
// Measures, on the same synthetic persona and replies (checker-data.mjs):
//   1. Node, raw library (transformers.js + onnxruntime-node, native): pairs/s
//      with 1 and 2 intra-op threads.
//   2. Chromium, raw library (transformers.js alone in a plain worker,
//      checker-pages/raw-worker.js): pairs/s with 1 thread and all threads.
//   3. Chromium, studio code (CheckerClient + its real worker + liveCheck,
//      checker-pages/main.js), 1 thread and all threads: pairs/s, and verdict
//      latency (reply end → final verdict) for 10/30/50/200 statements with the
//      reply streamed at a realistic pace, statements embedded in advance.
//   4. Pruned vs full APC on the same inputs (50 and 200 statements), with the
//      random-weight bench models and with the tiny fixture models.
//   5. Busy machine: with a CPU hog on one core (a spawned `node -e 'for(;;){}'`,
//      killed at the end), pairs/s and the live verdict latency for 30 and 200
//      statements (median and worst, per-sentence latency by position in the
//      reply), and the APC of those verdicts against full APC (computed after
//      the hog is gone: the scores do not depend on the load).
// The page is cross-origin isolated (COOP/COEP); every Chromium measurement is
// pre-warmed (Chromium tiers wasm up for seconds after a load, NOTES.md).
//
// Models: `.bench/models/bench-nli` (DeBERTa-v3-xsmall shape, dynamic int8)
// + `bench-embed` (random weights, real sizes; `npm run bench:models`),
// fixtures from e2e/fixtures/models.
//
// Usage: node scripts/bench/checker.mjs [--quick] [--warm-s 10] [--seconds 5]
//   [--statements 10,30,50,200] [--latency-replies 0,2,4] [--apc-replies 0,1,2]
//   [--threads 1,2] [--skip node,raw,studio,apc,fixture,busy,busy-apc] [--wait-quiet-s 120]
//   [--busy-statements 30,200] [--busy-replies 0,1,2,3,4,5]
//   [--live-module /src/engines/liveCheck.ts] [--out .bench/checker.json]
// --live-module: the live checker the page measures (a path the Vite server
// serves), e.g. an older liveCheck.ts copied next to the current one for a
// before/after comparison.
// --quick: tiny fixture models everywhere, short timings (checks the script, not speed).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { launchChromium, startBenchServer } from './checker-server.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const list = (name, fallback) => option(name, fallback).split(',').filter(Boolean);

const QUICK = flag('quick');
const BENCH_MODELS = `${ROOT}.bench/models/`;
const FIXTURE_MODELS = `${ROOT}e2e/fixtures/models/`;
const MODELS = QUICK
  ? { dir: FIXTURE_MODELS, prefix: 'fixture-models', nli: 'tiny-nli', embed: 'tiny-embed' }
  : { dir: BENCH_MODELS, prefix: 'bench-models', nli: 'bench-nli', embed: 'bench-embed' };
const FIXTURE = { dir: FIXTURE_MODELS, prefix: 'fixture-models', nli: 'tiny-nli', embed: 'tiny-embed' };
const WARM_S = Number(option('warm-s', QUICK ? '1' : '10'));
const SECONDS = Number(option('seconds', QUICK ? '1' : '5'));
const COUNTS = list('statements', '10,30,50,200').map(Number);
const LATENCY_REPLIES = list('latency-replies', QUICK ? '0' : '0,2,4').map(Number);
const APC_COUNTS = [50, 200];
/** Between TAIL_FULL_MAX_STATEMENTS (16) and FULL_MAX_STATEMENTS (40): full APC with a pruned-first tail. */
const TAIL_COUNTS = [30];
const APC_REPLIES = list('apc-replies', QUICK ? '0' : '0,1,2').map(Number);
const FIXTURE_APC_REPLIES = [0, 1, 2, 3, 4, 5];
const THREADS = list('threads', `1,${os.availableParallelism()}`).map(Number);
const SKIP = new Set(list('skip', ''));
const WAIT_QUIET_S = Number(option('wait-quiet-s', QUICK ? '0' : '120'));
const OUT = `${ROOT}${option('out', '.bench/checker.json')}`;
const BUSY_COUNTS = list('busy-statements', '30,200').map(Number);
const BUSY_REPLIES = list('busy-replies', QUICK ? '0' : '0,1,2,3,4,5').map(Number);
const LIVE_MODULE = option('live-module', '');
/** The live shape: one NLI call per sentence, all statements of that sentence. */
const PAIRS_STATEMENTS = 30;
/**
 * Streaming pace: 18 tokens/s with ~4 characters per token = 72 characters/s,
 * fed 4 characters at a time; a ~70-character sentence every ~1 s.
 */
const TOKENS_PER_S = 18;
const CHARS_PER_TOKEN = 4;

const log = (...a) => console.error(`[bench:checker ${new Date().toISOString().slice(11, 19)}]`, ...a);

// ---------------------------------------------------------------------------
// CPU accounting: how busy the machine was with *other* work during a phase.
// Other sessions share these 2 cores; a number measured next to them is slower.

const HZ = 100;
function procTicks(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return null;
  }
}
/** The CPU hog of the busy-machine row: ours, but counted apart (see foreignCpu). */
let hogPid = null;
function cpuSnapshot() {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = f.map(Number);
  const busy = n[0] + n[1] + n[2] + n[5] + n[6] + n[7];
  const procs = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const p = procTicks(d);
    if (p) procs.set(Number(d), p);
  }
  // Ours: this process and its descendants (Chromium, its renderers and workers).
  const ours = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of procs) {
      if (!ours.has(pid) && ours.has(p.ppid)) {
        ours.add(pid);
        grew = true;
      }
    }
  }
  const perPid = new Map([...procs].map(([pid, p]) => [pid, { ticks: p.ticks, ours: ours.has(pid) && pid !== hogPid, hog: pid === hogPid }]));
  return { at: performance.now(), busy, perPid };
}
/** Percent of one core used by other processes (and by the hog) between two snapshots. */
function foreignCpu(a, b) {
  let oursTicks = 0;
  let hogTicks = 0;
  for (const [pid, p] of b.perPid) {
    if (!p.ours && !p.hog) continue;
    const ticks = p.ticks - (a.perPid.get(pid)?.ticks ?? 0);
    if (p.hog) hogTicks += ticks;
    else oursTicks += ticks;
  }
  const seconds = (b.at - a.at) / 1000;
  const foreign = Math.max(0, b.busy - a.busy - oursTicks - hogTicks);
  const pct = (ticks) => (100 * ticks) / HZ / seconds;
  return { foreignCorePct: pct(foreign), oursCorePct: pct(oursTicks), hogCorePct: pct(hogTicks), seconds };
}
async function phase(name, fn) {
  const loadBefore = loadavg();
  const a = cpuSnapshot();
  const t0 = performance.now();
  const result = await fn();
  const cpu = foreignCpu(a, cpuSnapshot());
  const loadAfter = loadavg();
  log(
    `${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s, other processes ${cpu.foreignCorePct.toFixed(0)}% of a core` +
      (hogPid ? `, hog ${cpu.hogCorePct.toFixed(0)}%` : '') +
      `, load ${loadBefore.join(' ')} → ${loadAfter.join(' ')}`,
  );
  return {
    ...result,
    cpu: {
      foreignCorePct: round(cpu.foreignCorePct, 0),
      oursCorePct: round(cpu.oursCorePct, 0),
      ...(hogPid ? { hogCorePct: round(cpu.hogCorePct, 0) } : {}),
    },
    loadavg: { before: loadBefore, after: loadAfter },
  };
}

const loadavg = () => os.loadavg().map((x) => round(x, 2));

/** A process that keeps one core busy (a single-threaded loop), for the busy-machine row. */
function startHog() {
  const hog = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  hogPid = hog.pid;
  const kill = () => hog.kill('SIGKILL');
  // Never leave it running: not on an error, not when the bench is interrupted.
  const interrupted = (signal) => {
    kill();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', kill);
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  return {
    pid: hog.pid,
    stop() {
      kill();
      process.removeListener('exit', kill);
      process.removeListener('SIGINT', interrupted);
      process.removeListener('SIGTERM', interrupted);
      hogPid = null;
    },
  };
}
async function waitQuiet() {
  const deadline = performance.now() + WAIT_QUIET_S * 1000;
  for (;;) {
    const a = cpuSnapshot();
    await sleep(2000);
    const { foreignCorePct } = foreignCpu(a, cpuSnapshot());
    if (foreignCorePct < 25 || performance.now() > deadline) return round(foreignCorePct, 0);
    log(`other processes use ${foreignCorePct.toFixed(0)}% of a core; waiting for a quieter machine…`);
    await sleep(5000);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x, d = 1) => (x == null || Number.isNaN(x) ? x : Math.round(x * 10 ** d) / 10 ** d);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
};

// ---------------------------------------------------------------------------
// Machine

function uptime() {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${loadavg().join(', ')}`;
  }
}

function machine() {
  let chromium = null;
  try {
    chromium = execFileSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    /* reported as null */
  }
  const cpuModel = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model;
  const pkg = (name) => JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, 'utf8')).version;
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism(),
    cpuModel,
    ramGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    chromium,
    transformers: pkg('@huggingface/transformers'),
    onnxruntimeWeb: pkg('onnxruntime-web'),
    onnxruntimeNode: pkg('onnxruntime-node'),
    loadavg: os.loadavg().map((x) => round(x, 2)),
  };
}

// ---------------------------------------------------------------------------
// 1. Node, raw library (native onnxruntime)

async function benchNode(pairs) {
  const { AutoTokenizer, AutoModelForSequenceClassification, env } = await import('@huggingface/transformers');
  env.localModelPath = MODELS.dir;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  const tok = await AutoTokenizer.from_pretrained(MODELS.nli);
  const out = [];
  for (const threads of THREADS) {
    const model = await AutoModelForSequenceClassification.from_pretrained(MODELS.nli, {
      dtype: 'q8',
      session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
    });
    const pass = async (batchSize) => {
      for (let i = 0; i < pairs.length; i += batchSize) {
        const batch = pairs.slice(i, i + batchSize);
        const { logits } = await model(tok(batch.map((p) => p[0]), { text_pair: batch.map((p) => p[1]), padding: true, truncation: true }));
        logits.softmax?.(-1);
      }
    };
    const r = await phase(`node raw ${threads} thread(s)`, async () => {
      const warmEnd = performance.now() + Math.min(WARM_S, 3) * 1000;
      while (performance.now() < warmEnd) await pass(PAIRS_STATEMENTS);
      const byBatch = {};
      for (const batchSize of [PAIRS_STATEMENTS, 16]) {
        let done = 0;
        const t0 = performance.now();
        do {
          await pass(batchSize);
          done += pairs.length;
        } while (performance.now() - t0 < SECONDS * 1000);
        byBatch[batchSize] = round((done * 1000) / (performance.now() - t0));
      }
      return { threads, pairsPerSecondByBatch: byBatch, pairsPerSecond: Math.max(...Object.values(byBatch)) };
    });
    out.push(r);
    await model.dispose();
  }
  return out;
}

// ---------------------------------------------------------------------------
// 2–4. Chromium

async function benchBrowser(base, pairs) {
  const browser = await launchChromium();
  const result = { raw: [], studio: [], apc: null, fixtureApc: null };
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => log('page error:', e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/browser cache|404/.test(m.text())) log('page console:', m.text());
    });
    await page.goto(`${base}scripts/bench/checker-pages/index.html`);
    await page.waitForFunction(() => window.bench !== undefined);
    result.page = await page.evaluate(() => window.bench.info());
    if (!result.page.crossOriginIsolated) log('WARNING: the bench page is not cross-origin isolated (1 thread only)');
    if (result.page.replySentenceCounts.some((c) => c !== 4)) throw new Error(`replies must have 4 sentences: ${result.page.replySentenceCounts}`);
    const call = (fn, arg) => page.evaluate(({ fn, arg }) => window.bench[fn](arg), { fn, arg });
    const models = { baseUrl: `/${MODELS.prefix}/`, nliId: MODELS.nli, embedId: MODELS.embed };

    for (const threads of THREADS) {
      if (!SKIP.has('raw')) {
        result.raw.push(
          await phase(`chromium raw ${threads} thread(s)`, async () => {
            const load = await call('rawLoad', { baseUrl: models.baseUrl, modelId: models.nliId, threads });
            await call('rawRun', { pairs, batchSize: PAIRS_STATEMENTS, seconds: 0, warmSeconds: WARM_S });
            const byBatch = {};
            for (const batchSize of [PAIRS_STATEMENTS, 16]) {
              byBatch[batchSize] = round((await call('rawRun', { pairs, batchSize, seconds: SECONDS })).pairsPerSecond);
            }
            await call('rawDispose');
            return { threads: load.threads, crossOriginIsolated: load.crossOriginIsolated, pairsPerSecondByBatch: byBatch, pairsPerSecond: Math.max(...Object.values(byBatch)) };
          }),
        );
      }
      if (!SKIP.has('studio')) {
        const load = await call('studioLoad', { ...models, threads, liveModule: LIVE_MODULE || undefined });
        log(`studio loaded: ${load.threads} thread(s), load ${Math.round(load.wallMs)} ms (warm-up ${Math.round(load.warmUpMs)} ms)`);
        await call('studioWarm', { seconds: WARM_S });
        const speed = await phase(`chromium studio pairs/s ${threads} thread(s)`, async () => {
          const perSentence = await call('studioPairs', { n: PAIRS_STATEMENTS, replyIndex: 0, seconds: SECONDS, perSentence: true });
          const bulk = await call('studioPairs', { n: PAIRS_STATEMENTS, replyIndex: 0, seconds: SECONDS, perSentence: false });
          return { perSentence: round(perSentence.pairsPerSecond), bulk: round(bulk.pairsPerSecond) };
        });
        const latency = await phase(`chromium studio latency ${threads} thread(s)`, async () => {
          const runs = [];
          for (const n of COUNTS) {
            for (const replyIndex of LATENCY_REPLIES) {
              const r = await call('studioLatency', {
                n,
                replyIndex,
                charsPerSecond: TOKENS_PER_S * CHARS_PER_TOKEN,
                chunkChars: CHARS_PER_TOKEN,
              });
              log(
                `  ${n} statements, reply ${replyIndex}: verdict ${Math.round(r.verdictMs)} ms after the end (${r.strategy}, ${r.pairs} pairs, last sentence ${r.tailPairs}; sentences ${r.sentenceLatencyMs.map(Math.round).join('/')} ms)` +
                  (r.exactMs !== r.verdictMs ? `; exact ${Math.round(r.exactMs)} ms, APC ${r.apcPercent.toFixed(2)} → ${r.exactApcPercent.toFixed(2)}` : ''),
              );
              runs.push(r);
            }
          }
          const byCount = {};
          for (const n of COUNTS) {
            const rs = runs.filter((r) => r.n === n);
            byCount[n] = {
              strategy: rs[0].strategy,
              pairsPerReply: median(rs.map((r) => r.pairs)),
              verdictMsMedian: round(median(rs.map((r) => r.verdictMs)), 0),
              verdictMsMax: round(Math.max(...rs.map((r) => r.verdictMs)), 0),
              tailPairs: median(rs.map((r) => r.tailPairs)),
              exactStrategy: rs[0].exactStrategy,
              exactMsMedian: round(median(rs.map((r) => r.exactMs)), 0),
              exactMsMax: round(Math.max(...rs.map((r) => r.exactMs)), 0),
              // How far the verdict shown first is from the exact one (0 when it was exact).
              fastVsExactMaxAbs: round(Math.max(...rs.map((r) => Math.abs(r.apcPercent - r.exactApcPercent))), 2),
              sentenceLatencyMsMedian: round(median(rs.flatMap((r) => r.sentenceLatencyMs)), 0),
              sentenceLatencyMsMax: round(Math.max(...rs.flatMap((r) => r.sentenceLatencyMs)), 0),
            };
          }
          return { byCount, runs };
        });
        result.studio.push({ threads: load.threads, loadMs: round(load.wallMs, 0), warmUpMs: round(load.warmUpMs, 0), pairsPerSecond: speed, latency });
        if (threads === THREADS[THREADS.length - 1] && !SKIP.has('busy')) {
          result.busy = await busyMachine(call, load.threads);
        }
        if (threads === THREADS[THREADS.length - 1] && !SKIP.has('apc')) {
          result.apc = await phase('chromium APC pruned vs full (bench models)', () => apcDeparture(call, APC_REPLIES));
        }
        await call('studioDispose');
      }
    }
    if (!SKIP.has('fixture') && !QUICK) {
      await call('studioLoad', { baseUrl: `/${FIXTURE.prefix}/`, nliId: FIXTURE.nli, embedId: FIXTURE.embed, threads: THREADS[THREADS.length - 1] });
      result.fixtureApc = await phase('chromium APC pruned vs full (fixture models)', () => apcDeparture(call, FIXTURE_APC_REPLIES));
      await call('studioDispose');
    }
  } finally {
    await browser.close();
  }
  return result;
}

/**
 * The busy-machine row: the same live measurements with a CPU hog on one core,
 * then full APC on the same inputs once the hog is gone.
 */
async function busyMachine(call, threads) {
  const hog = startHog();
  log(`busy machine: CPU hog started (pid ${hog.pid})`);
  const runs = [];
  let speed;
  try {
    // Let the scheduler settle with the hog before timing.
    await sleep(3000);
    speed = await phase(`busy: studio pairs/s ${threads} thread(s)`, async () => {
      const perSentence = await call('studioPairs', { n: PAIRS_STATEMENTS, replyIndex: 0, seconds: SECONDS, perSentence: true });
      return { perSentence: round(perSentence.pairsPerSecond) };
    });
    speed.latency = await phase(`busy: studio latency ${threads} thread(s)`, async () => {
      for (const n of BUSY_COUNTS) {
        for (const replyIndex of BUSY_REPLIES) {
          const r = await call('studioLatency', { n, replyIndex, charsPerSecond: TOKENS_PER_S * CHARS_PER_TOKEN, chunkChars: CHARS_PER_TOKEN });
          log(
            `  busy ${n} statements, reply ${replyIndex}: verdict ${Math.round(r.verdictMs)} ms after the end (${r.pairs} pairs; ` +
              `sentences ${r.sentences.map((x) => `${Math.round(x.latencyMs)} ms/${x.pairs}p`).join(', ')}); exact ${Math.round(r.exactMs)} ms`,
          );
          runs.push(r);
        }
      }
      return {};
    });
  } finally {
    hog.stop();
    log('busy machine: CPU hog stopped');
  }
  // Full APC of the same statements and replies (no hog: the scores do not depend on the load).
  const apc = await phase('busy: full APC reference', async () => {
    const full = {};
    if (SKIP.has('busy-apc')) return { full };
    for (const n of BUSY_COUNTS) {
      for (const replyIndex of BUSY_REPLIES) {
        full[`${n}/${replyIndex}`] = (await call('studioApc', { n, replyIndex, full: true })).apcPercent;
      }
    }
    return { full };
  });
  const byCount = {};
  for (const n of BUSY_COUNTS) {
    const rs = runs.filter((r) => r.n === n);
    const positions = Math.max(...rs.map((r) => r.sentences.length));
    const at = (k, key) => rs.map((r) => [...r.sentences].sort((a, b) => a.index - b.index)[k]?.[key]).filter((x) => x !== undefined);
    // NaN (reported as null) when the reference was skipped.
    const firstDelta = rs.map((r) => r.apcPercent - (apc.full[`${n}/${r.replyIndex}`] ?? Number.NaN));
    const exactDelta = rs.map((r) => r.exactApcPercent - (apc.full[`${n}/${r.replyIndex}`] ?? Number.NaN));
    byCount[n] = {
      runs: rs.length,
      verdictMsMedian: round(median(rs.map((r) => r.verdictMs)), 0),
      verdictMsMax: round(Math.max(...rs.map((r) => r.verdictMs)), 0),
      exactMsMedian: round(median(rs.map((r) => r.exactMs)), 0),
      exactMsMax: round(Math.max(...rs.map((r) => r.exactMs)), 0),
      pairsFirstMedian: median(rs.map((r) => r.pairs)),
      sentenceLatencyMsByPosition: Array.from({ length: positions }, (_, k) => ({
        median: round(median(at(k, 'latencyMs')), 0),
        max: round(Math.max(...at(k, 'latencyMs')), 0),
        pairsMedian: median(at(k, 'pairs')),
      })),
      apcFirstMinusFullMaxAbs: round(Math.max(...firstDelta.map(Math.abs)), 2),
      apcFirstMinusFullMean: round(firstDelta.reduce((a, b) => a + b, 0) / firstDelta.length, 2),
      apcExactMinusFullMaxAbs: round(Math.max(...exactDelta.map(Math.abs)), 2),
    };
  }
  return {
    threads,
    hog: "one `node -e 'for(;;){}'` process (one core)",
    pairsPerSecond: speed?.perSentence,
    cpu: { pairs: speed?.cpu, latency: speed?.latency?.cpu },
    loadavg: { pairs: speed?.loadavg, latency: speed?.latency?.loadavg },
    byCount,
    runs: runs.map(({ clientStats: _c, ...r }) => r),
    fullApc: apc.full,
  };
}

/** Full APC first (fills the pair cache), then the default pruned strategy on the same inputs. */
async function apcDeparture(call, replies) {
  const rows = [];
  for (const n of APC_COUNTS) {
    for (const replyIndex of replies) {
      const full = await call('studioApc', { n, replyIndex, full: true });
      const pruned = await call('studioApc', { n, replyIndex, full: false });
      rows.push({
        n,
        replyIndex,
        fullApc: round(full.apcPercent, 2),
        prunedApc: round(pruned.apcPercent, 2),
        delta: round(pruned.apcPercent - full.apcPercent, 2),
        fullPairs: full.pairs,
        prunedPairs: pruned.pairs,
        fullContradicted: full.contradicted,
        prunedContradicted: pruned.contradicted,
        strategy: pruned.strategy,
      });
    }
  }
  // The live tail at a count between TAIL_FULL_MAX_STATEMENTS and FULL_MAX_STATEMENTS:
  // the first verdict (last sentence pruned) against the exact one that follows.
  const tail = [];
  for (const n of TAIL_COUNTS) {
    for (const replyIndex of replies) {
      const t = await call('studioApcTail', { n, replyIndex });
      tail.push({
        ...t,
        delta: round(t.fastApc - t.exactApc, 2),
        missed: t.exactContradicted.filter((id) => !t.fastContradicted.includes(id)),
      });
    }
  }
  const tailSummary = {};
  for (const n of TAIL_COUNTS) {
    const rs = tail.filter((r) => r.n === n);
    const abs = rs.map((r) => Math.abs(r.delta));
    tailSummary[n] = {
      replies: rs.length,
      meanAbsDelta: round(abs.reduce((a, b) => a + b, 0) / abs.length, 2),
      maxAbsDelta: round(Math.max(...abs), 2),
      meanDelta: round(rs.reduce((a, r) => a + r.delta, 0) / rs.length, 2),
      contradictionsExact: rs.reduce((a, r) => a + r.exactContradicted.length, 0),
      contradictionsMissedFirst: rs.reduce((a, r) => a + r.missed.length, 0),
      pairsExact: median(rs.map((r) => r.exactPairs)),
      pairsFirst: median(rs.map((r) => r.fastPairs)),
    };
  }
  const summary = {};
  for (const n of APC_COUNTS) {
    const rs = rows.filter((r) => r.n === n);
    const abs = rs.map((r) => Math.abs(r.delta));
    summary[n] = {
      replies: rs.length,
      strategy: rs[0]?.strategy,
      meanAbsDelta: round(abs.reduce((a, b) => a + b, 0) / abs.length, 2),
      maxAbsDelta: round(Math.max(...abs), 2),
      meanDelta: round(rs.reduce((a, r) => a + r.delta, 0) / rs.length, 2),
      contradictionsFull: rs.reduce((a, r) => a + r.fullContradicted.length, 0),
      contradictionsMissedByPruning: rs.reduce((a, r) => a + r.fullContradicted.filter((id) => !r.prunedContradicted.includes(id)).length, 0),
      pairsFull: median(rs.map((r) => r.fullPairs)),
      pairsPruned: median(rs.map((r) => r.prunedPairs)),
    };
  }
  return { summary, rows, tailSummary, tail };
}

// ---------------------------------------------------------------------------
// Report

function markdown(out) {
  const lines = [];
  const nodeBy = Object.fromEntries((out.node ?? []).map((r) => [r.threads, r.pairsPerSecond]));
  const rawBy = Object.fromEntries((out.chromium?.raw ?? []).map((r) => [r.threads, r]));
  lines.push('| threads | Node raw (native) | Chromium raw | Chromium studio, per sentence | studio / raw | Chromium / native |');
  lines.push('| --- | --- | --- | --- | --- | --- |');
  for (const s of out.chromium?.studio ?? []) {
    const raw = rawBy[s.threads]?.pairsPerSecond;
    const studio = s.pairsPerSecond.perSentence;
    lines.push(
      `| ${s.threads} | ${nodeBy[s.threads] ?? '–'} | ${raw ?? '–'} | ${studio} (bulk ${s.pairsPerSecond.bulk}) | ${raw ? round(studio / raw, 2) : '–'} | ${nodeBy[s.threads] ? round(studio / nodeBy[s.threads], 2) : '–'} |`,
    );
  }
  lines.push('');
  lines.push('| threads | statements | strategy | pairs / reply (last sentence) | verdict after reply end (median / max of runs) | exact verdict after end (median / max) | max abs Δ APC first vs exact | per-sentence latency (median / max) |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const s of out.chromium?.studio ?? []) {
    for (const [n, b] of Object.entries(s.latency.byCount)) {
      lines.push(
        `| ${s.threads} | ${n} | ${b.strategy} | ${b.pairsPerReply} (${b.tailPairs}) | ${b.verdictMsMedian} / ${b.verdictMsMax} ms | ${b.exactMsMedian} / ${b.exactMsMax} ms (${b.exactStrategy}) | ${b.fastVsExactMaxAbs} pts | ${b.sentenceLatencyMsMedian} / ${b.sentenceLatencyMsMax} ms |`,
      );
    }
  }
  const busy = out.chromium?.busy;
  if (busy) {
    const quiet = Object.fromEntries(
      Object.entries(out.chromium.studio.find((s) => s.threads === busy.threads)?.latency.byCount ?? {}).map(([n, b]) => [n, b]),
    );
    lines.push('');
    lines.push(
      `Busy machine (${busy.hog}; ${busy.threads} threads; studio ${busy.pairsPerSecond} pairs/s per sentence; hog ${busy.cpu.latency?.hogCorePct}% of a core, other processes ${busy.cpu.latency?.foreignCorePct}%; load ${busy.loadavg.latency?.before.join(' ')} → ${busy.loadavg.latency?.after.join(' ')}):`,
    );
    lines.push('');
    lines.push('| statements | runs | verdict after end, median / worst | quiet (same run), median / worst | exact after end, median / worst | per-sentence latency by position, median (pairs) | APC first − full, max abs (mean) | APC exact − full, max abs |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const [n, b] of Object.entries(busy.byCount)) {
      const q = quiet[n];
      const pts = (x) => (x == null || Number.isNaN(x) ? '–' : `${x}`);
      lines.push(
        `| ${n} | ${b.runs} | ${b.verdictMsMedian} / ${b.verdictMsMax} ms | ${q ? `${q.verdictMsMedian} / ${q.verdictMsMax} ms` : '–'} | ${b.exactMsMedian} / ${b.exactMsMax} ms | ${b.sentenceLatencyMsByPosition.map((p) => `${p.median} (${p.pairsMedian})`).join(' → ')} ms | ${pts(b.apcFirstMinusFullMaxAbs)} (${pts(b.apcFirstMinusFullMean)}) pts | ${pts(b.apcExactMinusFullMaxAbs)} pts |`,
      );
    }
  }
  for (const [label, apc] of [['bench models (random weights)', out.chromium?.apc], ['fixture models (tiny-nli / tiny-embed)', out.chromium?.fixtureApc]]) {
    if (!apc) continue;
    lines.push('');
    lines.push(`APC pruned vs full, ${label}:`);
    lines.push('');
    lines.push('| statements | replies | pairs full → pruned | mean abs ΔAPC | max abs ΔAPC | mean Δ (pruned − full) | contradictions full / missed by pruning |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const [n, s] of Object.entries(apc.summary)) {
      lines.push(`| ${n} | ${s.replies} | ${s.pairsFull} → ${s.pairsPruned} | ${s.meanAbsDelta} pts | ${s.maxAbsDelta} pts | ${s.meanDelta} pts | ${s.contradictionsFull} / ${s.contradictionsMissedByPruning} |`);
    }
    for (const [n, s] of Object.entries(apc.tailSummary ?? {})) {
      lines.push(`| ${n} (live: first verdict vs exact) | ${s.replies} | ${s.pairsExact} → ${s.pairsFirst} | ${s.meanAbsDelta} pts | ${s.maxAbsDelta} pts | ${s.meanDelta} pts | ${s.contradictionsExact} / ${s.contradictionsMissedFirst} |`);
    }
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------

const started = performance.now();
if (!QUICK && !existsSync(`${BENCH_MODELS}bench-nli/onnx/model_quantized.onnx`)) {
  log('bench models missing: run `npm run bench:models` first');
  process.exit(1);
}
const out = {
  machine: machine(),
  models: { nli: MODELS.nli, embed: MODELS.embed, dir: MODELS.dir.replace(ROOT, '') },
  settings: {
    warmSeconds: WARM_S,
    seconds: SECONDS,
    statementCounts: COUNTS,
    latencyReplies: LATENCY_REPLIES,
    pace: { tokensPerSecond: TOKENS_PER_S, charsPerToken: CHARS_PER_TOKEN, charsPerSecond: TOKENS_PER_S * CHARS_PER_TOKEN },
    pairsWorkload: `${PAIRS_STATEMENTS} statements × 4 sentences of reply 0, one call per sentence`,
    command: `node scripts/bench/checker.mjs ${args.join(' ')}`.trim(),
    liveModule: LIVE_MODULE || '/src/engines/liveCheck.ts',
  },
};
out.machine.uptimeBefore = uptime();
out.quietBeforeStartCorePct = await waitQuiet();
const { server, url } = await startBenchServer(ROOT, { 'bench-models': BENCH_MODELS, 'fixture-models': FIXTURE_MODELS });
try {
  // The exact pairs the page sends: sentences segmented and stripped by the studio's own code.
  const seg = await server.ssrLoadModule('/src/domain/consistency/segmenter.ts');
  const { REPLIES, statements } = await import('./checker-data.mjs');
  const st = statements(PAIRS_STATEMENTS);
  const pairs = seg
    .segmentSentences(REPLIES[0].text)
    .map((s) => seg.stripRoleplayMarkup(s.text))
    .flatMap((h) => st.map((s) => [s.text, h]));
  if (!SKIP.has('node')) out.node = await benchNode(pairs);
  out.chromium = await benchBrowser(url, pairs);
} finally {
  await server.close();
}
out.totalSeconds = round((performance.now() - started) / 1000, 0);
out.machine.loadavgAfter = loadavg();
out.machine.uptimeAfter = uptime();
mkdirSync(`${ROOT}.bench`, { recursive: true });
writeFileSync(OUT, `${JSON.stringify(out, null, 2)}\n`);
const md = markdown(out);
console.log(md);
log(`wrote ${OUT.replace(ROOT, '')} (${out.totalSeconds} s)`);
