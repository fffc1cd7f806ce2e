import { test } from '../fixtures';

test.skip(!process.env.SHOOT, 'screenshots only on demand');

const DIR = process.env.SHOOT_DIR ?? 'test-results/shots';

test('restore summary, damaged record, failed screens (light and dark)', async ({ page, studio }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await studio.open();
  const backup = {
    format: 'in-character-backup',
    version: 1,
    exportedAt: '2026-01-01T10:00:00.000Z',
    characters: [{ id: 'crafted', card: { name: 12345, description: { x: 1 }, tags: 'a,b' }, avatar: { type: 'text/html', base64: Buffer.from('<script>1</script>').toString('base64') }, statements: [{}], createdAt: 1, updatedAt: 2 }],
    chats: [],
    messages: [],
    verdicts: [],
    settings: [
      { key: 'modelBaseUrl', value: 'https://models.evil.example/' },
      { key: 'userName', value: 'Eve' },
      { key: 'theme', value: 'dark' },
    ],
  };
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await studio.chooseBackup('backup.json', backup);
    await page.getByRole('checkbox', { name: 'Take “Your name” from the backup' }).check();
    await page.screenshot({ path: `${DIR}/restore-${scheme}.png` });
    await studio.restoreDialog().getByRole('button', { name: 'Cancel' }).click();
  }
  await studio.injectRow('characters', { id: 'bad', card: { name: 12345, description: { x: 1 }, tags: 'a,b' }, statements: [{}], createdAt: 1 }, '<b>x</b>');
  await page.reload();
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await studio.characterButton('12345').click();
    await page.screenshot({ path: `${DIR}/damaged-record-${scheme}.png` });
    await page.evaluate(() => localStorage.setItem('in-character.crash-screen', 'editor'));
    await studio.characterButton('Maren Holt').click();
    await page.screenshot({ path: `${DIR}/editor-failed-${scheme}.png` });
    await page.evaluate(() => localStorage.setItem('in-character.crash-screen', 'library'));
    await page.reload();
    await page.getByTestId('screen-error-library').waitFor();
    await page.screenshot({ path: `${DIR}/library-failed-${scheme}.png` });
    await page.evaluate(() => localStorage.removeItem('in-character.crash-screen'));
    await page.reload();
  }
});
