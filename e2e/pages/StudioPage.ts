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
    // The first load starts the studio (and the engine workers it makes): slow on a busy machine.
    await expect(this.page.getByTestId('character-list').or(this.page.getByText('Your library is empty'))).toBeVisible({ timeout: timeout ?? 30_000 });
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

  /** The star beside a character in the library (aria-pressed when it is a favourite). */
  favouriteButton(name: string) {
    return this.page.getByTestId('character-list').getByRole('button', { name: `Favourite: ${name}`, exact: true });
  }

  /** The library's order and tag filter (selects) and its count ("12" or "3 of 12"). */
  libraryOrder() {
    return this.page.getByRole('navigation', { name: 'Character library' }).getByLabel('Order', { exact: true });
  }

  libraryTag() {
    return this.page.getByRole('navigation', { name: 'Character library' }).getByLabel('Tag', { exact: true });
  }

  libraryCount() {
    return this.page.getByTestId('library-count');
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

  /** The restore dialog ("Restore this backup?"). */
  restoreDialog() {
    return this.page.getByRole('dialog', { name: 'Restore this backup?' });
  }

  /** Picks a backup file under Settings → Backup (the dialog opens when it is readable). */
  async chooseBackup(name: string, content: unknown) {
    await this.goSettings();
    const buffer = Buffer.from(typeof content === 'string' ? content : JSON.stringify(content));
    await this.page.getByTestId('restore-input').setInputFiles({ name, mimeType: 'application/json', buffer });
  }

  /**
   * Writes a row straight into the studio's IndexedDB, past every schema, as an
   * older version or a bug could have; `avatarHtml` stores a text/html Blob as
   * the avatar. Reload afterwards: the studio does not watch raw writes.
   */
  async injectRow(store: 'characters' | 'chats' | 'messages' | 'settings', row: Record<string, unknown>, avatarHtml?: string) {
    await this.page.evaluate(
      async ({ store, row, avatarHtml }) => {
        const open = indexedDB.open('in-character');
        const db: IDBDatabase = await new Promise((res, rej) => {
          open.onsuccess = () => res(open.result);
          open.onerror = () => rej(open.error);
        });
        const value = avatarHtml === undefined ? row : { ...row, avatar: new Blob([avatarHtml], { type: 'text/html' }) };
        await new Promise<void>((res, rej) => {
          const tx = db.transaction(store, 'readwrite');
          tx.objectStore(store).put(value);
          tx.oncomplete = () => res();
          tx.onerror = () => rej(tx.error);
        });
        db.close();
      },
      { store, row, avatarHtml },
    );
  }

  /** One stored setting's raw value (undefined when absent). */
  async storedSetting(key: string): Promise<unknown> {
    return this.page.evaluate(async (key) => {
      const open = indexedDB.open('in-character');
      const db: IDBDatabase = await new Promise((res, rej) => {
        open.onsuccess = () => res(open.result);
        open.onerror = () => rej(open.error);
      });
      const row = await new Promise<{ value: unknown } | undefined>((res, rej) => {
        const r = db.transaction('settings').objectStore('settings').get(key);
        r.onsuccess = () => res(r.result as { value: unknown } | undefined);
        r.onerror = () => rej(r.error);
      });
      db.close();
      return row?.value;
    }, key);
  }

  /** The stored avatar of a character: its type and first bytes, or null. */
  async storedAvatar(id: string): Promise<{ type: string; head: number[] } | null> {
    return this.page.evaluate(async (id) => {
      const open = indexedDB.open('in-character');
      const db: IDBDatabase = await new Promise((res, rej) => {
        open.onsuccess = () => res(open.result);
        open.onerror = () => rej(open.error);
      });
      const row = await new Promise<{ avatar: Blob | null } | undefined>((res, rej) => {
        const r = db.transaction('characters').objectStore('characters').get(id);
        r.onsuccess = () => res(r.result as { avatar: Blob | null } | undefined);
        r.onerror = () => rej(r.error);
      });
      db.close();
      if (!row?.avatar) return null;
      return { type: row.avatar.type, head: Array.from(new Uint8Array(await row.avatar.slice(0, 8).arrayBuffer())) };
    }, id);
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
