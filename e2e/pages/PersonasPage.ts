import { expect, type Page } from '@playwright/test';

/** Settings → You: your name and your personas (issue 13 §5). */
export class PersonasPage {
  constructor(readonly page: Page) {}

  section() {
    return this.page.locator('#you');
  }

  personas() {
    return this.section().getByTestId('persona');
  }

  /** Adds a persona and gives it `name` and `description` (fields save on blur). */
  async add(name: string, description: string) {
    const before = await this.personas().count();
    await this.section().getByRole('button', { name: 'Add persona' }).click();
    const row = this.personas().nth(before);
    await expect(row).toBeVisible();
    await row.getByLabel('Persona name').fill(name);
    await row.getByLabel('Description').fill(description);
    await row.getByLabel('Persona name').focus();
    await row.getByLabel('Description').blur();
    await expect(this.defaultSelect().getByRole('option', { name })).toHaveCount(1);
  }

  defaultSelect() {
    return this.section().getByLabel('Default persona');
  }

  async setDefault(name: string) {
    await this.defaultSelect().selectOption({ label: name });
    await expect(this.section().getByText('default', { exact: true })).toBeVisible();
  }

  async remove(name: string) {
    await this.section().getByRole('button', { name: `Delete persona “${name}”` }).click();
  }
}
