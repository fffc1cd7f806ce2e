import { expect, test } from '../fixtures';
import { cardPath } from '../pages/StudioPage';
import { APP_URL, VERSION_A } from './dist';
import { DistStudio, recordRequests } from './DistStudio';

/**
 * The production build, served as plain static files under /studio/ by a host
 * that sends no COOP/COEP (like GitHub Pages): everything resolves relative to
 * the sub-path, the service worker installs, and it isolates the page.
 */
test('built studio under /studio/: loads, precaches, isolates, imports a card, opens every screen', async ({ studio, page, context }) => {
  const log = recordRequests(context);
  const dist = new DistStudio(page, context);
  await dist.openOnline();

  expect(page.url()).toBe(APP_URL);
  expect(await dist.serviceWorkerVersion()).toBe(VERSION_A);
  // Every app file came from under /studio/ (relative base), none from the host's root.
  const appFiles = log.filter((r) => new URL(r.url).origin === new URL(APP_URL).origin);
  expect(appFiles.length).toBeGreaterThan(0);
  expect(appFiles.filter((r) => !new URL(r.url).pathname.startsWith('/studio/'))).toEqual([]);
  // The service worker precached every engine asset.
  const precached = await page.evaluate(async () => {
    const out: string[] = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) out.push(new URL(req.url).pathname);
    }
    return out;
  });
  for (const asset of [/\/studio\/index\.html/, /transformers-chat\.worker-.*\.js/, /webllm\.worker-.*\.js/, /checker\.worker-.*\.js/, /ort-wasm-simd-threaded\.asyncify-.*\.wasm/, /ort-wasm-simd-threaded\.asyncify-.*\.mjs/, /icons\/icon-512\.png/, /manifest\.webmanifest/]) {
    expect(precached.some((p) => asset.test(p)), `precached: ${asset}`).toBe(true);
  }
  // Installable: the manifest with its three icons, reachable relative to the page.
  const manifest = await page.evaluate(async () => {
    const href = document.querySelector<HTMLLinkElement>('link[rel="manifest"]')!.href;
    return { href, json: (await (await fetch(href)).json()) as { icons: { src: string; purpose: string; sizes: string }[]; start_url: string } };
  });
  expect(manifest.href).toBe(`${APP_URL}manifest.webmanifest`);
  expect(manifest.json.icons.map((i) => `${i.sizes} ${i.purpose}`)).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
  for (const icon of manifest.json.icons) {
    const ok = await page.evaluate(async (src) => (await fetch(new URL(src, document.baseURI))).ok, icon.src);
    expect(ok, icon.src).toBe(true);
  }

  await studio.importFiles([cardPath('default_Seraphina.png')]);
  await expect(page.getByTestId('editor-title')).toHaveText('Seraphina');
  await dist.chat.openModels();
  await expect(page.getByTestId('engine-choice')).toHaveAttribute('data-kind', 'transformers');
  await studio.goSettings();
  await expect(page.getByText(/Storage/).first()).toBeVisible();
  await expect(studio.errors).toHaveCount(0);
});
