import type { Response } from '@playwright/test';
import { expect, test } from '../fixtures';
import { APP_URL, MODELS_URL } from './dist';
import { DistStudio } from './DistStudio';

/**
 * After one online visit the studio works with no network: the app from the
 * service worker's precache, the library and chats from IndexedDB, and a model
 * downloaded before from transformers.js's own Cache Storage ('transformers-cache').
 * The fixture decoder has random weights: it checks plumbing, not prose.
 */
test('online visit, then offline: reload opens the library, the chat and the downloaded model', async ({ studio, page, context }) => {
  const dist = new DistStudio(page, context);
  const { chat } = dist;
  await dist.openOnline();
  await chat.openModels();
  await dist.useModelSource(MODELS_URL);
  await chat.loadModelAndStartChat('tiny-decoder', 'Maren Holt');
  await chat.send('Hello before the flight.');
  await expect(chat.messages).toHaveCount(3);
  await chat.waitReplyDone();
  const before = await studio.dumpLibrary();
  expect(before.messages).toHaveLength(3);

  await context.setOffline(true);
  const responses: Response[] = [];
  const failed: string[] = [];
  page.on('response', (r) => responses.push(r));
  page.on('requestfailed', (r) => failed.push(r.url()));
  await page.reload();
  await dist.waitForLibrary();
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  // The same chat (hash route), every message intact.
  await expect(chat.messages).toHaveCount(3);
  expect(await studio.dumpLibrary()).toEqual(before);
  // Everything the app needed came from the service worker.
  const appResponses = responses.filter((r) => r.url().startsWith(APP_URL));
  expect(appResponses.length).toBeGreaterThan(0);
  expect(appResponses.filter((r) => !r.fromServiceWorker()).map((r) => r.url())).toEqual([]);
  expect(failed.filter((u) => u.startsWith(APP_URL))).toEqual([]);

  // The model loads again from the browser's cache and answers.
  await chat.openModels();
  await chat.loadModelById('tiny-decoder');
  await chat.waitModelReady();
  expect((await dist.isolation()).workerIsolated).toBe(true);
  await chat.openChat('Maren Holt');
  await expect(chat.messages).toHaveCount(3);
  await chat.send('Hello from the plane.');
  await expect(chat.messages).toHaveCount(5);
  await chat.waitReplyDone();
  await expect(chat.lastMessage()).toHaveAttribute('data-state', 'done');
  expect((await chat.lastMessage().getByTestId('message-text').innerText()).trim().length).toBeGreaterThan(0);
  await expect(studio.errors).toHaveCount(0);
  // No model file reached the network while offline (it all came from Cache Storage).
  expect(failed.filter((u) => u.startsWith(MODELS_URL))).toEqual([]);
});
