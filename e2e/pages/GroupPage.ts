import { expect, type Locator, type Page } from '@playwright/test';
import { MODEL_MS } from './limits';

/** A group scene (issue 13 §3): creating one from the library, its members bar, its messages by speaker, its per-character panel. */
export class GroupPage {
  constructor(readonly page: Page) {}

  /** From the library sidebar: picks the characters (by their library names, in this order) and starts the scene. */
  async newScene(names: string[]) {
    await this.page.getByRole('button', { name: 'New group scene' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'New group scene' });
    for (const name of names) await dialog.getByRole('checkbox', { name, exact: true }).check();
    await dialog.getByRole('button', { name: `Start scene with ${names.length}` }).click();
    await expect(this.page.getByTestId('group-scene')).toBeVisible();
  }

  member(name: string): Locator {
    return this.page.getByTestId('scene-member').filter({ hasText: name });
  }

  /** Lets a member speak now (no message from the user). */
  async speak(name: string) {
    await this.page.getByRole('button', { name: `Let ${name} speak` }).click();
  }

  async setStrategy(label: 'I pick' | 'Round-robin' | 'Whoever is addressed') {
    await this.page.getByLabel('Who speaks next').selectOption({ label });
  }

  /** Every message written by `name` (the user's are 'user'). */
  bySpeaker(name: string): Locator {
    return this.page.locator(`[data-speaker="${name}"]`).getByTestId('message');
  }

  /** A member's section of the consistency panel. */
  panelFor(name: string): Locator {
    return this.page.getByTestId('member-consistency').and(this.page.locator(`[data-member="${name}"]`));
  }

  /** Presses ← or → for the last reply's swipes, with focus out of the text fields (where the keys edit text). */
  async swipeKey(key: 'ArrowLeft' | 'ArrowRight') {
    await this.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await this.page.keyboard.press(key);
  }

  /** Waits until the scene is idle: the last reply is finished and checked (its verdict badge is shown). */
  async waitReplyChecked() {
    const last = this.page.getByTestId('message').last();
    await expect(last).toHaveAttribute('data-role', 'assistant', { timeout: MODEL_MS });
    await expect(last).toHaveAttribute('data-state', 'done', { timeout: MODEL_MS });
    await expect(this.page.getByRole('button', { name: 'Send' })).toBeVisible({ timeout: MODEL_MS });
    await expect(last.getByTestId('verdict-badge')).toBeVisible({ timeout: MODEL_MS });
  }
}
