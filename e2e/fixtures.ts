import { test as base, expect } from '@playwright/test';
import { StudioPage } from './pages/StudioPage';

/** Specs import `test`/`expect` from here and act through page models. */
export const test = base.extend<{ studio: StudioPage }>({
  studio: async ({ page }, use) => {
    await use(new StudioPage(page));
  },
});

export { expect };
