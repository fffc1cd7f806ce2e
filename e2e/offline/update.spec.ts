import { expect, test } from '../fixtures';
import { deploy, VERSION_A, VERSION_B } from './dist';
import { DistStudio } from './DistStudio';
import { MODEL_MS } from '../pages/limits';

/**
 * A redeploy (build b over build a, same sources, another APP_VERSION) makes a
 * new service worker. It waits; the open studio says so, and "Reload" switches
 * to the new version. Nothing in the library is touched.
 */
test.afterEach(() => deploy('a', { clean: true }));

test('a new version waits for "Reload", then takes over with the library intact', async ({ studio, page, context }) => {
  const dist = new DistStudio(page, context);
  await dist.openOnline();
  expect(await dist.serviceWorkerVersion()).toBe(VERSION_A);
  await studio.createCharacter('Update Tester');
  const before = await studio.dumpLibrary();
  const scriptA = await dist.mainScript();

  deploy('b', { clean: false });
  // A navigation checks for a new service worker; it installs and waits.
  await page.reload();
  const prompt = page.getByTestId('update-prompt');
  await expect(prompt).toContainText('A new version of the studio is ready.', { timeout: MODEL_MS });
  // Until the user agrees, the old version keeps serving.
  expect(await dist.serviceWorkerVersion()).toBe(VERSION_A);
  expect(await dist.mainScript()).toBe(scriptA);

  await prompt.getByRole('button', { name: 'Reload' }).click();
  await expect.poll(() => dist.mainScript().catch(() => scriptA), { timeout: MODEL_MS }).not.toBe(scriptA);
  await dist.waitForLibrary();
  expect(await dist.serviceWorkerVersion()).toBe(VERSION_B);
  await expect(prompt).toHaveCount(0);
  expect(await studio.dumpLibrary()).toEqual(before);
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
});

test('"Later" hides the prompt; the old version keeps working', async ({ page, context }) => {
  const dist = new DistStudio(page, context);
  await dist.openOnline();
  deploy('b', { clean: false });
  await page.reload();
  const prompt = page.getByTestId('update-prompt');
  await expect(prompt).toBeVisible({ timeout: MODEL_MS });
  await prompt.getByRole('button', { name: 'Later' }).click();
  await expect(prompt).toHaveCount(0);
  expect(await dist.serviceWorkerVersion()).toBe(VERSION_A);
  await dist.chat.openModels();
});
