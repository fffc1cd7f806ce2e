import { expect, type Locator, type Page } from '@playwright/test';
import { MODEL_MS } from './limits';

/** The editor's persona statements: rows, their contradiction warnings, Check card and extraction. */
export class StatementsPage {
  constructor(readonly page: Page) {}

  rows(): Locator {
    return this.page.getByTestId('statement-row');
  }

  /** The row whose statement reads exactly `text`. */
  async row(text: string): Promise<Locator> {
    const values = await this.rows().locator('textarea').evaluateAll((els) => els.map((e) => (e as HTMLTextAreaElement).value));
    const index = values.indexOf(text);
    expect(index, `no statement row reads “${text}” (rows: ${values.join(' | ')})`).toBeGreaterThanOrEqual(0);
    return this.rows().nth(index);
  }

  async add(text: string) {
    await this.page.getByLabel('New statement').fill(text);
    await this.page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(this.page.getByRole('textbox', { name: /^Statement \d+$/ }).last()).toHaveValue(text);
  }

  /** The warnings shown on one row. */
  warnings(row: Locator): Locator {
    return row.getByTestId('statement-conflict');
  }

  /** Names of the statements (or card sentences) a row's warnings point to. */
  otherNames(row: Locator): Locator {
    return row.getByTestId('conflict-other');
  }

  status(): Locator {
    return this.page.getByTestId('conflict-status');
  }

  /** Waits until no contradiction check runs (the edit's debounce included). */
  async waitChecked() {
    await expect(this.status()).toHaveAttribute('data-state', 'idle', { timeout: MODEL_MS });
  }

  checkCardButton(): Locator {
    return this.page.getByRole('button', { name: 'Check card' });
  }

  async checkCard() {
    await this.checkCardButton().click();
    await expect(this.status()).toContainText('Card checked', { timeout: MODEL_MS });
  }

  async keepBoth(row: Locator) {
    await row.getByRole('button', { name: 'Keep both' }).click();
  }

  async extract() {
    await this.page.getByRole('button', { name: 'Extract from description' }).click();
    await expect(this.page.getByTestId('proposals')).toBeVisible();
  }

  proposals(): Locator {
    return this.page.getByTestId('proposal');
  }

  async callCharacter(name: string) {
    await this.page.getByLabel('Name used in the proposed statements').selectOption(name);
  }
}
