import { test as setup } from '@playwright/test';
import path from 'node:path';
import { buildVersion, deploy, DIST_ROOT, VERSION_A, VERSION_B } from './dist';

/**
 * Two production builds of the current sources that differ only in their
 * version string, so a redeploy of `b` over `a` makes a new service worker.
 * The static server is already up; it reads files per request.
 */
setup('build the studio twice (versions a and b)', async () => {
  buildVersion(VERSION_A, path.join(DIST_ROOT, 'a'));
  buildVersion(VERSION_B, path.join(DIST_ROOT, 'b'));
  deploy('a', { clean: true });
});
