/// <reference lib="webworker" />
/**
 * The studio's service worker (built by vite-plugin-pwa, injectManifest).
 *
 * - Precaches the whole build: app shell, worker bundles, onnxruntime's
 *   .wasm/.mjs, the WebLLM chunk, icons. After one online visit the studio
 *   opens with no network, and nothing comes from a CDN.
 * - Serves those files with COOP/COEP (src/pwa/isolation.ts) so static hosts
 *   that can't send headers still get multi-threaded wasm.
 * - Leaves every other request alone: model files (Hugging Face or a
 *   self-hosted folder) go to the network as if there were no service worker,
 *   and the engines keep them in their own caches ('transformers-cache',
 *   WebLLM's), which work offline by themselves.
 * - Waits when updated: the page shows "A new version is ready — Reload" and
 *   sends SKIP_WAITING when the user agrees (registerType 'prompt').
 */
import { clientsClaim } from 'workbox-core';
import { addPlugins, cleanupOutdatedCaches, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { ISOLATE_PARAM, shouldIsolate, withIsolationHeaders } from './isolation';
import { SW_MESSAGES, type SwVersionReply } from './messages';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (PrecacheEntry | string)[] };

addPlugins([
  {
    handlerWillRespond: async ({ request, response }) =>
      shouldIsolate(request, __COI_SERVICE_WORKER__) ? withIsolationHeaders(response) : response,
  },
]);

// IMPORTANT: the manifest is injected at build time; `./` and `index.html`
// both match the precached index.html (directoryIndex), with or without
// ?isolate=0. Hash routing means no other navigation URL exists, so there is
// deliberately no navigation fallback: a navigation to a model file under the
// same folder must still reach the network.
precacheAndRoute(self.__WB_MANIFEST, {
  ignoreURLParametersMatching: [/^utm_/, /^fbclid$/, new RegExp(`^${ISOLATE_PARAM}$`)],
});
cleanupOutdatedCaches();
// The first install takes over the open page at once (so it works offline and
// can be isolated after one reload); later versions wait for SKIP_WAITING.
clientsClaim();

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const type = (event.data as { type?: string } | null)?.type;
  if (type === SW_MESSAGES.skipWaiting) {
    void self.skipWaiting();
  } else if (type === SW_MESSAGES.getVersion) {
    const reply: SwVersionReply = { version: __APP_VERSION__, isolates: __COI_SERVICE_WORKER__ };
    event.ports[0]?.postMessage(reply);
  }
});
