import fs from 'node:fs';
import { expect, test } from './fixtures';
import { cardPath } from './pages/StudioPage';

test('backup → wipe → restore gives the same library', async ({ studio, page }) => {
  await studio.open();
  await studio.importFiles([cardPath('default_Seraphina.png')]);
  await expect(page.getByTestId('editor-title')).toHaveText('Seraphina');
  await studio.addStatement('Seraphina has amber eyes.');
  await studio.waitSaved();
  const before = await studio.dumpLibrary();
  expect(before.characters).toHaveLength(3);

  await studio.goSettings();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download backup' }).click()]);
  const backupPath = await download.path();

  await page.getByRole('button', { name: 'Delete everything…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete everything' }).click();
  await expect(page.getByText('Your library is empty')).toBeVisible();
  expect((await studio.dumpLibrary()).characters).toHaveLength(0);

  // A corrupt file changes nothing.
  await studio.goSettings();
  await page.getByTestId('restore-input').setInputFiles({ name: 'corrupt.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"in-character-backup","version":1,"characters":[{}]}') });
  await expect(studio.errors.filter({ hasText: 'corrupt.json' })).toContainText('Nothing was changed');
  // A foreign file (a character card) changes nothing either.
  await page.getByTestId('restore-input').setInputFiles(cardPath('Eldoria.json'));
  await expect(studio.errors.filter({ hasText: 'Eldoria.json' })).toContainText('not an In Character backup');
  expect((await studio.dumpLibrary()).characters).toHaveLength(0);

  await page.getByTestId('restore-input').setInputFiles({ name: 'backup.json', mimeType: 'application/json', buffer: fs.readFileSync(backupPath) });
  const dialog = page.getByRole('dialog', { name: 'Restore this backup?' });
  await expect(dialog).toContainText('3 characters');
  await dialog.getByRole('button', { name: 'Replace library' }).click();
  await expect(page.getByText('Library restored')).toBeVisible();
  expect(await studio.dumpLibrary()).toEqual(before);
  await expect(studio.characterButton('Seraphina')).toBeVisible();
});

test('storage usage and quota are shown', async ({ studio, page }) => {
  await studio.open();
  await studio.goSettings();
  await expect(page.getByTestId('storage-meter')).toContainText(/used of/);
  await expect(page.getByTestId('storage-meter')).not.toContainText('— used of —');
});
