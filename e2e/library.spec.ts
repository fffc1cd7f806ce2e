import { expect, test } from './fixtures';

test.describe('character library', () => {
  test('first run shows the samples and a dismissible guide', async ({ studio, page }) => {
    await studio.open();
    await expect(studio.characterButton('Maren Holt')).toHaveCount(1);
    await expect(studio.characterButton('Juniper Ash')).toHaveCount(1);
    await expect(page.getByTestId('guide')).toBeVisible();
    await page.getByTestId('guide').getByRole('button', { name: 'Dismiss' }).click();
    await expect(page.getByTestId('guide')).toHaveCount(0);
    await page.reload();
    await expect(studio.characterButton('Maren Holt')).toBeVisible();
    await expect(page.getByTestId('guide')).toHaveCount(0);
    // Samples come with statements and a lorebook entry.
    await studio.openCharacter('Maren Holt');
    await expect(studio.statementInputs().first()).toHaveValue('Maren is afraid of deep water.');
    await expect(page.getByTestId('lorebook-entry')).toHaveCount(2);
  });

  test('create a character with statements, reload, still there', async ({ studio, page }) => {
    await studio.open();
    await studio.createCharacter('Odile Varga');
    await page.getByLabel('Description').fill('Odile is a retired fencing master who hates the cold.');
    await studio.addStatement('Odile is a retired fencing master.');
    await studio.addStatement('Odile hates the cold.');
    await studio.addStatement('Odile is left-handed.');
    // Reorder, disable, edit, delete.
    await page.getByRole('button', { name: 'Move statement 3 up' }).click();
    await page.getByRole('switch', { name: 'Disable statement 3' }).click();
    await studio.statementInputs().nth(0).fill('Odile was a fencing master for thirty years.');
    await studio.statementInputs().nth(0).press('Enter');
    await page.getByLabel('Tags').fill('fencing, retired');
    await page.getByLabel('Tags').blur();
    await studio.waitSaved();
    await page.reload();
    await studio.openCharacter('Odile Varga');
    await expect(page.getByLabel('Description')).toHaveValue('Odile is a retired fencing master who hates the cold.');
    await expect(studio.statementInputs()).toHaveCount(3);
    await expect(studio.statementInputs().nth(0)).toHaveValue('Odile was a fencing master for thirty years.');
    await expect(studio.statementInputs().nth(1)).toHaveValue('Odile is left-handed.');
    await expect(studio.statementInputs().nth(2)).toHaveValue('Odile hates the cold.');
    await expect(page.getByRole('switch', { name: 'Enable statement 3' })).toBeVisible();
    const dump = await studio.dumpLibrary();
    const odile = dump.characters.find((c) => (c as unknown as { card: { name: string } }).card.name === 'Odile Varga') as unknown as {
      statements: { version: number; enabled: boolean }[];
      card: { tags: string[] };
    };
    expect(odile.statements.map((s) => s.version)).toEqual([2, 1, 1]);
    expect(odile.statements[2]!.enabled).toBe(false);
    expect(odile.card.tags).toEqual(['fencing', 'retired']);
  });

  test('a reload right after typing keeps the text', async ({ studio, page }) => {
    await studio.open();
    await studio.openCharacter('Juniper Ash');
    await page.getByLabel('Scenario').fill('A rainy afternoon in the shop.');
    // Autosave debounce is 400 ms: wait for it to land, no more.
    await studio.waitSaved();
    await page.reload();
    await studio.openCharacter('Juniper Ash');
    await expect(page.getByLabel('Scenario')).toHaveValue('A rainy afternoon in the shop.');
  });

  test('search by name and by tag', async ({ studio, page }) => {
    await studio.open();
    const search = page.getByRole('searchbox', { name: /Search characters/ });
    await search.fill('jun');
    await expect(await studio.characterNames()).toEqual(['Juniper Ash']);
    await search.fill('#coastal');
    await expect(await studio.characterNames()).toEqual(['Maren Holt']);
    await search.fill('zzz');
    await expect(page.getByText('No character matches')).toBeVisible();
  });

  test('favourites, order and tag filter survive a reload; the character being edited keeps its place', async ({ studio, page }) => {
    await studio.open();
    // The two samples and one more.
    await studio.createCharacter('Ada Quill');
    await expect.poll(async () => (await studio.characterNames()).length).toBe(3);
    const names = await studio.characterNames();
    await expect(studio.libraryCount()).toHaveText(String(names.length));
    // A favourite is listed first; "Name" orders the rest A→Z.
    const starred = names.at(-1)!;
    await studio.favouriteButton(starred).click();
    await expect(studio.favouriteButton(starred)).toHaveAttribute('aria-pressed', 'true');
    await studio.libraryOrder().selectOption({ label: 'Name' });
    const byName = [starred, ...names.filter((n) => n !== starred).sort((a, b) => a.localeCompare(b))];
    await expect.poll(() => studio.characterNames()).toEqual(byName);
    await studio.libraryTag().selectOption('coastal');
    await expect.poll(() => studio.characterNames()).toEqual(['Maren Holt']);
    await expect(studio.libraryCount()).toHaveText(`1 of ${names.length}`);
    await studio.libraryTag().selectOption('');

    await page.reload();
    await studio.open();
    await expect(studio.libraryOrder()).toHaveValue('name');
    await expect.poll(() => studio.characterNames()).toEqual(byName);

    // Recently edited: saving the open character does not move it; opening another sorts again.
    await studio.libraryOrder().selectOption({ label: 'Last edited' });
    const edited = await studio.characterNames();
    const target = edited.at(-1)!;
    await studio.openCharacter(target);
    await page.getByLabel('Scenario').fill('A storm is coming.');
    await studio.waitSaved();
    expect(await studio.characterNames()).toEqual(edited);
    await studio.openCharacter(edited.find((n) => n !== target && n !== starred)!);
    await expect.poll(() => studio.characterNames()).toEqual([starred, target, ...edited.filter((n) => n !== starred && n !== target)]);
  });

  test('duplicate, delete with confirmation, undo', async ({ studio, page }) => {
    await studio.open();
    await studio.openCharacter('Maren Holt');
    await page.getByRole('button', { name: 'Duplicate' }).click();
    await expect(page.getByTestId('editor-title')).toHaveText('Maren Holt (copy)');
    await expect(studio.statementInputs()).toHaveCount(7);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect(studio.characterButton('Maren Holt (copy)')).toHaveCount(0);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect(studio.characterButton('Maren Holt (copy)')).toHaveCount(1);
  });

  test('keyboard: the library and editor are reachable with Tab', async ({ studio, page }) => {
    await studio.open();
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Tab');
    let reachedNew = false;
    for (let i = 0; i < 12 && !reachedNew; i++) {
      reachedNew = (await page.evaluate(() => document.activeElement?.textContent ?? '')).includes('New character');
      if (!reachedNew) await page.keyboard.press('Tab');
    }
    expect(reachedNew).toBe(true);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('editor-title')).toHaveText('New character');
  });
});
