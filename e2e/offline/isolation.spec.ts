import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '../fixtures';
import { BENCH_MODELS_DIR, BENCH_MODELS_URL, MODELS_URL } from './dist';
import { DistStudio, type ReplyTiming } from './DistStudio';

/**
 * Cross-origin isolation on a static host that sends no COOP/COEP: the
 * service worker adds them, so after its one-time reload the page and the
 * chat worker are isolated and onnxruntime gets every core. `?isolate=0`
 * opts a visit out, which gives the one-thread baseline in the same browser.
 *
 * Prints one `COI-BENCH {json}` line per mode. The default run uses the tiny
 * fixture decoder (numbers only show the plumbing); `COI_BENCH=1` with
 * `npm run bench:models` done adds the SmolLM2-135M-shaped bench decoder
 * (random weights, real size), whose numbers go into BENCHMARKS.md.
 */

interface ModeResult {
  mode: 'isolated' | 'not isolated';
  model: string;
  /** 1-minute load average of the machine when the mode finished (other jobs skew timings). */
  loadAverage: number;
  pageIsolated: boolean;
  workerIsolated: boolean | null;
  threads: number;
  /** onnxruntime pthread workers actually running (threads − 1 when isolated). */
  pthreadWorkers: number;
  runs: ReplyTiming[];
  medianDecodeTokensPerSecond: number | null;
  medianTtftMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Loads `model` in a page opened with or without isolation, then times
 * replies in a NEW chat with `character` (same prompt length in both modes).
 */
async function measure(
  dist: DistStudio,
  opts: { isolate: boolean; source: string; model: string; maxTokens: number; runs: number; character: string },
): Promise<ModeResult> {
  const { page, chat } = dist;
  await page.goto(opts.isolate ? './' : './?isolate=0');
  await dist.waitForLibrary();
  await chat.openModels();
  await dist.useModelSource(opts.source);
  await chat.loadModelById(opts.model);
  await chat.waitModelReady();
  const iso = await dist.isolation();
  await chat.openChat(opts.character);
  const start = page.getByRole('button', { name: 'Start a chat' });
  await expect(start.or(chat.composer())).toBeVisible();
  if (await start.isVisible()) await start.click();
  else await page.getByRole('button', { name: 'New chat' }).click();
  await expect(page.getByRole('button', { name: 'Sampling settings' })).toBeVisible();
  await page.getByRole('button', { name: 'Sampling settings' }).click();
  await page.getByLabel('Max reply tokens').fill(String(opts.maxTokens));
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  // Warm-up: Chromium keeps optimising fresh wasm code for a while (NOTES).
  await dist.timeReply('Good evening, keeper.');
  const runs: ReplyTiming[] = [];
  for (let i = 0; i < opts.runs; i++) runs.push(await dist.timeReply(`Tell me about the lamp, part ${i + 1}.`));
  const rates = runs.map((r) => r.decodeTokensPerSecond).filter((r): r is number => r !== null);
  const result: ModeResult = {
    mode: opts.isolate ? 'isolated' : 'not isolated',
    model: opts.model,
    loadAverage: Math.round(os.loadavg()[0]! * 10) / 10,
    pageIsolated: iso.pageIsolated,
    workerIsolated: iso.workerIsolated,
    threads: iso.threads,
    pthreadWorkers: iso.pthreadWorkers,
    runs,
    medianDecodeTokensPerSecond: rates.length ? median(rates) : null,
    medianTtftMs: median(runs.map((r) => r.ttftMs)),
  };
  console.log(`COI-BENCH ${JSON.stringify(result)}`);
  test.info().annotations.push({ type: 'coi-bench', description: JSON.stringify(result) });
  return result;
}

test('the service worker isolates the page and the chat worker; ?isolate=0 opts out (1 thread)', async ({ page, context }) => {
  const dist = new DistStudio(page, context);
  await dist.openOnline();
  const tiny = { source: MODELS_URL, model: 'tiny-decoder', maxTokens: 64, runs: 2, character: 'Maren Holt' };
  const off = await measure(dist, { ...tiny, isolate: false });
  expect(off).toMatchObject({ pageIsolated: false, workerIsolated: false, threads: 1, pthreadWorkers: 0 });
  const on = await measure(dist, { ...tiny, isolate: true });
  expect(on).toMatchObject({ pageIsolated: true, workerIsolated: true });
  expect(on.threads).toBe(await page.evaluate(() => navigator.hardwareConcurrency));
  expect(on.pthreadWorkers).toBe(on.threads - 1);
});

const BENCH_DECODER = path.join(BENCH_MODELS_DIR, 'bench-decoder/onnx/model_quantized.onnx');

test('bench: 1 vs all threads on the SmolLM2-135M-shaped decoder', async ({ studio, page, context }) => {
  test.skip(process.env.COI_BENCH !== '1' || !fs.existsSync(BENCH_DECODER), 'set COI_BENCH=1 after `npm run bench:models`');
  test.setTimeout(1_800_000);
  const dist = new DistStudio(page, context);
  await dist.openOnline();
  // A bare character keeps the prompt short (~100 tokens): the sample cards'
  // ~2,100-token prompts take minutes to prefill on one thread.
  await studio.createCharacter('Bench');
  const options = { source: BENCH_MODELS_URL, model: 'bench-decoder', maxTokens: 32, runs: 3, character: 'Bench' };
  const off = await measure(dist, { ...options, isolate: false });
  const on = await measure(dist, { ...options, isolate: true });
  expect(off.threads).toBe(1);
  expect(on.threads).toBeGreaterThan(1);
});
