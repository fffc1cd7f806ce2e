import { expect, test } from '../fixtures';
import { APP_URL, MODELS_URL } from './dist';
import { DistStudio } from './DistStudio';
import { MODEL_MS } from '../pages/limits';

/**
 * Storage full. Messages: IndexedDB writes are made to throw the browser's
 * QuotaExceededError (a patch of IDBObjectStore.put/add switched on by a
 * flag). Models: the origin's real quota is lowered over DevTools
 * (Storage.overrideQuotaForOrigin), so the model worker's Cache Storage
 * writes fail exactly as on a full disk.
 */
test('storage full while sending: a clear message, nothing saved is lost, the draft stays', async ({ studio, page, context }) => {
  await page.addInitScript(() => {
    for (const method of ['put', 'add'] as const) {
      const original = IDBObjectStore.prototype[method];
      IDBObjectStore.prototype[method] = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
        if ((window as { __storageFull?: boolean }).__storageFull) {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        }
        return original.apply(this, args);
      };
    }
  });
  const dist = new DistStudio(page, context);
  const { chat } = dist;
  await dist.openOnline();
  await chat.openModels();
  await dist.useModelSource(MODELS_URL);
  await chat.loadModelAndStartChat('tiny-decoder', 'Maren Holt');
  await chat.send('A first message that fits.');
  await expect(chat.messages).toHaveCount(3);
  await chat.waitReplyDone();
  const before = await studio.dumpLibrary();

  await page.evaluate(() => ((window as { __storageFull?: boolean }).__storageFull = true));
  await chat.send('This one does not fit.');
  const error = studio.errors.last();
  await expect(error).toContainText('Your message could not be saved');
  await expect(error).toContainText('run out of storage');
  await expect(error).toContainText('Nothing already saved was lost');
  await expect(chat.composer()).toHaveValue('This one does not fit.');
  await expect(chat.messages).toHaveCount(3);
  expect(await studio.dumpLibrary()).toEqual(before);

  // Space freed: the same draft goes through, and everything survives a reload.
  await page.evaluate(() => ((window as { __storageFull?: boolean }).__storageFull = false));
  await chat.composer().press('Enter');
  await expect(chat.messages).toHaveCount(5);
  await chat.waitReplyDone();
  await page.reload();
  await expect(chat.messages).toHaveCount(5);
  await expect(chat.messages.nth(3)).toContainText('This one does not fit.');
});

/**
 * transformers.js 4.3.1 catches Cache.put failures itself (storeCachedResource
 * → logger.warn), so the model loads but is not saved; the engine store checks
 * the cache after a load and the studio tells the user (a notice naming storage).
 * WebLLM's cache writes do throw, and classifyEngineError already maps them to
 * ModelLoadError 'storage-full' (not testable here: no WebGPU in this project).
 */
test('storage full while saving a model: a clear message, the library intact', async ({ studio, page, context }) => {
  const dist = new DistStudio(page, context);
  const { chat } = dist;
  await dist.openOnline();
  const before = await studio.dumpLibrary();
  const origin = new URL(APP_URL).origin;
  const cdp = await context.newCDPSession(page);
  const { usage } = await page.evaluate(() => navigator.storage.estimate());
  // Room for ~100 KB more: the fixture decoder's 466 KB onnx file can't be stored.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: (usage ?? 0) + 100_000 });
  try {
    await chat.openModels();
    await dist.useModelSource(MODELS_URL);
    await chat.loadModelById('tiny-decoder');
    await chat.waitModelReady();
    // The simulation works: the weights were not stored.
    const stored = await page.evaluate(
      async (url) => (await (await caches.open('transformers-cache')).match(url)) !== undefined,
      `${MODELS_URL}tiny-decoder/onnx/model_quantized.onnx`,
    );
    expect(stored).toBe(false);
    expect(await studio.dumpLibrary()).toEqual(before);
    // What the user must be told: it is loaded, but not saved (storage full).
    await expect(studio.notices.filter({ hasText: /storage/i })).toBeVisible({ timeout: MODEL_MS });
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  }
});
