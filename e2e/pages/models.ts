import type { BrowserContext, Route } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';

export const FIXTURE_MODELS_DIR = path.resolve(import.meta.dirname, '../fixtures/models');
/** The self-hosted base the tests point the studio at; requests to it are served from the fixture folder. */
export const FIXTURE_BASE_PATH = 'e2e-models/';

const TYPES: Record<string, string> = { '.json': 'application/json', '.onnx': 'application/octet-stream', '.txt': 'text/plain' };

export interface ServedModels {
  /** Every URL path the studio fetched under the base. */
  requests: string[];
  /** Make the next requests fail (simulating a dead network) when set. */
  failWith: 'abort' | 404 | null;
  /** Hold .onnx responses this long, so a test can watch download progress. */
  onnxDelayMs: number;
}

/**
 * Serves e2e/fixtures/models/<id>/<file> for any request to …/e2e-models/<id>/<file>
 * (context-wide, so fetches from Web Workers are intercepted too).
 */
export async function serveFixtureModels(context: BrowserContext): Promise<ServedModels> {
  const served: ServedModels = { requests: [], failWith: null, onnxDelayMs: 0 };
  await context.route(`**/${FIXTURE_BASE_PATH}**`, async (route: Route) => {
    const url = new URL(route.request().url());
    const rel = decodeURIComponent(url.pathname.slice(url.pathname.indexOf(FIXTURE_BASE_PATH) + FIXTURE_BASE_PATH.length));
    served.requests.push(rel);
    if (served.failWith === 'abort') return route.abort('internetdisconnected');
    const file = path.join(FIXTURE_MODELS_DIR, rel);
    if (served.failWith === 404 || !file.startsWith(FIXTURE_MODELS_DIR) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      return route.fulfill({ status: 404, body: 'not found' });
    }
    const body = fs.readFileSync(file);
    if (served.onnxDelayMs && file.endsWith('.onnx')) await new Promise((r) => setTimeout(r, served.onnxDelayMs));
    return route.fulfill({
      status: 200,
      body,
      headers: {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'content-length': String(body.length),
        'cross-origin-resource-policy': 'cross-origin',
      },
    });
  });
  return served;
}
