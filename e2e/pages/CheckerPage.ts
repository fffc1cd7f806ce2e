import { expect, type Locator, type Page } from '@playwright/test';
import { SCRIPTED_ENGINE_KEY } from '../../src/testing/ScriptedEngine';
import type { ChatPage } from './ChatPage';
import { MODEL_MS } from './limits';

/**
 * Drives the consistency checker UI. The chat replies come from the SCRIPTED
 * test engine (known text, so the verdicts are known); the checker itself is
 * the real worker running the fixture NLI and embedding models.
 */
export class CheckerPage {
  constructor(readonly page: Page) {}

  static async useScriptedReplies(page: Page, replies: string[], wordDelayMs = 120) {
    await page.addInitScript(([key, value]) => localStorage.setItem(key, value), [SCRIPTED_ENGINE_KEY, JSON.stringify({ replies, wordDelayMs })] as const);
  }

  async configureFixtureChecker() {
    const section = this.page.locator('#checker-models');
    await section.getByLabel('NLI model').fill('tiny-nli');
    await section.getByLabel('Embedding model').fill('tiny-embed');
    await section.getByRole('button', { name: 'Save checker settings' }).click();
    // Settings are the checker's only source: wait until they are stored before loading.
    await expect(this.page.getByTestId('checker-status')).toContainText('tiny-nli');
    await expect(this.page.getByTestId('checker-status')).toContainText('tiny-embed');
    await section.getByRole('button', { name: /^(Download|Load) checker$/ }).click();
    await expect(this.page.getByTestId('checker-status')).toHaveAttribute('data-state', 'ready', { timeout: MODEL_MS });
  }

  /**
   * On the Models page after a reload: the saved fixture settings are kept;
   * loads the checker unless it already loaded itself from the cache.
   */
  async loadSavedChecker() {
    const status = this.page.getByTestId('checker-status');
    const load = this.page.locator('#checker-models').getByRole('button', { name: /^(Download|Load) checker$/ });
    await expect(load.or(this.page.locator('[data-testid="checker-status"][data-state="ready"]'))).toBeVisible({ timeout: MODEL_MS });
    // Right after a reload the studio's own start-up load (models already
    // downloaded load by themselves) can race the click and leave the checker
    // absent (seen once in a full run): press again until a load is under way.
    await expect(async () => {
      if (await load.isVisible()) await load.click();
      await expect(status).not.toHaveAttribute('data-state', 'absent', { timeout: 15_000 });
    }).toPass({ timeout: MODEL_MS });
    await expect(status).toHaveAttribute('data-state', 'ready', { timeout: MODEL_MS });
  }

  /**
   * From anywhere in the studio: Models → fixture model source → the fixture
   * checker loaded → the SCRIPTED chat engine loaded (see useScriptedReplies).
   */
  async setUpFixtureCheckerAndScriptedModel(chat: ChatPage) {
    await chat.openModels();
    await chat.useFixtureSource();
    await this.configureFixtureChecker();
    await chat.loadModelById('scripted');
    await chat.waitModelReady();
  }

  /** Opens the character's chat, starts a new one and waits for the checker to be ready in the panel. */
  async startCheckedChat(chat: ChatPage, characterName: string) {
    await chat.openChat(characterName);
    await chat.startChat();
    await expect(this.page.getByTestId('persona-panel')).toContainText('Checker ready');
  }

  /** The Models page's "Device: …" line (shown once the checker is loaded). */
  deviceLine() {
    return this.page.getByTestId('checker-device');
  }

  /** The checker's device select (Automatic / CPU / GPU). */
  deviceChoice() {
    return this.page.locator('#checker-models').getByLabel('Device');
  }

  badges() {
    return this.page.getByTestId('verdict-badge');
  }

  flagged() {
    return this.page.getByTestId('flagged-sentence');
  }

  driftPoints() {
    return this.page.getByTestId('drift-point');
  }

  /** The role-flag kind labels ("out of character: assistant voice", …) inside a message. */
  roleFlags(message: Locator) {
    return message.getByTestId('role-flag');
  }

  /** The "N out of role" count beside a message's verdict badge. */
  roleFlagCount(message: Locator) {
    return message.getByTestId('role-flag-count');
  }

  /** The evidence tooltip that belongs to a role-flag label (its aria-describedby). */
  async roleFlagEvidence(flag: Locator): Promise<Locator> {
    const id = await flag.getAttribute('aria-describedby');
    if (!id) throw new Error('role flag without a description');
    return this.page.locator(`[id="${id}"]`);
  }

  /** The drift timeline's "N out of role" total. */
  driftRoleFlags() {
    return this.page.getByTestId('drift-role-flags');
  }
}
