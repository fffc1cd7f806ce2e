/**
 * Shared plumbing of the benches (`npm run bench:checker`; bench:chat and bench:guard use its
 * Chromium flags and freePort): a Vite dev server for the bench
 * page (scripts/bench/checker-pages/) and the studio sources it imports, with
 * COOP/COEP so the page and its workers are cross-origin isolated, plus the
 * model folders under /bench-models/ (a middleware, not Playwright routes:
 * route.fulfill goes through the DevTools pipe, which refuses bodies over
 * 100 MB); and a Chromium launcher with the flags from NOTES.md.
 *
 * The Vite config is inline (configFile: false) with the settings of
 * vite.config.ts that matter to the checker (isolation headers, ES workers,
 * transformers.js / onnxruntime-web not pre-bundled), so the bench does not
 * depend on the app's plugins.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A free localhost port (our own; the e2e and chat benches use theirs). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** @param {Record<string, string>} modelDirs URL prefix segment → folder (with trailing slash). */
export async function startBenchServer(root, modelDirs) {
  const { createServer } = await import('vite');
  const serveModels = {
    name: 'checker-bench-models',
    configureServer(server) {
      for (const [prefix, dir] of Object.entries(modelDirs)) {
        server.middlewares.use(`/${prefix}/`, (req, res) => {
          const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
          const file = `${dir}${rel}`;
          if (rel.includes('..') || !existsSync(file) || !statSync(file).isFile()) {
            res.statusCode = 404;
            res.end('not found');
            return;
          }
          res.setHeader('content-length', String(statSync(file).size));
          res.setHeader('cross-origin-resource-policy', 'same-origin');
          res.setHeader('content-type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
          createReadStream(file).pipe(res);
        });
      }
    },
  };
  const port = await freePort();
  const server = await createServer({
    configFile: false,
    root,
    plugins: [serveModels],
    server: { host: '127.0.0.1', port, strictPort: true, headers: ISOLATION_HEADERS, hmr: false },
    worker: { format: 'es' },
    optimizeDeps: { exclude: ['@huggingface/transformers', 'onnxruntime-web'], noDiscovery: true, include: [] },
    logLevel: 'error',
    clearScreen: false,
  });
  await server.listen();
  return { server, url: `http://127.0.0.1:${port}/` };
}

export async function launchChromium() {
  const { chromium } = await import('@playwright/test');
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/**
 * A `vite preview` plugin (bench:chat, bench:guard's part B) that serves
 * `<modelsDir>/<id>/<file>` at `/<base><id>/<file>` with the headers a COEP
 * page needs; every path asked for is pushed to `requests`.
 * @param {string | string[]} modelsDir folder(s) of model folders (no trailing slash); the first holding the file serves it
 * @param {string} base URL prefix without the leading slash, with the trailing one (`bench-models/`)
 * @param {string[]} requests
 */
export function previewModelsPlugin(modelsDir, base, requests = []) {
  const TYPES = { '.json': 'application/json', '.onnx': 'application/octet-stream' };
  return {
    name: 'bench-models',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = new URL(req.url ?? '/', 'http://x');
        if (!url.pathname.startsWith(`/${base}`)) return next();
        const rel = decodeURIComponent(url.pathname.slice(base.length + 1));
        const dirs = Array.isArray(modelsDir) ? modelsDir : [modelsDir];
        const file = dirs.map((d) => path.join(d, rel)).find((f, i) => f.startsWith(dirs[i] + path.sep) && existsSync(f) && !statSync(f).isDirectory());
        requests.push(rel);
        if (!file) {
          res.statusCode = 404;
          return res.end('not found');
        }
        res.setHeader('Content-Type', TYPES[path.extname(file)] ?? 'application/octet-stream');
        res.setHeader('Content-Length', String(statSync(file).size));
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        res.setHeader('Cache-Control', 'no-store');
        if (req.method === 'HEAD') return res.end();
        createReadStream(file).pipe(res);
      });
    },
  };
}
