import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { EditorPage } from './pages/EditorPage';
import { StudioPage } from './pages/StudioPage';

/** The stored value of one card field of a character, read straight from IndexedDB. */
async function storedField(studio: StudioPage, name: string, field: string): Promise<string | undefined> {
  const dump = await studio.dumpLibrary();
  const c = (dump.characters as unknown as { card: Record<string, string> }[]).find((x) => x.card.name === name);
  return c?.card[field];
}

test.describe('editor: nothing typed is lost', () => {
  test('a reload right after typing keeps the text', async ({ studio, page }) => {
    const editor = new EditorPage(page);
    await studio.open();
    await editor.open('Juniper Ash');
    await editor.field('Scenario').fill('A rainy afternoon in the shop.');
    // No wait for the autosave: the reload starts at once.
    await page.reload();
    await editor.open('Juniper Ash');
    await expect(editor.field('Scenario')).toHaveValue('A rainy afternoon in the shop.');
  });

  test('continuous typing is saved while it goes on, and a reload at the end keeps all of it', async ({ studio, page }) => {
    // Ninety keystrokes, each a round trip to the browser: slow on a busy machine.
    test.setTimeout(120_000);
    const editor = new EditorPage(page);
    await studio.open();
    await editor.open('Juniper Ash');
    const text = 'Rain drums on the roof of the shop while Juniper sorts the seed packets by colour, humming.';
    await editor.field('Scenario').fill('');
    // The cleared field is stored first, so the polls below can't read the old scenario.
    await expect.poll(() => storedField(studio, 'Juniper Ash', 'scenario')).toBe('');
    let typing = true;
    const typed = editor.field('Scenario').pressSequentially(text, { delay: 60 }).then(() => (typing = false));
    // Typing never pauses for the debounce, yet part of it reaches storage before it ends.
    await expect.poll(async () => (await storedField(studio, 'Juniper Ash', 'scenario'))?.length ?? 0, { timeout: 30_000 }).toBeGreaterThan(5);
    expect(typing).toBe(true);
    expect(text.startsWith((await storedField(studio, 'Juniper Ash', 'scenario'))!)).toBe(true);
    await typed;
    await page.reload();
    await editor.open('Juniper Ash');
    await expect(editor.field('Scenario')).toHaveValue(text);
  });

  test('closing the tab right after typing keeps the text', async ({ studio, page, context }) => {
    const editor = new EditorPage(page);
    await studio.open();
    await editor.open('Maren Holt');
    await editor.field('Personality').fill('Gruff, then kind.');
    await page.close({ runBeforeUnload: true });
    const next = await context.newPage();
    const nextStudio = new StudioPage(next);
    await nextStudio.open();
    const nextEditor = new EditorPage(next);
    await nextEditor.open('Maren Holt');
    await expect(nextEditor.field('Personality')).toHaveValue('Gruff, then kind.');
  });

  test('storage full: the reason is shown as text, Retry saves once there is room', async ({ studio, page }) => {
    // Test double of a full disk: IndexedDB writes throw QuotaExceededError while a flag is set.
    await page.addInitScript(() => {
      for (const method of ['put', 'add'] as const) {
        const original = IDBObjectStore.prototype[method];
        IDBObjectStore.prototype[method] = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
          if ((window as { __storageFull?: boolean }).__storageFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          return original.apply(this, args);
        };
      }
    });
    const editor = new EditorPage(page);
    await studio.open();
    await editor.open('Juniper Ash');
    await page.evaluate(() => ((window as { __storageFull?: boolean }).__storageFull = true));
    await editor.field('Description').fill('Written while the disk is full.');
    await expect(editor.saveState()).toHaveAttribute('data-state', 'error');
    await expect(editor.saveState()).toHaveText(/Not saved — storage is full/);
    await expect(page.getByTestId('save-problem')).toContainText('run out of storage');
    await expect(editor.field('Description')).toHaveValue('Written while the disk is full.');
    await page.evaluate(() => ((window as { __storageFull?: boolean }).__storageFull = false));
    await page.getByRole('button', { name: 'Retry' }).click();
    await editor.waitSaved();
    await expect(page.getByTestId('save-problem')).toHaveCount(0);
    expect(await storedField(studio, 'Juniper Ash', 'description')).toBe('Written while the disk is full.');
  });
});

