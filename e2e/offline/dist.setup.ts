import { expect, test as setup } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { buildVersion, deploy, DIST_ROOT, VERSION_A, VERSION_B } from './dist';

/** Strings only the test doubles of src/testing contain (the localStorage key, a script field, the page hooks). */
const TEST_DOUBLE_MARKERS = ['in-character.scripted-engine', 'holdAtWord', '__scriptedEngine', '__e2eModules'];

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/**
 * Two production builds of the current sources that differ only in their
 * version string, so a redeploy of `b` over `a` makes a new service worker.
 * The static server is already up; it reads files per request.
 */
setup('build the studio twice (versions a and b); no test double ships', async () => {
  buildVersion(VERSION_A, path.join(DIST_ROOT, 'a'));
  buildVersion(VERSION_B, path.join(DIST_ROOT, 'b'));
  deploy('a', { clean: true });
  const shipped = filesUnder(path.join(DIST_ROOT, 'a')).filter((f) => /\.(m?js|html)$/.test(f));
  expect(shipped.length).toBeGreaterThan(3);
  for (const file of shipped) {
    const text = fs.readFileSync(file, 'utf8');
    for (const marker of TEST_DOUBLE_MARKERS) expect(text.includes(marker), `${path.basename(file)} contains "${marker}"`).toBe(false);
  }
});
