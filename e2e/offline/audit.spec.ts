import { expect, test } from '../fixtures';
import { CheckerPage } from '../pages/CheckerPage';
import { cardPath } from '../pages/StudioPage';
import { APP_URL, MODELS_URL } from './dist';
import { DistStudio, recordRequests, strayRequests } from './DistStudio';
import { MODEL_MS } from '../pages/limits';
import { ServerPage } from '../pages/ServerPage';
import { startTestServer } from '../../scripts/test-server/spawn.mjs';

/**
 * No stray requests: a full session (open, import, load a chat model, chat,
 * load the checker, check) may reach only the app's own origin and the
 * configured model source (a second origin here). A CDN fetch (jsDelivr for
 * onnxruntime, GitHub for WebLLM libraries), an analytics beacon or a font
 * host would fail this test even offline, because the attempt is recorded.
 *
 * Seen here (Chromium, Playwright 1.65): `context.on('request')` reports the
 * service worker's own precache fetches (request.serviceWorker() set), and
 * `context.route` intercepts them too — unless the context blocks service
 * workers. Requests the service worker answers from its cache reach no route.
 */
test('a full session requests nothing but the app origin and the model source', async ({ studio, page, context }) => {
  const log = recordRequests(context);
  const routed: string[] = [];
  await context.route(`${APP_URL}assets/**`, async (route) => {
    routed.push(route.request().url());
    await route.continue();
  });
  const dist = new DistStudio(page, context);
  const { chat } = dist;
  const checker = new CheckerPage(page);

  await dist.openOnline();
  await studio.importFiles([cardPath('default_Seraphina.png')]);
  await expect(page.getByTestId('editor-title')).toHaveText('Seraphina');

  await chat.openModels();
  await dist.useModelSource(MODELS_URL);
  await checker.configureFixtureChecker();
  await chat.loadModelById('tiny-decoder');
  await chat.waitModelReady();

  await chat.openChat('Maren Holt');
  await chat.startChat();
  await expect(page.getByTestId('persona-panel')).toContainText('Checker ready', { timeout: MODEL_MS });
  await chat.send('Will you walk down to the water with me?');
  await expect(chat.messages).toHaveCount(3);
  await chat.waitReplyDone();
  // The reply was checked (the verdict itself is meaningless on random weights).
  await expect(chat.lastMessage().getByTestId('verdict-badge')).toBeVisible({ timeout: MODEL_MS });

  const stray = strayRequests(log, [APP_URL, MODELS_URL]);
  expect(stray, `stray requests:\n${stray.map((r) => `${r.method} ${r.url}`).join('\n')}`).toEqual([]);
  // Nothing the app asked its own origin for was missing from the build (a 404
  // there means a file the bundler did not emit, e.g. a worker or wasm path).
  const broken = log.filter((r) => r.url.startsWith(APP_URL) && (r.status === 'failed' || (typeof r.status === 'number' && r.status >= 400)));
  expect(broken.map((r) => `${r.status} ${r.url}`)).toEqual([]);
  // Sanity: the log really covers the session, the model source and the service worker.
  const models = log.filter((r) => r.url.startsWith(MODELS_URL)).map((r) => r.url.slice(MODELS_URL.length));
  expect(models).toEqual(expect.arrayContaining(['tiny-decoder/onnx/model_quantized.onnx', 'tiny-nli/config.json', 'tiny-embed/tokenizer.json']));
  const precacheFetches = log.filter((r) => r.byServiceWorker);
  expect(precacheFetches.some((r) => /ort-wasm-simd-threaded.*\.wasm/.test(r.url))).toBe(true);
  expect(routed.some((u) => /ort-wasm-simd-threaded.*\.wasm/.test(u))).toBe(true);
  test.info().annotations.push({
    type: 'requests',
    description: `${log.length} requests: ${precacheFetches.length} by the service worker, ${models.length} model files, 0 elsewhere`,
  });
});

test('with the server engine chosen, the only other host asked is exactly the configured server', async ({ page, context }) => {
  const server = await startTestServer(['--models', 'test-model', '--reply', 'The lamp is lit.']);
  try {
    const log = recordRequests(context);
    const dist = new DistStudio(page, context);
    const { chat } = dist;
    const models = new ServerPage(page);

    await dist.openOnline();
    await chat.openModels();
    await models.setUp(server.baseUrl, 'test-model');
    await chat.openChat('Maren Holt');
    await chat.startChat();
    await chat.send('Is the lamp lit?');
    await chat.waitReplyDone();
    await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('The lamp is lit.');

    const stray = strayRequests(log, [APP_URL, `${server.origin}/`]);
    expect(stray, `stray requests:\n${stray.map((r) => `${r.method} ${r.url}`).join('\n')}`).toEqual([]);
    // Sanity: the server was asked, and only for the OpenAI endpoints.
    const asked = [...new Set(log.filter((r) => r.url.startsWith(server.origin)).map((r) => new URL(r.url).pathname))].sort();
    expect(asked).toEqual(['/v1/chat/completions', '/v1/models']);
  } finally {
    await server.stop();
  }
});
