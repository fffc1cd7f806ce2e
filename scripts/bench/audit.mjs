#!/usr/bin/env node
/**
 * `npm run bench:audit` — how long a character audit (issue 12 §1) takes on
 * the CPU engine, and how much of it is the checker.
 *
 * 1. Builds the studio (`vite build` → .bench/audit-dist; --no-build reuses it)
 *    and serves it with `vite preview` (COOP/COEP from vite.config.ts: cross-
 *    origin isolated, multi-threaded wasm); .bench/models/<id>/… is served
 *    under /bench-models/ (the studio's "Self-hosted base URL").
 * 2. In headless Chromium (service workers blocked), through the UI like a
 *    writer: loads the checker (bench-nli: DeBERTa-v3-xsmall shape, int8;
 *    bench-embed: MiniLM shape) and the chat model `bench-decoder-words`
 *    (SmolLM2-135M shape, random weights, greedy "a a a …": see words_model.py)
 *    on the CPU engine; imports the bench card (chat.mjs's Bench Keeper) and
 *    adds STATEMENTS in the editor.
 * 3. Audit screen: a warm-up audit of --warm-probes probes (Chromium tiers
 *    wasm up for seconds after a load, NOTES.md), then the timed audit of
 *    --probes probes (default 40) with --tokens per answer (default 32: the
 *    answers are "a a a …", so more tokens add decode time, not evidence).
 *    Wall time is click → report; per probe the stored run's generateMs and
 *    checkMs (services/audit.ts measures both around the engine and checker
 *    calls) are read back from IndexedDB.
 * 4. Prints a markdown table (stdout; progress on stderr), writes .bench/audit.json.
 *
 * The random model's answer is one long sentence, so the checker scores
 * statements × 1 sentence per probe; a real answer of ~4 sentences costs
 * ~4× the pairs (BENCHMARKS.md, checker: pairs/s).
 *
 * Options: --probes N (40), --tokens N (32), --warm-probes N (3), --no-build.
 */
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, preview } from 'vite';
import { CHROMIUM_ARGS, freePort } from './checker-server.mjs';
import { BENCH_CARD } from './benchCard.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MODELS_DIR = path.join(ROOT, '.bench', 'models');
const OUT_DIR = path.join(ROOT, '.bench', 'audit-dist');
const MODELS_BASE = 'bench-models/';
const CHAT_MODEL = 'bench-decoder-words';
const NLI = 'bench-nli';
const EMBED = 'bench-embed';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}
const PROBES = arg('probes', 40);
const TOKENS = arg('tokens', 32);
const WARM_PROBES = arg('warm-probes', 3);
const NO_BUILD = process.argv.includes('--no-build');
const HARD_LIMIT_MS = 60 * 60_000;

/** The card of bench:chat (a prompt of SmolLM2's real token count), with statements to hold answers to. */
const STATEMENTS = [
  'Bench Keeper is afraid of deep water.',
  'Bench Keeper cannot swim.',
  'Bench Keeper keeps the Greyhaven lighthouse.',
  'Bench Keeper has short copper hair.',
  'Bench Keeper has salt-grey eyes.',
  'Bench Keeper is patient.',
  'Bench Keeper is thirty-four years old.',
  // Sixteen statements: 8 persona-wide probes + a direct and a temptation
  // probe each = the default 40 (with 7 the set stopped at 22 probes).
  'Bench Keeper drinks strong black tea.',
  'Bench Keeper never drinks rum.',
  'Bench Keeper grew up on the island.',
  'Bench Keeper distrusts strangers from the mainland.',
  'Bench Keeper writes in a logbook every night.',
  'Bench Keeper has a younger brother who fishes.',
  'Bench Keeper hates loud music.',
  'Bench Keeper speaks in short, plain sentences.',
  'Bench Keeper is left-handed.',
];

const startedAt = Date.now();
const log = (...a) => console.error(`[bench:audit ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s]`, ...a);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '—');

function machine() {
  const cpu = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? os.cpus()[0]?.model ?? '?';
  return {
    nproc: Number(execFileSync('nproc').toString().trim()),
    cpu,
    ramGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    date: new Date().toISOString(),
  };
}
const uptime = () => execFileSync('uptime').toString().trim();

/** Serves .bench/models/<id>/<file> at /bench-models/<id>/<file>, with the headers a COEP page needs. */
function benchModelsPlugin() {
  return {
    name: 'bench-models',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = new URL(req.url ?? '/', 'http://x');
        if (!url.pathname.startsWith(`/${MODELS_BASE}`)) return next();
        const file = path.join(MODELS_DIR, decodeURIComponent(url.pathname.slice(MODELS_BASE.length + 1)));
        if (!file.startsWith(MODELS_DIR + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
          res.statusCode = 404;
          return res.end('not found');
        }
        res.setHeader('Content-Type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        res.setHeader('Content-Length', String(fs.statSync(file).size));
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        res.setHeader('Cache-Control', 'no-store');
        if (req.method === 'HEAD') return res.end();
        fs.createReadStream(file).pipe(res);
      });
    },
  };
}

