import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';
import { cardPath } from './pages/StudioPage';

const HOSTILE = path.resolve(import.meta.dirname, '../src/domain/cards/testdata/hostile.json');

test.describe('card import and export', () => {
  test('import default_Seraphina.png: fields, 4 lorebook entries, proposed statements', async ({ studio, page }) => {
    await studio.open();
    await studio.importFiles([cardPath('default_Seraphina.png')]);
    await expect(page.getByTestId('editor-title')).toHaveText('Seraphina');
    await expect(page.getByLabel('Description')).toHaveValue(/amber eyes/);
    await expect(page.getByLabel('First message')).toHaveValue(/.+/);
    await expect(page.getByTestId('lorebook-entry')).toHaveCount(4);
    // The PNG itself becomes the avatar.
    await expect(page.locator('header img').first()).toBeVisible();
    await page.getByRole('button', { name: 'Extract from description' }).click();
    const proposals = page.getByTestId('proposal');
    await expect(proposals.filter({ hasText: /amber eyes/i })).toHaveCount(1);
    await expect(proposals.filter({ hasText: /caring/i }).first()).toBeVisible();
    await expect(proposals.filter({ hasText: /rose eyes/i })).toHaveCount(0);
    // Accept one, reject one: one by one.
    await page.getByRole('button', { name: /^Accept: .*amber eyes/i }).click();
    const rejected = (await proposals.first().locator('span').first().innerText()).trim();
    await page.getByRole('button', { name: `Reject: ${rejected}` }).click();
    await expect(studio.statementInputs()).toHaveCount(1);
    await expect(studio.statementInputs().first()).toHaveValue(/amber eyes/i);
  });

  test('export PNG, re-import: the same card data', async ({ studio, page }) => {
    await studio.open();
    await studio.importFiles([cardPath('default_Seraphina.png')]);
    await expect(page.getByTestId('editor-title')).toHaveText('Seraphina');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'PNG' }).click()]);
    expect(download.suggestedFilename()).toBe('Seraphina.png');
    const exported = await download.path();
    const bytes = fs.readFileSync(exported);
    // Both chunks are present: ccv3 (V3) and chara (V2).
    expect(bytes.includes(Buffer.from('ccv3'))).toBe(true);
    expect(bytes.includes(Buffer.from('chara'))).toBe(true);
    await studio.importFiles([{ name: 'Seraphina-export.png', mimeType: 'image/png', buffer: bytes }]);
    await expect(studio.characterButton('Seraphina')).toHaveCount(2);
    const dump = await studio.dumpLibrary();
    const seraphinas = dump.characters.filter((c) => (c as unknown as { card: { name: string } }).card.name === 'Seraphina') as unknown as { card: Record<string, unknown> }[];
    expect(seraphinas).toHaveLength(2);
    expect(seraphinas[0]!.card).toEqual(seraphinas[1]!.card);
    expect((seraphinas[0]!.card.character_book as { entries: unknown[] }).entries).toHaveLength(4);
  });

  test('export a character without avatar as PNG uses a generated placeholder, and JSON as V3', async ({ studio, page }) => {
    await studio.open();
    await studio.openCharacter('Maren Holt');
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'PNG' }).click()]);
    const pngBytes = fs.readFileSync(await png.path());
    expect(pngBytes.subarray(1, 4).toString()).toBe('PNG');
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'JSON' }).click()]);
    const card = JSON.parse(fs.readFileSync(await json.path(), 'utf8'));
    expect(card.spec).toBe('chara_card_v3');
    expect(card.data.name).toBe('Maren Holt');
    expect(card.data.character_book.entries).toHaveLength(2);
    // Re-import the placeholder PNG.
    await studio.importFiles([{ name: 'maren.png', mimeType: 'image/png', buffer: pngBytes }]);
    await expect(studio.characterButton('Maren Holt')).toHaveCount(2);
  });

  test('several files at once, and drag and drop', async ({ studio, page }) => {
    await studio.open();
    await studio.importFiles([cardPath('default_FluxTheCat.png'), cardPath('default_CodingSensei.png')]);
    await expect(page.getByText('Imported 2 characters')).toBeVisible();
    const names = await studio.characterNames();
    expect(names).toHaveLength(4);
    // Drop a JSON card onto the window.
    const v1 = fs.readFileSync(path.resolve(import.meta.dirname, '../src/domain/cards/testdata/v1-card.json'), 'utf8');
    const name = JSON.parse(v1).name as string;
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
      window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, cancelable: true }));
    }, v1);
    await expect(page.getByTestId('editor-title')).toHaveText(name);
  });

  test('a SillyTavern world-info file imports as lorebook entries into a chosen character', async ({ studio, page }) => {
    await studio.open();
    await studio.importFiles([cardPath('Eldoria.json')]);
    const dialog = page.getByRole('dialog', { name: 'Add world info to a character' });
    await expect(dialog).toBeVisible();
    await dialog.getByLabel('Character').selectOption({ label: 'Juniper Ash' });
    await dialog.getByRole('button', { name: 'Add entries' }).click();
    await expect(page.getByTestId('editor-title')).toHaveText('Juniper Ash');
    const eldoria = JSON.parse(fs.readFileSync(cardPath('Eldoria.json'), 'utf8'));
    await expect(page.getByTestId('lorebook-entry')).toHaveCount(1 + Object.keys(eldoria.entries).length);
  });

  test('a hostile card renders as inert text', async ({ studio, page }) => {
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const hostile = JSON.parse(fs.readFileSync(HOSTILE, 'utf8'));
    const name: string = hostile.data?.name ?? hostile.name;
    await studio.open();
    await studio.importFiles([HOSTILE]);
    await expect(page.getByTestId('editor-title')).toHaveText(name);
    await expect(page.getByTestId('character-list')).toContainText(name);
    // No markup from the card became DOM.
    expect(await page.locator('main script, nav script').count()).toBe(0);
    expect(await page.locator('img[src="x"], [onerror], a[href^="javascript:"]').count()).toBe(0);
    await expect(page.getByLabel('Description')).toHaveValue(hostile.data?.description ?? hostile.description);
    // In a chat, the greeting (first_mes and alternates) is shown as text too.
    await page.getByRole('button', { name: 'Chat', exact: true }).click();
    await page.getByRole('button', { name: 'Start a chat' }).click();
    const greeting = page.getByTestId('message').first();
    await expect(greeting.getByTestId('message-text')).toHaveText(hostile.data.first_mes);
    await greeting.getByRole('button', { name: 'Next swipe' }).click();
    await expect(greeting.getByTestId('message-text')).toHaveText(hostile.data.alternate_greetings[0]);
    expect(await page.locator('main svg[onload], main a[href^="javascript:"], main iframe, main img[src="x"]').count()).toBe(0);
    expect(dialogs).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
  });
});
