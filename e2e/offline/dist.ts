import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Where the dist project's builds live and how they are served (keep in step
 * with the dist webServer in e2e/playwright.config.ts).
 *
 * - `a/` and `b/`: the same sources built with APP_VERSION e2e-a / e2e-b.
 * - `www/studio/`: what the static server serves at /studio/ (a copy of `a/`;
 *   the update test copies `b/` over it, like a redeploy, and puts `a/` back).
 */
export const ROOT = path.resolve(import.meta.dirname, '../..');
export const DIST_PORT = Number(process.env.E2E_DIST_PORT ?? 5299);
/** Per port, so two runs on different ports (E2E_DIST_PORT) never build into the same folder. */
export const DIST_ROOT = path.join(ROOT, `node_modules/.cache/in-character-e2e-${DIST_PORT}`);
export const VERSION_A = 'e2e-a';
export const VERSION_B = 'e2e-b';
export const SERVED_DIR = path.join(DIST_ROOT, 'www/studio');

/** The app's origin and path. */
export const APP_URL = `http://127.0.0.1:${DIST_PORT}/studio/`;
/**
 * The fixture models on a second origin (localhost ≠ 127.0.0.1), served with
 * CORS like Hugging Face or a CDN would: the request audit can then tell the
 * model source from the app.
 */
export const MODELS_URL = `http://localhost:${DIST_PORT}/models/`;
/** Random-weight, real-shaped models from `npm run bench:models` (may be absent). */
export const BENCH_MODELS_URL = `http://localhost:${DIST_PORT}/bench-models/`;
export const BENCH_MODELS_DIR = path.join(ROOT, '.bench/models');

/** `vite build` with APP_VERSION=version; its output is shown only when it fails. */
export function buildVersion(version: string, outDir: string): void {
  try {
    execFileSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: ROOT,
      env: { ...process.env, APP_VERSION: version },
      stdio: 'pipe',
      encoding: 'utf8',
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    throw new Error(`vite build (${version}) failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`, { cause: e });
  }
}

/** Replaces what /studio/ serves with build `version` ('a' or 'b'). */
export function deploy(version: 'a' | 'b', { clean }: { clean: boolean }): void {
  if (clean) fs.rmSync(SERVED_DIR, { recursive: true, force: true });
  fs.mkdirSync(SERVED_DIR, { recursive: true });
  fs.cpSync(path.join(DIST_ROOT, version), SERVED_DIR, { recursive: true });
}
