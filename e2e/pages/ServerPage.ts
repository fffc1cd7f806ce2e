import { expect, type Page } from '@playwright/test';
import { MODEL_MS } from './limits';

/**
 * The Models page's "Server (OpenAI-compatible)" section, and the engine
 * choice it makes. The server is a real process (scripts/test-server), not a
 * Playwright route.
 */
export class ServerPage {
  constructor(readonly page: Page) {}

  section() {
    return this.page.locator('#server');
  }

  async connect(baseUrl: string, apiKey = '') {
    await this.section().getByLabel('Server base URL').fill(baseUrl);
    await this.section().getByLabel('API key').fill(apiKey);
    await this.section().getByRole('button', { name: 'Connect' }).click();
  }

  /** The models Connect listed (radio buttons). */
  models() {
    return this.section().getByRole('radiogroup', { name: 'Server models' }).getByRole('radio');
  }

  async pickModel(id: string) {
    await this.models().filter({ hasText: id }).first().click();
  }

  async typeModel(id: string) {
    await this.section().getByLabel('Model id').fill(id);
  }

  contextSize() {
    return this.section().getByLabel('Context size (tokens)');
  }

  async use() {
    await this.section().getByRole('button', { name: 'Use this server' }).click();
  }

  async waitInUse(modelId: string) {
    await expect(this.section().getByTestId('server-in-use')).toContainText(modelId, { timeout: MODEL_MS });
  }

  /** From the Models page: connect, pick `modelId` from the list, use it, wait until ready. */
  async setUp(baseUrl: string, modelId: string, apiKey = '') {
    await this.connect(baseUrl, apiKey);
    await expect(this.models().filter({ hasText: modelId })).toBeVisible();
    await this.pickModel(modelId);
    await this.use();
    await this.waitInUse(modelId);
  }

  connectError() {
    return this.section().getByTestId('server-connect-error');
  }

  loadError() {
    return this.page.getByTestId('load-error');
  }

  engineChoice() {
    return this.page.getByTestId('engine-choice');
  }

  privacyNote() {
    return this.section().getByTestId('server-privacy');
  }
}
