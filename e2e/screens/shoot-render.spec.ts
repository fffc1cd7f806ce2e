import fs from 'node:fs';
import { emptyCardData } from '../../src/domain/character';
import { encodeBase64Utf8 } from '../../src/domain/cards/encoding';
import { writePngTextChunks } from '../../src/domain/cards/png';
import { tinyPng } from '../../src/domain/cards/testdata/tinyPng';
import { expect, test } from '../fixtures';
import { ChatPage } from '../pages/ChatPage';

test.skip(!process.env.SHOOT, 'screenshots only on demand');

/** Huge fields: the import notice, the editor's "Edit anyway" guard, a greeting shown in part. */
test('huge-field screens', async ({ page, studio }, testInfo) => {
  test.setTimeout(300_000);
  const dir = process.env.SHOOT_DIR ?? 'test-results/shots';
  const greeting = '*The tide comes in.* "Stay," she says. She waits by the **lamp**.\n\n'.repeat(Math.ceil(1_000_000 / 66));
  const json = JSON.stringify({ spec: 'chara_card_v2', data: { ...emptyCardData(), name: 'Huge Greeting', first_mes: greeting } });
  const file = testInfo.outputPath('huge.png');
  fs.writeFileSync(file, writePngTextChunks(tinyPng(), [{ keyword: 'chara', text: encodeBase64Utf8(json) }]));
  const chat = new ChatPage(page);
  await studio.open();
  await studio.importFiles([file]);
  await expect(studio.notices.filter({ hasText: 'Importing' })).toBeVisible();
  await page.screenshot({ path: `${dir}/import-busy-light.png` });
  await expect(page.getByTestId('huge-field')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('huge-field').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${dir}/huge-field-light.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `${dir}/huge-field-dark.png` });
  await page.getByRole('button', { name: 'Chat', exact: true }).click();
  await chat.startChat();
  const more = chat.lastMessage().getByTestId('text-truncated');
  await more.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${dir}/show-more-dark.png` });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: `${dir}/show-more-light.png` });
});
