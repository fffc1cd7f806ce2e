import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures';
import { ChatPage } from '../pages/ChatPage';
import { EditorPage } from '../pages/EditorPage';
import { StudioPage } from '../pages/StudioPage';

// Manual visual check of the save states, conflicts and undo notices:
// `SHOOT=1 npx playwright test -c e2e/playwright.config.ts shoot-edits` writes test-results/shots/*.png.
test.skip(!process.env.SHOOT, 'screenshots only on demand');

const both = async (page: Page, name: string) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: `test-results/shots/${name}-light.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `test-results/shots/${name}-dark.png` });
  await page.emulateMedia({ colorScheme: 'light' });
};

test('editor: conflict with another tab, storage full', async ({ page, studio }) => {
  test.setTimeout(240_000);
  await page.addInitScript(() => {
    for (const method of ['put', 'add'] as const) {
      const original = IDBObjectStore.prototype[method];
      IDBObjectStore.prototype[method] = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
        if ((window as { __storageFull?: boolean }).__storageFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return original.apply(this, args);
      };
    }
  });
  const context = page.context();
  await context.clock.install();
  const tab2 = await context.newPage();
  await studio.open(30_000);
  await new StudioPage(tab2).open(30_000);
  const one = new EditorPage(page);
  const two = new EditorPage(tab2);
  await one.open('Maren Holt');
  await two.open('Maren Holt');
  await context.clock.pauseAt(Date.now() + 1000);
  await one.field('Scenario').fill('A traveller knocks at the lighthouse door at midnight, soaked through.');
  await two.field('Scenario').fill('{{user}} is a keeper-in-training sent to learn the lamp from Maren.');
  await context.clock.resume();
  await expect.poll(async () => (await one.conflicts().count()) + (await two.conflicts().count()), { timeout: 30_000 }).toBe(1);
  const loser = (await one.conflicts().count()) === 1 ? page : tab2;
  await loser.bringToFront();
  await loser.getByTestId('conflicts').scrollIntoViewIfNeeded();
  await both(loser, 'editor-conflict');
  await loser.getByRole('button', { name: 'See both in full' }).click();
  await loser.setViewportSize({ width: 390, height: 800 });
  await loser.getByTestId('conflicts').scrollIntoViewIfNeeded();
  await loser.screenshot({ path: 'test-results/shots/editor-conflict-phone.png' });
  await tab2.close();

  await page.setViewportSize({ width: 1280, height: 720 });
  await page.reload();
  await one.open('Juniper Ash');
  await page.evaluate(() => ((window as { __storageFull?: boolean }).__storageFull = true));
  await one.field('Description').fill('Written while the disk is full.');
  await expect(one.saveState()).toHaveAttribute('data-state', 'error');
  await both(page, 'editor-storage-full');
});

test('chat: delete a swipe, a message, a chat, with undo', async ({ page, studio }) => {
  test.setTimeout(180_000);
  const chat = new ChatPage(page);
  await studio.open();
  await chat.openChat('Maren Holt');
  await chat.startChat();
  const greeting = chat.messages.first();
  await greeting.hover();
  await both(page, 'chat-swipe-delete');
  await chat.deleteSwipe(greeting);
  await expect(chat.undoButton()).toBeVisible();
  await both(page, 'chat-undo-swipe');
  await chat.undoButton().click();
  await chat.deleteMessage(greeting);
  await expect(chat.undoButton()).toBeFocused();
  await both(page, 'chat-undo-message');
  await chat.undoButton().click();
  await page.getByRole('button', { name: 'Delete “Chat 1”' }).click();
  await both(page, 'chat-delete-confirm');
});
