/**
 * `npm run bench:guard` part B — what N takes and the guard cost, in the
 * built studio in headless Chromium, on the CPU engine (transformers.js) with
 * the random-weight bench decoder and the real checker (bench-nli +
 * bench-embed, `.bench/models`; see scripts/bench/chat.mjs for the serving).
 *
 * 1. Builds the studio (`vite build` → .bench/guard-dist; --no-build reuses it)
 *    and serves it with `vite preview` (COOP/COEP from vite.config.ts: the page
 *    is cross-origin isolated, onnxruntime runs 2 threads), .bench/models under
 *    /bench-models/.
 * 2. In the studio, through its UI: the self-hosted source, the checker
 *    (bench-nli + bench-embed, flag threshold --threshold), the chat model
 *    (bench-decoder-words when derived — scripts/bench/words_model.py — else
 *    bench-decoder: same compute per token), a short imported card with
 *    STATEMENTS added in the editor, a chat with temperature 0 and --tokens
 *    max reply tokens.
 * 3. Pre-warm (≥ --warmup-ms and ≥ 2 checked replies), then --runs rounds;
 *    each round sends one message under every SETTING (interleaved, so the
 *    history's slow growth and the machine's load drift touch every setting
 *    alike). Per send: latency from the Send click to the turn over on screen
 *    (final shown swipe + its verdict, Send back), chat model calls and tokens
 *    generated (the worker's usage), checker time (union of the checker
 *    worker's calls in flight during the turn) and NLI pairs, and what the
 *    screen shows (swipes, verdict, guard note).
 *
 * Why the threshold is low: the guard only retries a reply with a flagged
 * contradiction (or assistant voice / speaking for the user). The bench
 * models have random weights, so whether "a a a …" contradicts a statement
 * is whatever the random NLI says; at --threshold 0.05 (the settings field's
 * minimum) a sentence is flagged as soon as P(contradiction) ≥ 0.05, which
 * the random NLI gives every pair, so every take fails and the guard makes
 * all K retries: the guard's worst case. (With nothing flagged the guard adds
 * no take: its cost is then the N = 1 row.) The report says what was flagged.
 */
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, preview } from 'vite';
import { CHROMIUM_ARGS, freePort, previewModelsPlugin } from './checker-server.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BENCH_DIR = path.join(ROOT, '.bench');
const MODELS_DIR = path.join(BENCH_DIR, 'models');
const FIXTURE_MODELS_DIR = path.join(ROOT, 'e2e', 'fixtures', 'models');
const OUT_DIR = path.join(BENCH_DIR, 'guard-dist');
const PROBE = path.join(import.meta.dirname, 'guard-probe.js');
const MODELS_BASE = 'bench-models/';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HARD_LIMIT_MS = 40 * 60_000;

/**
 * A shorter card than bench:chat's: the bench tokenizer is byte-level (one
 * token per character), and with every take re-reading the prompt, prefill
 * is most of a take's time on a 2-core machine shared with others. This
 * keeps a run of every setting within minutes; the report gives the prompt's
 * token count.
 */
const CARD = {
  spec: 'chara_card_v2',
  spec_version: '2.0',
  data: {
    name: 'Bench Keeper',
    description: '{{char}} keeps the Greyhaven lighthouse. She fears deep water.',
    personality: 'dry, wary',
    scenario: '',
    first_mes: '"A fine night to come calling."',
    mes_example: '',
    creator_notes: '',
    system_prompt: '',
    post_history_instructions: '',
    alternate_greetings: [],
    tags: [],
    creator: 'bench',
    character_version: '1',
    extensions: {},
  },
};
const STATEMENTS = ['Bench Keeper is afraid of deep water.', 'Bench Keeper keeps the lighthouse.', 'Bench Keeper is dry and wary.', 'Bench Keeper has copper hair.'];
const MESSAGE = 'Will you swim with me?';

/** Every setting is measured in each round. */
const SETTINGS = [
  { label: 'N = 1, guard off', takes: 1, guard: null },
  { label: 'N = 2, guard off', takes: 2, guard: null },
  { label: 'N = 3, guard off', takes: 3, guard: null },
  { label: 'N = 1, guard K = 1', takes: 1, guard: 1 },
  { label: 'N = 1, guard K = 2', takes: 1, guard: 2 },
];

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '—');

