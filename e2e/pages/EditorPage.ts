import { expect, type Page } from '@playwright/test';

/** The character editor: fields, the save state and conflicts with other tabs. */
export class EditorPage {
  constructor(readonly page: Page) {}

  field(label: string) {
    return this.page.getByLabel(label, { exact: true });
  }

  saveState() {
    return this.page.getByTestId('save-state');
  }

  async waitSaved() {
    await expect(this.saveState()).toHaveAttribute('data-state', 'saved');
  }

  /** Opens a character from the library sidebar. */
  async open(name: string) {
    await this.page.getByTestId('character-list').getByRole('button', { name: new RegExp(`^${name}`) }).first().click();
    await expect(this.page.getByTestId('editor-title')).toHaveText(name);
  }

  conflicts() {
    return this.page.getByTestId('conflict');
  }

  conflict(label: string) {
    return this.conflicts().filter({ has: this.page.getByText(label, { exact: true }) });
  }

  async keepMine(label: string) {
    await this.page.getByRole('button', { name: `Keep mine: ${label}` }).click();
  }

  async takeTheirs(label: string) {
    await this.page.getByRole('button', { name: `Take theirs: ${label}` }).click();
  }
}