// ---------------------------------------------------------------------------
// Studio driving (the same roles and labels as e2e/pages/*.ts)

async function setUp(page, baseURL) {
  await page.goto(baseURL);
  await page.getByTestId('character-list').waitFor({ timeout: 120_000 });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Models' }).click();
  const choice = page.getByTestId('engine-choice');
  await choice.waitFor();
  const kind = await choice.getAttribute('data-kind');
  if (kind !== 'transformers') throw new Error(`studio chose engine ${kind}, expected the CPU engine (transformers)`);
  await page.getByLabel('Self-hosted base URL').fill(`./${MODELS_BASE}`);
  await page.getByRole('button', { name: 'Save source' }).click();

  const section = page.locator('#checker-models');
  await section.getByLabel('NLI model').fill(NLI);
  await section.getByLabel('Embedding model').fill(EMBED);
  await section.getByRole('button', { name: 'Save checker settings' }).click();
  const status = page.getByTestId('checker-status');
  await page.waitForFunction(([n, e]) => {
    const t = document.querySelector('[data-testid="checker-status"]')?.textContent ?? '';
    return t.includes(n) && t.includes(e);
  }, [NLI, EMBED]);
  let t = Date.now();
  await section.getByRole('button', { name: /^(Download|Load) checker$/ }).click();
  // Polled, not awaited blind: a load that fails says why, and a slow one shows its progress.
  for (;;) {
    const state = await status.getAttribute('data-state');
    if (state === 'ready') break;
    if (state === 'error') {
      const notices = await page.locator('[data-testid^="notice-"]').allTextContents();
      throw new Error(`the checker failed to load: ${await status.textContent()} ${await section.textContent()} ${notices.join(' | ')}`);
    }
    if (Date.now() - t > 900_000) throw new Error(`the checker did not load in 15 min: ${await status.textContent()}`);
    log(`checker ${state}: ${(await status.textContent())?.slice(0, 160)}`);
    await new Promise((r) => setTimeout(r, 15_000));
  }
  const checkerLoadMs = Date.now() - t;
  log(`checker ready (${checkerLoadMs} ms): ${await status.textContent()}`);

  t = Date.now();
  await page.getByLabel('Load another model by id').fill(CHAT_MODEL);
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await page.getByRole('button', { name: /^Unload (?!checker$)/ }).waitFor({ timeout: 600_000 });
  const chatLoadMs = Date.now() - t;
  log(`chat model ready (${chatLoadMs} ms)`);

  await page.getByTestId('import-input').setInputFiles([{ name: 'bench-keeper.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(BENCH_CARD)) }]);
  await page.getByTestId('character-list').getByRole('button', { name: /^Bench Keeper/ }).first().click();
  await page.getByTestId('editor-title').waitFor();
  const input = page.getByLabel('New statement');
  for (const s of STATEMENTS) {
    await input.fill(s);
    await input.press('Enter');
  }
  await page.waitForFunction(() => document.querySelector('[data-testid="save-state"]')?.getAttribute('data-state') === 'saved');
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await page.getByTestId('audit-screen').waitFor();
  await page.getByLabel('Answer length (tokens)').fill(String(TOKENS));
  const info = await page.evaluate(() => ({ crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency }));
  return { checkerLoadMs, chatLoadMs, ...info };
}

/** Runs an audit of `n` probes from the screen; resolves with the wall time and the stored run. */
async function audit(page, n) {
  await page.getByLabel('At most').fill(String(n));
  await page.getByRole('button', { name: 'Generate again' }).click();
  // The set has at most 8 + 2 per statement probes: say so rather than time out.
  await page
    .waitForFunction((k) => document.querySelectorAll('[data-testid="audit-probe"]').length === k, n, { timeout: 30_000 })
    .catch(async () => {
      const have = await page.getByTestId('audit-probe').count();
      throw new Error(`asked for ${n} probes, the audit screen offers ${have} (8 persona-wide + 2 per statement)`);
    });
  const before = await page.getByTestId('audit-run-row').count();
  const t0 = Date.now();
  await page.getByTestId('audit-run').click();
  await page.getByTestId('audit-progress').waitFor();
  await page.getByTestId('audit-progress').waitFor({ state: 'detached', timeout: HARD_LIMIT_MS });
  const wallMs = Date.now() - t0;
  await page.waitForFunction((k) => document.querySelectorAll('[data-testid="audit-run-row"]').length === k, before + 1);
  const run = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('in-character');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('audits').objectStore('audits').getAll();
          req.onsuccess = () => resolve(req.result.sort((a, b) => b.createdAt - a.createdAt)[0]);
          req.onerror = () => reject(req.error);
        };
      }),
  );
  return { wallMs, run };
}