function uptime() {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${os.loadavg().map((x) => x.toFixed(2)).join(', ')}`;
  }
}

function machine() {
  const cpu = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? os.cpus()[0]?.model ?? '?';
  return { nproc: os.availableParallelism(), cpu, ramGiB: +(os.totalmem() / 2 ** 30).toFixed(1), node: process.version, date: new Date().toISOString() };
}

/** Union length of [start, end] intervals (ms). */
function unionMs(intervals) {
  const s = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let cur = null;
  for (const [a, b] of s) {
    if (!cur || a > cur[1]) {
      if (cur) total += cur[1] - cur[0];
      cur = [a, b];
    } else cur[1] = Math.max(cur[1], b);
  }
  if (cur) total += cur[1] - cur[0];
  return total;
}

// ---------------------------------------------------------------------------
// Studio driving (same roles and labels as e2e/pages)

/** Polls `locator`'s data-state until `want`, logging each change; throws on 'error' or after 10 minutes. */
async function untilState(page, locator, want, what, log) {
  let last = '';
  const deadline = Date.now() + 600_000;
  for (;;) {
    const state = await locator.getAttribute('data-state');
    const text = (await locator.textContent())?.replace(/\s+/g, ' ').trim().slice(0, 200) ?? '';
    if (`${state} ${text}` !== last) {
      last = `${state} ${text}`;
      log(`${what}: ${last}`);
    }
    if (state === want) return;
    if (state === 'error' || Date.now() > deadline) throw new Error(`${what} did not reach ${want}: ${last}`);
    await page.waitForTimeout(2000);
  }
}

async function openModels(page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Models' }).click();
  await page.getByTestId('engine-choice').waitFor();
}

async function setUp(page, baseURL, { modelId, threshold, tokens, log }) {
  await page.addInitScript({ path: PROBE });
  await page.goto(baseURL);
  await page.getByTestId('character-list').waitFor({ timeout: 120_000 });
  await openModels(page);
  const kind = await page.getByTestId('engine-choice').getAttribute('data-kind');
  if (kind !== 'transformers') throw new Error(`studio chose engine ${kind}, expected the CPU fallback (transformers)`);
  await page.getByLabel('Self-hosted base URL').fill(`./${MODELS_BASE}`);
  await page.getByRole('button', { name: 'Save source' }).click();

  // The bench NLI (86 MB, DeBERTa-v3-xsmall shape) can outlast the checker's
  // 60 s stall watchdog while onnxruntime builds its session on a machine
  // loaded by others: two tries, then the tiny fixture checker (said in the report).
  const section = page.locator('#checker-models');
  const attempts = [
    { nli: 'bench-nli', embed: 'bench-embed' },
    { nli: 'bench-nli', embed: 'bench-embed' },
    { nli: 'tiny-nli', embed: 'tiny-embed' },
  ];
  let checker = null;
  let checkerLoadMs = 0;
  const failures = [];
  for (const models of attempts) {
    await section.getByLabel('NLI model').fill(models.nli);
    await section.getByLabel('Embedding model').fill(models.embed);
    await section.getByLabel('Flag at P(contradiction) ≥').fill(String(threshold));
    await section.getByLabel('Device').selectOption('wasm');
    await section.getByRole('button', { name: 'Save checker settings' }).click();
    await page.getByTestId('checker-status').filter({ hasText: models.nli }).waitFor();
    const t = Date.now();
    await section.getByRole('button', { name: /^(Download|Load) checker$/ }).click();
    try {
      await untilState(page, page.getByTestId('checker-status'), 'ready', `checker ${models.nli}`, log);
      checker = models;
      checkerLoadMs = Date.now() - t;
      break;
    } catch (e) {
      failures.push(`${models.nli}: ${e.message}`);
      log(`checker ${models.nli} did not load: ${e.message}`);
    }
  }
  if (!checker) throw new Error(`no checker loaded: ${failures.join('; ')}`);
  log(`checker ready (${checker.nli} + ${checker.embed}) in ${checkerLoadMs} ms`);

  const t = Date.now();
  await page.getByLabel('Load another model by id').fill(modelId);
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await page.getByRole('button', { name: /^Unload (?!checker$)/ }).waitFor({ timeout: 600_000 });
  const modelLoadMs = Date.now() - t;
  log(`chat model ${modelId} ready in ${modelLoadMs} ms`);

  await page.getByTestId('import-input').setInputFiles([
    { name: 'bench-keeper.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(CARD)) },
  ]);
  await page.getByTestId('character-list').getByRole('button', { name: /^Bench Keeper/ }).first().click();
  await page.getByTestId('editor-title').filter({ hasText: 'Bench Keeper' }).waitFor();
  for (const s of STATEMENTS) {
    await page.getByLabel('New statement').fill(s);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
  }
  await page.locator('[data-testid="save-state"][data-state="saved"]').waitFor();
  const rows = await page.getByTestId('statement-row').count();
  if (rows !== STATEMENTS.length) throw new Error(`expected ${STATEMENTS.length} statements, the editor shows ${rows}`);

  await page.getByRole('button', { name: 'Chat', exact: true }).click();
  await page.getByRole('button', { name: 'Start a chat' }).click();
  await page.getByTestId('message').first().waitFor();
  await page.getByTestId('persona-panel').filter({ hasText: 'Checker ready' }).waitFor({ timeout: 120_000 });
  await setSampling(page, { temperature: 0, tokens });
  const info = await page.evaluate(() => ({ crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency }));
  return { checker, checkerFailures: failures, checkerLoadMs, modelLoadMs, ...info };
}

async function samplingDialog(page) {
  await page.getByRole('button', { name: 'Sampling settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Sampling for this chat' });
  await dialog.waitFor();
  return dialog;
}

async function setSampling(page, { temperature, tokens }) {
  const dialog = await samplingDialog(page);
  await dialog.getByLabel('Temperature').fill(String(temperature));
  await dialog.getByLabel('Max reply tokens').fill(String(tokens));
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

async function setTakes(page, takes, guard) {
  const dialog = await samplingDialog(page);
  await dialog.getByLabel('Takes per reply').fill(String(takes));
  const toggle = dialog.getByRole('switch', { name: 'Guard' });
  if ((await toggle.getAttribute('aria-checked')) !== String(guard !== null)) await toggle.click();
  if (guard !== null) await dialog.getByLabel('Guard retries').fill(String(guard));
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** One measured turn: send MESSAGE, wait until it is over on screen, read the probe's log and the screen. */
async function turn(page) {
  await page.getByRole('textbox', { name: 'Message' }).fill(MESSAGE);
  const from = await page.evaluate(() => window.__guardBench.calls.length);
  const { t0, tShown } = await page.evaluate(() => window.__guardBench.send());
  const calls = (await page.evaluate((n) => window.__guardBench.calls.slice(n), from)).filter((c) => c.start >= t0 && c.start <= tShown);
  const generate = calls.filter((c) => c.worker === 'chat' && c.method === 'generate');
  const checker = calls.filter((c) => c.worker === 'checker' && c.end !== null);
  const lastGenerateEnd = Math.max(...generate.map((c) => c.end ?? NaN));
  const screen = await page.evaluate(() => {
    const all = document.querySelectorAll('[data-testid="message"]');
    const last = all[all.length - 1];
    const q = (id) => last.querySelector(`[data-testid="${id}"]`);
    return {
      swipes: q('swipe-counter')?.textContent?.trim() ?? '1 / 1',
      verdict: q('verdict-badge')?.getAttribute('data-verdict') ?? null,
      badge: q('verdict-badge')?.textContent?.trim() ?? null,
      guardNote: q('guard-note')?.textContent?.trim() ?? null,
      roleFlags: Number(q('role-flag-count')?.getAttribute('data-count') ?? 0),
    };
  });
  return {
    latencyMs: tShown - t0,
    generateCalls: generate.length,
    tokens: generate.reduce((a, c) => a + (c.usage?.completionTokens ?? 0), 0),
    promptTokens: generate.map((c) => c.usage?.promptTokens ?? null),
    generateMs: unionMs(generate.map((c) => [c.start, c.end ?? tShown])),
    checkerMs: unionMs(checker.map((c) => [c.start, c.end])),
    checkerCalls: checker.length,
    nliPairs: checker.filter((c) => c.method === 'nli').reduce((a, c) => a + (c.items ?? 0), 0),
    /** From the last take's text to the turn over on screen: the checker's and the ranking's share the writer waits for. */
    afterLastTakeMs: tShown - lastGenerateEnd,
    screen,
  };
}

/**
 * Runs part B and returns the markdown report.
 * @param {{ runs?: number, tokens?: number, warmupMs?: number, warmupTurns?: number, noBuild?: boolean, threshold?: number, log?: (...a: unknown[]) => void }} options
 * @throws {Error} when the bench models are missing or the studio does not behave as driven.
 */
export async function runPartB(options = {}) {
  const runs = options.runs ?? 3;
  const tokens = options.tokens ?? 16;
  const warmupMs = options.warmupMs ?? 10_000;
  const warmupTurns = options.warmupTurns ?? 2;
  const flagThreshold = options.threshold ?? 0.05;
  const started = Date.now();
  const log = options.log ?? ((...a) => console.error(`[bench:guard B ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`, ...a));
  const hard = setTimeout(() => {
    console.error('bench:guard part B: hard time limit reached, aborting');
    process.exit(2);
  }, HARD_LIMIT_MS);
  hard.unref();

  for (const id of ['bench-nli', 'bench-embed']) {
    if (!fs.existsSync(path.join(MODELS_DIR, id, 'onnx', 'model_quantized.onnx'))) throw new Error(`${id} missing in .bench/models: run npm run bench:models`);
  }
  const words = path.join(MODELS_DIR, 'bench-decoder-words', 'onnx', 'model_quantized.onnx');
  const modelId = fs.existsSync(words) ? 'bench-decoder-words' : 'bench-decoder';
  if (!fs.existsSync(path.join(MODELS_DIR, modelId, 'onnx', 'model_quantized.onnx'))) throw new Error('bench-decoder missing in .bench/models: run npm run bench:models');

  if (!options.noBuild || !fs.existsSync(path.join(OUT_DIR, 'index.html'))) {
    log('vite build (studio) → .bench/guard-dist');
    const write = process.stdout.write;
    // Vite and its plugins print to stdout; keep stdout for the report.
    process.stdout.write = (...a) => process.stderr.write(...a);
    try {
      await build({ root: ROOT, logLevel: 'warn', build: { outDir: OUT_DIR, emptyOutDir: true } });
    } finally {
      process.stdout.write = write;
    }
  }
  const port = await freePort();
  const server = await preview({
    root: ROOT,
    logLevel: 'warn',
    build: { outDir: OUT_DIR },
    preview: { host: '127.0.0.1', port, strictPort: true, open: false },
    // The fixture checker models too: the fallback when the bench NLI cannot load in time (see setUp).
    plugins: [previewModelsPlugin([MODELS_DIR, FIXTURE_MODELS_DIR], MODELS_BASE)],
  });
  const baseURL = `http://127.0.0.1:${port}/`;
  const uptimeBefore = uptime();
  log(`vite preview on ${baseURL}; ${uptimeBefore}`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const result = { machine: { ...machine(), chromium: browser.version(), uptimeBefore }, config: { runs, tokens, warmupMs, modelId, flagThreshold, statements: STATEMENTS.length } };
  const rows = SETTINGS.map((s) => ({ ...s, runs: [] }));
  try {
    // Service workers blocked: the PWA worker would precache in the background while we measure.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
    const page = await context.newPage();
    page.on('pageerror', (e) => log('page error:', e.message));
    try {
      result.setup = await setUp(page, baseURL, { modelId, threshold: flagThreshold, tokens, log });
    } catch (e) {
      await page.screenshot({ path: path.join(BENCH_DIR, 'guard-b-setup-failed.png') }).catch(() => undefined);
      log('set-up failed; screenshot in .bench/guard-b-setup-failed.png');
      throw e;
    }
    log(`set up: crossOriginIsolated=${result.setup.crossOriginIsolated}, hardwareConcurrency=${result.setup.hardwareConcurrency}`);

    const warmStart = Date.now();
    let warm = 0;
    await setTakes(page, 1, null);
    while (Date.now() - warmStart < warmupMs || warm < warmupTurns) {
      const w = await turn(page);
      warm++;
      log(`warm-up ${warm}: ${fmt(w.latencyMs)} ms, ${w.tokens} tokens, verdict ${w.screen.verdict}`);
    }
    result.warmupTurns = warm;

    for (let round = 0; round < runs; round++) {
      for (const row of rows) {
        await setTakes(page, row.takes, row.guard);
        const r = await turn(page);
        r.loadavg = +os.loadavg()[0].toFixed(2);
        row.runs.push(r);
        log(
          `round ${round + 1}/${runs} ${row.label}: ${fmt(r.latencyMs)} ms, ${r.generateCalls} takes, ${r.tokens} tokens, checker ${fmt(r.checkerMs)} ms (${r.nliPairs} pairs), ` +
            `shown ${r.screen.swipes} ${r.screen.verdict}${r.screen.guardNote ? ` — ${r.screen.guardNote}` : ''}; load ${r.loadavg}`,
        );
      }
      // A partial result after every round: a run cut short still leaves its medians.
      const partial = summarise(result, rows, started);
      fs.writeFileSync(path.join(BENCH_DIR, 'guard-b.json'), JSON.stringify(partial, null, 2));
      log(`after round ${round + 1}:\n${report(partial)}`);
    }
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
  result.machine.uptimeAfter = uptime();
  const final = summarise(result, rows, started);
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  fs.writeFileSync(path.join(BENCH_DIR, 'guard-b.json'), JSON.stringify(final, null, 2));
  return report(final);
}

/** The result with each setting's medians over the runs made so far. */
function summarise(result, rows, started) {
  return {
    ...result,
    machine: { ...result.machine, uptimeAfter: result.machine.uptimeAfter ?? uptime() },
    rows: rows.map((r) => ({
      label: r.label,
      takes: r.takes,
      guard: r.guard,
      threshold: result.config.flagThreshold,
      median: {
        latencyMs: median(r.runs.map((x) => x.latencyMs)),
        generateCalls: median(r.runs.map((x) => x.generateCalls)),
        tokens: median(r.runs.map((x) => x.tokens)),
        generateMs: median(r.runs.map((x) => x.generateMs)),
        checkerMs: median(r.runs.map((x) => x.checkerMs)),
        nliPairs: median(r.runs.map((x) => x.nliPairs)),
        afterLastTakeMs: median(r.runs.map((x) => x.afterLastTakeMs)),
      },
      runs: r.runs,
    })),
    runtimeS: Math.round((Date.now() - started) / 1000),
  };
}

function report(r) {
  const m = r.machine;
  const base = r.rows[0].median.latencyMs;
  const lines = [
    `### bench:guard part B — cost of takes and the guard in the studio (CPU engine, ${r.config.modelId})`,
    '',
    `Machine: ${m.nproc} × ${m.cpu}, ${m.ramGiB} GiB, Chromium ${m.chromium}, Node ${m.node}, ${m.date}; \`uptime\` before: ${m.uptimeBefore}; after: ${m.uptimeAfter}.`,
    `Chat model ${r.config.modelId} (random weights, SmolLM2-135M shape, transformers.js wasm, ${r.setup.crossOriginIsolated ? `cross-origin isolated, ${r.setup.hardwareConcurrency} threads` : 'NOT cross-origin isolated: 1 thread'}), temperature 0, ${r.config.tokens} max reply tokens, prompt ${r.rows[0].runs[0]?.promptTokens?.[0] ?? '?'} tokens (first measured turn; it grows each turn by the message and the shown reply); checker ${r.setup.checker.nli} + ${r.setup.checker.embed}${r.setup.checker.nli === 'bench-nli' ? ' (random weights, real sizes)' : ' (the tiny FIXTURE models: the bench NLI did not load — ' + r.setup.checkerFailures.join('; ') + ')'}, checker device CPU (wasm), ${r.config.statements} statements. Medians of ${r.rows[0].runs.length} runs per row (of ${r.config.runs} planned), rounds interleaved, after ${r.warmupTurns} warm-up turns; run time ${r.runtimeS} s.`,
    '',
    `Flagged: ${r.rows.flatMap((row) => row.runs).filter((x) => x.screen.verdict === 'contradicts').length} of ${r.rows.flatMap((row) => row.runs).length} measured turns showed a contradiction; the guard retries only those.`,
    '',
    '| setting | flag threshold | latency to the shown reply, ms | × N = 1 | takes generated | tokens generated | generating, ms | checker busy, ms (NLI pairs) | last take → shown, ms | shown (swipes, verdict, guard note) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const row of r.rows) {
    const md = row.median;
    const last = row.runs.at(-1)?.screen;
    if (!row.runs.length) continue;
    const shown = last ? `${last.swipes}, ${last.verdict}${last.guardNote ? `, “${last.guardNote}”` : ''}` : '—';
    lines.push(
      `| ${row.label} | ${row.threshold} | ${fmt(md.latencyMs)} | ${fmt(md.latencyMs / base, 2)} | ${fmt(md.generateCalls)} | ${fmt(md.tokens)} | ${fmt(md.generateMs)} | ${fmt(md.checkerMs)} (${fmt(md.nliPairs)}) | ${fmt(md.afterLastTakeMs)} | ${shown} |`,
    );
  }
  return lines.join('\n');
}
