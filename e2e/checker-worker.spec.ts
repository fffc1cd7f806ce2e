/**
 * The consistency checker's real worker in real Chromium: transformers.js
 * loads the tiny fixture models (e2e/fixtures/models, see
 * scripts/fixtures/README.md), served by intercepting the Hugging Face URLs.
 *
 * IMPORTANT: tiny-nli is a PLUMBING fixture, not a judge of meaning: it calls
 * "contradiction" when premise and hypothesis share a content word and exactly
 * one is negated, "entailment" when they share one with the same polarity,
 * "neutral" otherwise (probability 0.995 for the winner). The sentences below
 * are chosen so the answers are known in advance.
 *
 * Checked here: Playwright's context.route intercepts fetches made inside a
 * dedicated Web Worker (Chromium 156, Playwright 1.65), so no dev-server
 * middleware is needed.
 *
 * The spec drives the engine modules directly, through the hook the e2e
 * build exposes (`window.__e2eModules`, src/testing/e2eModules.ts); no UI is
 * involved.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from '@playwright/test';
import type { E2eModules } from '../src/testing/e2eModules';
import { expect, test } from './fixtures';

/** The page hook is set once the studio's test doubles have loaded. */
async function openWithModules(page: Page) {
  await page.goto('/');
  await page.waitForFunction(() => '__e2eModules' in window);
}

const MODELS_DIR = fileURLToPath(new URL('./fixtures/models/', import.meta.url));
const HF_FILE = /^https:\/\/huggingface\.co\/([^/]+)\/resolve\/[^/]+\/(.+)$/;