async function main() {
  const hard = setTimeout(() => {
    console.error('bench:audit: hard time limit reached, aborting');
    process.exit(2);
  }, HARD_LIMIT_MS);
  hard.unref();
  for (const id of [CHAT_MODEL, NLI, EMBED]) {
    if (!fs.existsSync(path.join(MODELS_DIR, id, 'config.json'))) throw new Error(`bench model ${id} missing in .bench/models (npm run bench:models; bench:chat derives ${CHAT_MODEL})`);
  }
  if (!NO_BUILD || !fs.existsSync(path.join(OUT_DIR, 'index.html'))) {
    log('vite build → .bench/audit-dist');
    const write = process.stdout.write;
    process.stdout.write = (...a) => process.stderr.write(...a);
    try {
      await build({ root: ROOT, logLevel: 'warn', build: { outDir: OUT_DIR, emptyOutDir: true } });
    } finally {
      process.stdout.write = write;
    }
  }
  const port = await freePort();
  const server = await preview({ root: ROOT, logLevel: 'warn', build: { outDir: OUT_DIR }, preview: { host: '127.0.0.1', port, strictPort: true, open: false }, plugins: [benchModelsPlugin()] });
  const baseURL = `http://127.0.0.1:${port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const result = { machine: { ...machine(), chromium: browser.version() }, config: { probes: PROBES, tokens: TOKENS, warmProbes: WARM_PROBES, model: CHAT_MODEL, nli: NLI, embed: EMBED, statements: STATEMENTS.length }, uptime: { start: uptime() } };
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
    const page = await context.newPage();
    page.on('pageerror', (e) => log('page error:', e.message));
    result.setup = await setUp(page, baseURL);
    log(`set up: ${JSON.stringify(result.setup)}`);
    if (WARM_PROBES > 0) {
      const warm = await audit(page, WARM_PROBES);
      log(`warm-up audit: ${WARM_PROBES} probes in ${warm.wallMs} ms`);
    }
    result.uptime.beforeTimed = uptime();
    const { wallMs, run } = await audit(page, PROBES);
    result.uptime.afterTimed = uptime();
    const done = run.results.filter((r) => r.status === 'done');
    const gen = done.map((r) => r.generateMs);
    const check = done.map((r) => r.checkMs);
    const per = done.map((r) => r.generateMs + r.checkMs);
    const sentences = done.map((r) => r.verdict?.sentences.length ?? 0);
    result.timed = {
      status: run.status,
      probes: run.probes.length,
      done: done.length,
      failed: run.results.length - done.length,
      wallMs,
      perProbeMs: { median: median(per), mean: sum(per) / per.length, min: Math.min(...per), max: Math.max(...per) },
      generateMs: { median: median(gen), total: sum(gen) },
      checkMs: { median: median(check), total: sum(check) },
      checkerShare: sum(check) / (sum(gen) + sum(check)),
      overheadMs: wallMs - sum(per),
      sentencesPerAnswer: median(sentences),
      pairsPerProbe: median(sentences) * STATEMENTS.length,
      maxTokens: run.maxTokens,
    };
    const t = result.timed;
    const lines = [
      `bench:audit — ${result.machine.date}, ${result.machine.nproc} cores (${result.machine.cpu}), Chromium ${result.machine.chromium}`,
      `uptime before: ${result.uptime.start}`,
      `uptime at the timed run: ${result.uptime.beforeTimed} → ${result.uptime.afterTimed}`,
      '',
      `| metric | value |`,
      `| --- | ---: |`,
      `| probes (done / failed) | ${t.done} / ${t.failed} of ${t.probes} |`,
      `| answer length, tokens | ${t.maxTokens} |`,
      `| statements × sentences per answer | ${STATEMENTS.length} × ${t.sentencesPerAnswer} |`,
      `| whole audit, click → report, s | ${fmt(wallMs / 1000, 1)} |`,
      `| per probe, median (min–max), ms | ${fmt(t.perProbeMs.median)} (${fmt(t.perProbeMs.min)}–${fmt(t.perProbeMs.max)}) |`,
      `| generation per probe, median, ms | ${fmt(t.generateMs.median)} |`,
      `| checker per probe, median, ms | ${fmt(t.checkMs.median)} |`,
      `| checker's share of probe time | ${fmt(100 * t.checkerShare, 1)} % |`,
      `| outside both (saves, UI), s | ${fmt(t.overheadMs / 1000, 1)} |`,
    ];
    console.log(lines.join('\n'));
  } finally {
    await browser.close();
    await new Promise((r) => server.httpServer.close(r));
    fs.mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, '.bench', 'audit.json'), JSON.stringify(result, null, 2));
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
