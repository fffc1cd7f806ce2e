import { expect, type Locator, type Page } from '@playwright/test';
import path from 'node:path';

export const CARDS_DIR = path.resolve(import.meta.dirname, '../../../shared/fixtures/cards');
export const cardPath = (name: string) => path.join(CARDS_DIR, name);

/** Everything a spec does goes through here (role and test-id locators). */
export class StudioPage {
  readonly notices: Locator;
  readonly errors: Locator;
  constructor(readonly page: Page) {
    this.notices = page.locator('[data-testid^="notice-"]');
    this.errors = page.getByTestId('notice-error');
  }

  /** `timeout`: for pages that load while another copy of the studio runs (two tabs). */
  async open(timeout?: number) {
    await this.page.goto('./');
    await expect(this.page.getByTestId('character-list').or(this.page.getByText('Your library is empty'))).toBeVisible({ timeout });
  }

  characterButton(name: string | RegExp) {
    const re = typeof name === 'string' ? new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) : name;
    return this.page.getByTestId('character-list').getByRole('button', { name: re });
  }

  async characterNames(): Promise<string[]> {
    const list = this.page.getByTestId('character-list');
    if (!(await list.isVisible())) return [];
    return list.locator('li button span span:first-child').allInnerTexts();
  }

  async importFiles(files: string[] | { name: string; mimeType: string; buffer: Buffer }[]) {
    await this.page.getByTestId('import-input').setInputFiles(files);
  }

  async openCharacter(name: string) {
    await this.characterButton(name).first().click();
    await expect(this.page.getByTestId('editor-title')).toHaveText(name);
  }

  async createCharacter(name: string) {
    await this.page.getByRole('button', { name: 'New character' }).click();
    await expect(this.page.getByTestId('editor-title')).toHaveText('New character');
    const field = this.page.getByLabel('Name', { exact: true });
    await field.fill(name);
    await this.waitSaved();
  }

  async addStatement(text: string) {
    await this.page.getByLabel('New statement').fill(text);
    await this.page.getByRole('button', { name: 'Add', exact: true }).click();
  }

  statementInputs() {
    return this.page.getByTestId('statement-row').locator('textarea');
  }

  async waitSaved() {
    await expect(this.page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  }

  async goSettings() {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
  }

  /** The whole IndexedDB library as plain data (avatars as byte arrays), for exact comparisons. */
  async dumpLibrary() {
    return this.page.evaluate(async () => {
      const open = indexedDB.open('in-character');
      const db: IDBDatabase = await new Promise((res, rej) => {
        open.onsuccess = () => res(open.result);
        open.onerror = () => rej(open.error);
      });
      const all = async (store: string) =>
        new Promise<unknown[]>((res, rej) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
      const characters = (await all('characters')) as { avatar: Blob | null; id: string }[];
      const out = {
        characters: await Promise.all(
          characters.map(async (c) => ({ ...c, avatar: c.avatar ? Array.from(new Uint8Array(await c.avatar.arrayBuffer())) : null })),
        ),
        chats: await all('chats'),
        messages: await all('messages'),
        verdicts: await all('verdicts'),
      };
      db.close();
      out.characters.sort((a, b) => a.id.localeCompare(b.id));
      return out;
    });
  }
}
