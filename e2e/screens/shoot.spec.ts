import { test } from '@playwright/test';

// Manual visual check helper: `SHOOT=1 npm run e2e -- screens` writes screenshots.
test.skip(!process.env.SHOOT, 'screenshots only on demand');

test('screens', async ({ page }) => {
  await page.goto('./');
  await page.getByText('Maren Holt').first().waitFor();
  await page.screenshot({ path: 'test-results/shots/home-light.png' });
  await page.getByRole('button', { name: /^Maren Holt/ }).click();
  await page.getByTestId('editor-title').waitFor();
  await page.screenshot({ path: 'test-results/shots/editor-light.png', fullPage: false });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/shots/editor-dark.png' });
  await page.setViewportSize({ width: 390, height: 800 });
  await page.screenshot({ path: 'test-results/shots/editor-phone.png' });
});