/** Serves e2e/fixtures/models/<id>/<file> for https://huggingface.co/<id>/resolve/<rev>/<file>; records URLs. */
async function serveFixtureModels(context: BrowserContext): Promise<{ modelRequests: string[]; cdnRequests: string[] }> {
  const modelRequests: string[] = [];
  const cdnRequests: string[] = [];
  await context.route('https://huggingface.co/**', async (route) => {
    const url = route.request().url();
    modelRequests.push(url);
    const m = HF_FILE.exec(url);
    // CORS headers: the worker is cross-origin isolated (COEP require-corp) and fetches with mode cors.
    const headers = { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' };
    if (!m || m[2]!.includes('..')) return route.fulfill({ status: 404, headers, body: 'not found' });
    try {
      const body = await readFile(`${MODELS_DIR}${m[1]}/${m[2]}`);
      await route.fulfill({
        status: 200,
        headers: {
          ...headers,
          'content-type': m[2]!.endsWith('.json') ? 'application/json' : 'application/octet-stream',
          'content-length': String(body.length),
        },
        body,
      });
    } catch {
      await route.fulfill({ status: 404, headers, body: 'not found' });
    }
  });
  // onnxruntime's wasm must come from our bundle, never a CDN.
  await context.route(/cdn\.jsdelivr\.net|unpkg\.com/, async (route) => {
    cdnRequests.push(route.request().url());
    await route.abort();
  });
  return { modelRequests, cdnRequests };
}

test('checker worker: loads fixture models, flags a contradiction live, caches re-checks', async ({ page, context }) => {
  test.setTimeout(120_000);
  const { modelRequests, cdnRequests } = await serveFixtureModels(context);
  await openWithModules(page);

  const result = await page.evaluate(async () => {
    const modules = (window as unknown as { __e2eModules: E2eModules }).__e2eModules;
    const clientModule = await modules.checkerClient();
    const live = await modules.liveCheck();
    const statements = [
      { id: 's-water', version: 1, text: 'Maren is afraid of deep water.', enabled: true },
      { id: 's-eyes', version: 1, text: 'Maren has amber eyes.', enabled: true },
      { id: 's-caring', version: 1, text: 'Maren is caring.', enabled: true },
    ];
    const reply = 'Hello there, traveller. Maren is not afraid of deep water. Her amber eyes glow softly.';
    const consistent = 'Hello there, traveller. Maren stays far away from the deep water. Her amber eyes glow softly.';
    const userTurn = 'Are you afraid of the water?';

    const client = new clientModule.CheckerClient();
    const states: string[] = [];
    client.subscribe((s) => {
      if (states.at(-1) !== s.state) states.push(s.state);
    });
    const progress: { phase: string; progress: number; loadedBytes?: number; totalBytes?: number }[] = [];
    const t0 = performance.now();
    const info = await client.load(
      { nliModelId: 'tiny-nli', embeddingModelId: 'tiny-embed' },
      { onProgress: (p) => progress.push({ phase: p.phase, progress: p.progress, loadedBytes: p.loadedBytes, totalBytes: p.totalBytes }) },
    );
    const loadMs = performance.now() - t0;

    // Live: stream in 3-character deltas at ~15 ms each, stop in the middle of
    // sentence 3 and wait for sentence 2's flag — before end() is called.
    const check = live.startLiveCheck({ client, statements, userTurn });
    const events: { index: number; flagged: boolean; statementIds: string[]; pcWater: number; latencyMs: number; at: number }[] = [];
    let flagged!: () => void;
    const flagArrived = new Promise<void>((resolve) => (flagged = resolve));
    check.onSentence((s) => {
      events.push({
        index: s.sentence.index,
        flagged: s.flagged,
        statementIds: s.statementIds,
        pcWater: s.scores.find((x) => x.statementId === 's-water')?.pc ?? -1,
        latencyMs: s.latencyMs,
        at: performance.now(),
      });
      if (s.flagged) flagged();
    });
    const cut = reply.indexOf('Her amber') + 6;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (let i = 0; i < cut; i += 3) {
      check.feed(reply.slice(i, Math.min(i + 3, cut)));
      await sleep(15);
    }
    await Promise.race([flagArrived, sleep(15_000)]);
    const stateBeforeEnd = check.state;
    const eventsBeforeEnd = events.length;
    for (let i = cut; i < reply.length; i += 3) check.feed(reply.slice(i, i + 3));
    const endCalledAt = performance.now();
    const outcome = await check.end();
    if (outcome.status !== 'checked') throw new Error(`live check skipped: ${outcome.message}`);
    const flagBeforeEnd = events.some((e) => e.flagged && e.at < endCalledAt);

    // Same reply again: every pair from the cache.
    const sentBefore = client.stats.nliPairsSent;
    const again = await live.checkReply(client, { statements, userTurn, replyText: reply });
    const newPairs = client.stats.nliPairsSent - sentBefore;
    if (again.status !== 'checked') throw new Error('re-check skipped');

    const ok = await live.checkReply(client, { statements, userTurn, replyText: consistent });
    if (ok.status !== 'checked') throw new Error('consistent check skipped');

    const water = outcome.statements.find((s) => s.statementId === 's-water')!;
    return {
      info,
      loadMs,
      states,
      progress,
      crossOriginIsolated: self.crossOriginIsolated,
      events,
      stateBeforeEnd,
      eventsBeforeEnd,
      flagBeforeEnd,
      verdict: outcome.verdict,
      flaggedSentences: outcome.flaggedSentences,
      water: { status: water.status, pc: water.pc, sentenceIndex: water.sentenceIndex, r: water.r },
      sentences: outcome.sentences.map((s) => s.text),
      relevance: outcome.relevance,
      timings: outcome.timings,
      firstStats: outcome.stats,
      again: { stats: again.stats, timings: again.timings, flaggedSentences: again.flaggedSentences },
      newPairs,
      consistent: {
        flaggedSentences: ok.flaggedSentences,
        verdict: ok.verdict,
        water: ok.statements.find((s) => s.statementId === 's-water')!.status,
      },
    };
  });

  console.log(
    JSON.stringify(
      {
        loadMs: Math.round(result.loadMs),
        workerLoadMs: Math.round(result.info.loadMs),
        warmUpMs: Math.round(result.info.warmUpMs),
        threads: result.info.threads,
        crossOriginIsolated: result.crossOriginIsolated,
        sentenceLatencyMs: result.timings.sentenceLatencyMs.map((x) => Math.round(x * 10) / 10),
        verdictMs: Math.round(result.timings.verdictMs * 10) / 10,
        recheckVerdictMs: Math.round(result.again.timings.verdictMs * 10) / 10,
      },
      null,
      0,
    ),
  );

  // Loading: progress in bytes, the states in order, our bundled onnxruntime.
  expect(result.states.slice(0, 6)).toEqual(['downloading', 'loading', 'warming', 'ready', 'busy', 'ready']);
  expect(result.states.at(-1)).toBe('ready');
  const downloading = result.progress.filter((p) => p.phase === 'downloading');
  expect(downloading.length).toBeGreaterThan(0);
  expect(result.progress.some((p) => p.phase === 'loading' && (p.totalBytes ?? 0) > 1_000_000)).toBe(true);
  expect(result.progress.at(-1)).toMatchObject({ phase: 'warming', progress: 1 });
  expect(result.info.labelColumns).toEqual({ contradiction: 0, entailment: 1, neutral: 2 });
  expect(result.info.embeddingDim).toBe(96);
  expect(result.crossOriginIsolated).toBe(true);
  expect(result.info.threads).toBeGreaterThanOrEqual(1);
  expect(modelRequests.some((u) => u.endsWith('/tiny-nli/resolve/main/onnx/model_quantized.onnx'))).toBe(true);
  expect(modelRequests.some((u) => u.endsWith('/tiny-embed/resolve/main/onnx/model_quantized.onnx'))).toBe(true);
  expect(cdnRequests).toEqual([]);

  // Live: the flag for sentence 2 arrived while the reply was still streaming.
  expect(result.stateBeforeEnd).toBe('running');
  expect(result.eventsBeforeEnd).toBeGreaterThanOrEqual(2);
  expect(result.flagBeforeEnd).toBe(true);
  const byIndex = Object.fromEntries(result.events.map((e) => [e.index, e]));
  expect(byIndex[1]).toMatchObject({ flagged: true, statementIds: ['s-water'] });
  expect(byIndex[1]!.pcWater).toBeGreaterThan(0.9);
  expect(byIndex[0]).toMatchObject({ flagged: false });
  expect(byIndex[2]).toMatchObject({ flagged: false });

  // Verdict: the right statement, on the right sentence.
  expect(result.sentences).toEqual(['Hello there, traveller.', 'Maren is not afraid of deep water.', 'Her amber eyes glow softly.']);
  expect(result.verdict).toBe('contradicts');
  expect(result.flaggedSentences).toEqual([{ sentenceIndex: 1, statementIds: ['s-water'] }]);
  expect(result.water).toMatchObject({ status: 'contradicted', sentenceIndex: 1 });
  expect(result.water.pc).toBeGreaterThan(0.9);
  expect(result.relevance['s-water']).toBeGreaterThan(0.9); // "afraid … water" (tiny-embed cosine ≈ 0.8)
  expect(result.relevance['s-eyes']).toBeLessThan(0.2);
  expect(result.firstStats).toEqual({ pairs: 9, pairsCached: 0, skippedPairs: 0 });

  // Cache: the identical re-check sends no NLI pair.
  expect(result.newPairs).toBe(0);
  expect(result.again.stats).toEqual({ pairs: 9, pairsCached: 9, skippedPairs: 0 });
  expect(result.again.flaggedSentences).toEqual(result.flaggedSentences);

  // A consistent reply is not flagged.
  expect(result.consistent.flaggedSentences).toEqual([]);
  expect(result.consistent.verdict).not.toBe('contradicts');
  expect(result.consistent.water).toBe('kept');
});

test('checker worker: self-hosted models (relative base URL); a second load reads the browser cache', async ({ page }) => {
  test.setTimeout(120_000);
  const requests: string[] = [];
  await page.route('**/self-hosted-models/**', async (route) => {
    const url = new URL(route.request().url());
    requests.push(url.pathname);
    const rel = url.pathname.replace(/^.*\/self-hosted-models\//, '');
    if (rel.includes('..')) return route.fulfill({ status: 404, body: 'not found' });
    try {
      const body = await readFile(`${MODELS_DIR}${rel}`);
      await route.fulfill({ status: 200, headers: { 'content-length': String(body.length) }, body });
    } catch {
      await route.fulfill({ status: 404, body: 'not found' });
    }
  });
  await openWithModules(page);

  const run = () =>
    page.evaluate(async () => {
      const m = await (window as unknown as { __e2eModules: E2eModules }).__e2eModules.checkerClient();
      const client = new m.CheckerClient();
      const t0 = performance.now();
      await client.load({
        nliModelId: 'tiny-nli',
        embeddingModelId: 'tiny-embed',
        source: { kind: 'self-hosted', baseUrl: 'self-hosted-models/' },
      });
      const loadMs = performance.now() - t0;
      const [s] = await client.scoreSentence('Maren is not afraid of deep water.', [
        { id: 's1', version: 1, text: 'Maren is afraid of deep water.' },
      ]);
      client.dispose();
      return { loadMs, contradiction: s!.contradiction };
    });

  const first = await run();
  const firstRequests = requests.length;
  const second = await run();
  console.log(JSON.stringify({ coldLoadMs: Math.round(first.loadMs), cachedLoadMs: Math.round(second.loadMs) }));
  expect(first.contradiction).toBeGreaterThan(0.9);
  expect(second.contradiction).toBeGreaterThan(0.9);
  expect(requests).toContain('/self-hosted-models/tiny-nli/onnx/model_quantized.onnx');
  expect(firstRequests).toBeGreaterThanOrEqual(8);
  // transformers.js keeps every file in Cache Storage: the second load fetches nothing.
  expect(requests.length).toBe(firstRequests);
});
