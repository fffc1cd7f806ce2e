import { test } from '../fixtures';

test.skip(!process.env.SHOOT, 'screenshots only on demand');

test('misc screens', async ({ page, studio }) => {
  await studio.open();
  await studio.goSettings();
  await page.screenshot({ path: 'test-results/shots/settings-light.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Library' }).click();
  await page.screenshot({ path: 'test-results/shots/home-dark.png' });
  await page.setViewportSize({ width: 390, height: 800 });
  await page.getByRole('button', { name: 'Open library' }).click();
  await page.screenshot({ path: 'test-results/shots/library-phone-dark.png' });
  await page.emulateMedia({ colorScheme: 'light' });
  await studio.characterButton('Maren Holt').click();
  await page.locator('#statements').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/shots/statements-phone.png' });
});