test.describe('editor: two tabs', () => {
  /**
   * Two tabs of one browser on the same character. The context's clock is
   * paused while both type, so neither saves nor hears of the other before
   * both have edited from the same version: the case where whole-record saves
   * used to overwrite each other.
   */
  async function twoTabs(page: Page) {
    // Two copies of the studio on a busy machine: loading and cross-tab updates get more time.
    test.setTimeout(180_000);
    const context = page.context();
    await context.clock.install();
    const tab1 = page;
    const tab2 = await context.newPage();
    const studio1 = new StudioPage(tab1);
    const studio2 = new StudioPage(tab2);
    await studio1.open(30_000);
    await studio2.open(30_000);
    const one = new EditorPage(tab1);
    const two = new EditorPage(tab2);
    await one.open('Maren Holt');
    await two.open('Maren Holt');
    return { context, one, two, studio1 };
  }

  test('different fields: both are kept, and each tab shows the other’s', async ({ page }) => {
    const { context, one, two, studio1 } = await twoTabs(page);
    await context.clock.pauseAt(Date.now() + 1000);
    await one.field('Description').fill('Tab one rewrote the description.');
    await two.field('Personality').fill('Tab two rewrote the personality.');
    await context.clock.resume();
    await one.waitSaved();
    await two.waitSaved();
    // Each editor picked up the other tab's field without losing its own.
    await expect(one.field('Personality')).toHaveValue('Tab two rewrote the personality.', { timeout: 30_000 });
    await expect(two.field('Description')).toHaveValue('Tab one rewrote the description.', { timeout: 30_000 });
    await expect(one.field('Description')).toHaveValue('Tab one rewrote the description.');
    await expect(two.field('Personality')).toHaveValue('Tab two rewrote the personality.');
    await expect(one.conflicts()).toHaveCount(0);
    await expect(two.conflicts()).toHaveCount(0);
    expect(await storedField(studio1, 'Maren Holt', 'description')).toBe('Tab one rewrote the description.');
    expect(await storedField(studio1, 'Maren Holt', 'personality')).toBe('Tab two rewrote the personality.');
  });

  test('the same field: a conflict with both versions, never a silent overwrite', async ({ page }) => {
    const { context, one, two, studio1 } = await twoTabs(page);
    await context.clock.pauseAt(Date.now() + 1000);
    await one.field('Scenario').fill('Scenario from tab one.');
    await two.field('Scenario').fill('Scenario from tab two.');
    await context.clock.resume();
    // Whichever tab saved second holds the conflict; the first one's text is what is stored.
    await expect.poll(async () => (await one.conflicts().count()) + (await two.conflicts().count()), { timeout: 30_000 }).toBe(1);
    const [loser, winner, mine, theirs] = (await one.conflicts().count()) === 1 ? [one, two, 'Scenario from tab one.', 'Scenario from tab two.'] : [two, one, 'Scenario from tab two.', 'Scenario from tab one.'];
    const conflict = loser.conflict('Scenario');
    await expect(conflict).toContainText(mine);
    await expect(conflict).toContainText(theirs);
    await expect(loser.saveState()).toHaveAttribute('data-state', 'conflict');
    await expect(loser.saveState()).toContainText('also changed in another tab');
    // Nothing was overwritten: storage keeps the first save, the editor keeps its own text.
    expect(await storedField(studio1, 'Maren Holt', 'scenario')).toBe(theirs);
    await expect(loser.field('Scenario')).toHaveValue(mine);
    await expect(winner.field('Scenario')).toHaveValue(theirs);
    // Keep mine: it is saved and reaches the other tab.
    await loser.keepMine('Scenario');
    await loser.waitSaved();
    await expect(loser.conflicts()).toHaveCount(0);
    await expect(winner.field('Scenario')).toHaveValue(mine, { timeout: 30_000 });
    expect(await storedField(studio1, 'Maren Holt', 'scenario')).toBe(mine);
  });
});
