/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import { VitePWA } from 'vite-plugin-pwa';

// IMPORTANT: COOP/COEP make the page cross-origin isolated, which onnxruntime-web
// needs for multi-threaded wasm (SharedArrayBuffer).
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * Build-time switches (environment variables of `npm run build`):
 * - APP_VERSION: the version string baked into the app and its service worker
 *   (default: package.json's version). Any change makes a new service worker,
 *   which the open studio offers as "A new version is ready — Reload".
 * - COI_SERVICE_WORKER=off: the service worker stops adding COOP/COEP to the
 *   pages it serves (for hosts that send them, or to opt out of isolation).
 * - VITE_MODEL_BASE_URL: default self-hosted model folder (see src/stores/engine.ts).
 */
const APP_VERSION = process.env.APP_VERSION?.trim() || pkg.version;
const COI_SERVICE_WORKER = process.env.COI_SERVICE_WORKER !== 'off';

/** The onnxruntime wasm is ~27 MB and each WebLLM bundle ~6 MB; precache them all. */
const MAX_PRECACHE_FILE_BYTES = 64 * 1024 * 1024;

export default defineConfig({
  // Relative base: the build runs from any sub-path of any static host. Workers,
  // wasm and the service worker resolve against import.meta.url / the page URL.
  base: './',
  define: {
    __APP_VERSION__: JSON.stringify(APP_VERSION),
    __COI_SERVICE_WORKER__: JSON.stringify(COI_SERVICE_WORKER),
  },
  plugins: [
    react(),
    tailwindcss(),
    VitePWA({
      // Our own service worker (src/pwa/sw.ts): precache + COOP/COEP on what it serves.
      strategies: 'injectManifest',
      srcDir: 'src/pwa',
      filename: 'sw.ts',
      // src/pwa/register.ts registers it (no generated registerSW.js).
      injectRegister: false,
      registerType: 'prompt',
      // The service worker runs only in `vite build` output; dev stays SW-free.
      devOptions: { enabled: false },
      injectManifest: {
        // Classic script: module service workers are not everywhere yet.
        rollupFormat: 'iife',
        // IMPORTANT: every engine asset must be here (workers, onnxruntime's
        // .wasm/.mjs, the WebLLM chunk) or the studio breaks offline.
        globPatterns: ['**/*.{html,js,mjs,css,wasm,svg,png,webmanifest}'],
        maximumFileSizeToCacheInBytes: MAX_PRECACHE_FILE_BYTES,
      },
      // globPatterns already covers public/ (icons, manifest): no second listing.
      includeManifestIcons: false,
      manifest: {
        id: './',
        name: 'In Character',
        short_name: 'In Character',
        description: 'A private role-play studio that runs in your browser and tells you when a character breaks.',
        start_url: './',
        scope: './',
        display: 'standalone',
        background_color: '#1c1917',
        theme_color: '#1c1917',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
    }),
  ],
  worker: { format: 'es' },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  optimizeDeps: { exclude: ['@huggingface/transformers', 'onnxruntime-web'] },
  test: {
    environment: 'node',
    setupFiles: ['src/test/setup.ts'],
    // Tests wait for results, not for time; this ceiling only has to hold on a
    // busy 2-core CI machine (some tests spawn a server or transpile a file).
    testTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'], exclude: ['**/*.linear.test.ts', '**/node_modules/**'] } },
      // Tests that compare how time grows with input size: one file at a
      // time and after the unit tests (`npm run test:unit` runs the projects
      // in turn), so no other test competes for the CPU they measure.
      { extends: true, test: { name: 'linear', include: ['src/**/*.linear.test.ts'], fileParallelism: false, testTimeout: 180_000 } },
    ],
  },
});
