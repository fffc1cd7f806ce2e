import { defineConfig, devices } from '@playwright/test';

/**
 * Playwright drives Debian's Chromium (npx playwright install cannot download
 * here). CHROMIUM_PATH overrides the binary.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PORT = Number(process.env.E2E_PORT ?? 5199);
/**
 * The studio the tests drive: `vite build --mode e2e` (React's production
 * build plus the test doubles of src/testing, no service worker) behind
 * `vite preview` with COOP/COEP. Against the dev server the suite took ~24%
 * longer (every page load fetched ~300 modules, React ran its development
 * build). E2E_DEV=1 drives the dev server instead, for working on a spec
 * while the sources change.
 */
const E2E_DEV = Boolean(process.env.E2E_DEV);
const APP_DIR = `node_modules/.cache/in-character-e2e-app-${PORT}`;
const studioServer = E2E_DEV
  ? `npx vite --host 127.0.0.1 --port ${PORT} --strictPort`
  : `npx vite build --mode e2e --logLevel warn --outDir ${APP_DIR} --emptyOutDir && npx vite preview --mode e2e --outDir ${APP_DIR} --host 127.0.0.1 --port ${PORT} --strictPort`;
/** The built studio (`vite build`) behind a plain static server, under /studio/ (see e2e/offline/dist.ts). */
const DIST_PORT = Number(process.env.E2E_DIST_PORT ?? 5299);
const DIST_ROOT = `node_modules/.cache/in-character-e2e-${DIST_PORT}`;

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: process.env.PW_OUTPUT_DIR ?? '../test-results',
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  // Specs wait for states, never for time; these limits are only how long a
  // state may take on a busy 2-core machine (CI), not how long anything should.
  timeout: 240_000,
  expect: { timeout: 20_000 },
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    // Tracing every test (to keep the failures' traces) made the suite ~35%
    // slower: a screencast and DOM snapshots per action. CI retries a failed
    // test once, traced; locally pass `--trace on`.
    trace: 'on-first-retry',
    screenshot: 'only-on-failure',
    acceptDownloads: true,
  },
  projects: [
    {
      // No WebGPU flag: no adapter, so the studio takes the CPU fallback path.
      name: 'chromium',
      testIgnore: ['**/*.webgpu.spec.ts', 'offline/**'],
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: { executablePath: CHROMIUM, args: chromiumArgs },
      },
    },
    {
      // WebGPU through SwiftShader (CPU): an adapter without shader-f16.
      name: 'webgpu',
      testMatch: '**/*.webgpu.spec.ts',
      testIgnore: 'offline/**',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: { executablePath: CHROMIUM, args: [...chromiumArgs, '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader'] },
      },
    },
    {
      // Builds the studio twice (versions A and B, for the update test) into DIST_ROOT.
      name: 'dist-build',
      testMatch: 'offline/dist.setup.ts',
      timeout: 600_000,
    },
    {
      // The production build under a sub-path of a header-less static host
      // (GitHub Pages-like): service worker, offline, request audit, updates.
      // Service workers stay allowed: they are what these tests test.
      name: 'dist',
      testMatch: 'offline/**/*.spec.ts',
      dependencies: ['dist-build'],
      timeout: 360_000,
      use: {
        ...devices['Desktop Chrome'],
        baseURL: `http://127.0.0.1:${DIST_PORT}/studio/`,
        serviceWorkers: 'allow',
        launchOptions: { executablePath: CHROMIUM, args: chromiumArgs },
      },
    },
  ],
  webServer: [
    {
      command: studioServer,
      url: `http://127.0.0.1:${PORT}/`,
      // A build is never reused: a server left on the port would serve the
      // sources as they were when it was built.
      reuseExistingServer: E2E_DEV && !process.env.CI,
      timeout: 180_000,
      cwd: '..',
    },
    {
      // Static files only, no COOP/COEP (the service worker adds them), CORS on
      // so http://localhost:PORT/models/ can act as a second-origin model host.
      command: `node scripts/serve-static.mjs --port ${DIST_PORT} --cors /studio/=${DIST_ROOT}/www/studio /models/=e2e/fixtures/models /bench-models/=.bench/models`,
      port: DIST_PORT,
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
      cwd: '..',
    },
  ],
});
