import { expect, type Locator, type Page } from '@playwright/test';
import { FIXTURE_BASE_PATH } from './models';
import { SCRIPTED_ENGINE_KEY, type EngineScript } from '../../src/testing/ScriptedEngine';
import { MODEL_MS } from './limits';

/** Chat and model manager screens. */
export class ChatPage {
  constructor(readonly page: Page) {}

  get messages() {
    return this.page.getByTestId('message');
  }

  lastMessage() {
    return this.messages.last();
  }

  /**
   * The list is virtualized: only messages near the view are in the DOM, so
   * `messages` counts those. The chat's length is on each message
   * (aria-setsize), its place in aria-posinset (1-based).
   */
  feed() {
    return this.page.getByRole('feed', { name: 'Messages' });
  }

  /** Message number `n` (1-based) of the whole chat, when it is rendered. */
  messageAt(n: number) {
    return this.feed().locator(`[data-testid="message"][aria-posinset="${n}"]`);
  }

  /** How many messages the chat has (not how many are rendered). */
  async chatLength(): Promise<number> {
    return Number(await this.lastMessage().getAttribute('aria-setsize'));
  }

  /** Scrolls the message list to the top with the mouse wheel, as a reader would (rows measured on the way move it: repeat until the first message shows). */
  async scrollToTop() {
    await this.page.getByTestId('message-list').hover();
    await expect
      .poll(async () => {
        await this.page.mouse.wheel(0, -1_000_000);
        return this.messageAt(1).isVisible();
      })
      .toBe(true);
  }

  /** The line above the oldest message the model still sees (absent while it sees the whole chat). */
  contextLine() {
    return this.page.getByTestId('context-line');
  }

  /** The place (1-based) of the first message below the context line. */
  async firstMessageInContext(): Promise<number> {
    const row = this.feed().locator('[data-index]').filter({ has: this.contextLine() });
    return Number(await row.getByTestId('message').getAttribute('aria-posinset'));
  }

  /** Scrolls the message list up with the mouse wheel, a screen at a time, until `target` is in view. */
  async scrollUpTo(target: Locator) {
    await this.page.getByTestId('message-list').hover();
    await expect
      .poll(async () => {
        if (await target.isVisible()) return true;
        await this.page.mouse.wheel(0, -500);
        return target.isVisible();
      })
      .toBe(true);
  }

  /** The "↓ Latest" button, shown while the view is away from the last message. */
  jumpToLatest() {
    return this.page.getByRole('button', { name: '↓ Latest' });
  }

  async openModels() {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Models' }).click();
    await expect(this.page.getByTestId('engine-choice')).toBeVisible();
  }

  async useFixtureSource() {
    await this.page.getByLabel('Self-hosted base URL').fill(`./${FIXTURE_BASE_PATH}`);
    await this.page.getByRole('button', { name: 'Save source' }).click();
  }

  async loadModelById(id: string) {
    await this.page.getByLabel('Load another model by id').fill(id);
    await this.page.getByRole('button', { name: 'Load', exact: true }).click();
  }

  async waitModelReady() {
    await expect(this.page.getByRole('button', { name: /^Unload (?!checker$)/ })).toBeVisible({ timeout: MODEL_MS });
  }

  async openChat(characterName: string) {
    await this.page.getByTestId('character-list').getByRole('button', { name: new RegExp(`^${characterName}`) }).click();
    await this.page.getByRole('button', { name: 'Chat', exact: true }).click();
  }

  async startChat() {
    await this.page.getByRole('button', { name: 'Start a chat' }).click();
    await expect(this.messages.first()).toBeVisible();
  }

  /** On the Models page: loads `modelId`, waits until it is ready, and starts a new chat with the character. */
  async loadModelAndStartChat(modelId: string, characterName: string) {
    await this.loadModelById(modelId);
    await this.waitModelReady();
    await this.openChat(characterName);
    await this.startChat();
  }

  composer() {
    return this.page.getByRole('textbox', { name: 'Message' });
  }

  async send(text: string) {
    await this.composer().fill(text);
    await this.composer().press('Enter');
  }

  /** Every chat engine of this page will be the SCRIPTED test double with `script` (dev server and e2e build only). */
  static async useScript(page: Page, script: EngineScript) {
    await page.addInitScript(([key, value]) => localStorage.setItem(key, value), [SCRIPTED_ENGINE_KEY, JSON.stringify(script)] as const);
  }

  /** Waits until a scripted reply is held at its `holdAtWord`. */
  async waitScriptedHeld() {
    await expect.poll(() => this.page.evaluate(() => (window as { __scriptedEngine?: { held: boolean } }).__scriptedEngine?.held ?? false)).toBe(true);
  }

  /** The messages of the last request the scripted engine received, joined (one-off generations included). */
  async scriptedLastPrompt(): Promise<string> {
    return this.page.evaluate(() => {
      const w = window as { __scriptedEngine?: { lastRequest?: { messages: { content: string }[] } } };
      return w.__scriptedEngine?.lastRequest?.messages.map((m) => m.content).join('\n') ?? '';
    });
  }

  /** Lets a held scripted reply go on. */
  async releaseScripted() {
    await this.page.evaluate(() => (window as { __scriptedEngine?: { release(): void } }).__scriptedEngine?.release());
  }

  /** Waits until the last message is a reply that is streaming and has shown some text. */
  async waitReplyStreamingWithText() {
    await expect(this.lastMessage()).toHaveAttribute('data-role', 'assistant');
    await expect(this.lastMessage()).toHaveAttribute('data-state', 'streaming');
    await expect(this.lastMessage().getByTestId('message-text')).not.toHaveText('');
  }

  /** Waits until the last message is a finished reply and the composer is ready again. */
  async waitReplyDone() {
    await expect(this.lastMessage()).toHaveAttribute('data-role', 'assistant', { timeout: MODEL_MS });
    await expect(this.lastMessage()).toHaveAttribute('data-state', /^(done|error|interrupted)$/, { timeout: MODEL_MS });
    await expect(this.page.getByRole('button', { name: 'Send' })).toBeVisible();
  }

  /** Waits until the last reply and all its further takes and guard tries are done (each take is generated and checked). */
  async waitTakesDone() {
    await expect(this.lastMessage()).toHaveAttribute('data-role', 'assistant', { timeout: MODEL_MS });
    // The turn is over only when Send is back: the takes keep it busy after the first reply is done.
    await expect(this.page.getByRole('button', { name: 'Send' })).toBeVisible({ timeout: MODEL_MS });
    await expect(this.lastMessage()).toHaveAttribute('data-state', /^(done|error|interrupted)$/);
    await expect(this.page.getByTestId('takes-progress')).toHaveCount(0);
  }

  /** Opens this chat's Sampling dialog. */
  async openSampling() {
    await this.page.getByRole('button', { name: 'Sampling settings' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Sampling for this chat' });
    await expect(dialog).toBeVisible();
    return dialog;
  }

  /** Sets takes per reply and the guard (off, or on with `retries`) in the Sampling dialog and saves. */
  async setTakes(perReply: number, guard: { retries: number } | null = null) {
    const dialog = await this.openSampling();
    await dialog.getByLabel('Takes per reply').fill(String(perReply));
    const toggle = dialog.getByRole('switch', { name: 'Guard' });
    if ((await toggle.getAttribute('aria-checked')) !== String(guard !== null)) await toggle.click();
    if (guard) await dialog.getByLabel('Guard retries').fill(String(guard.retries));
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
  }

  /** The APC chips of a message's swipes, in swipe order. */
  swipeScores(message: Locator) {
    return message.getByTestId('swipe-score');
  }

  /** Deletes a message (all its swipes) from its toolbar. */
  /** Rewrites a message's shown text through its editor. */
  async editMessage(message: Locator, text: string) {
    await message.hover();
    await message.getByRole('button', { name: 'Edit message' }).click();
    await this.page.getByLabel('Edit message text').fill(text);
    await this.page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(message).toContainText(text);
  }

  async deleteMessage(message: Locator) {
    await message.hover();
    await message.getByRole('button', { name: 'Delete message' }).click();
  }

  /** Deletes the swipe on show of a message with several. */
  async deleteSwipe(message: Locator) {
    await message.getByRole('button', { name: /^Delete swipe \d+$/ }).click();
  }

  swipeCounter(message: Locator) {
    return message.getByTestId('swipe-counter');
  }

  /** The Undo of the latest delete notice. */
  undoButton() {
    return this.page.getByTestId('notice-info').last().getByRole('button', { name: 'Undo' });
  }

  chatList() {
    return this.page.getByTestId('chat-list');
  }

  /** Deletes a chat from the chat list, through its confirmation. */
  async deleteChat(title: string) {
    await this.page.getByRole('button', { name: `Delete “${title}”` }).click();
    const dialog = this.page.getByRole('dialog', { name: `Delete “${title}”?` });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Delete chat' }).click();
    await expect(dialog).toBeHidden();
  }

  /** The chat list's rows (branches under their origin), in list order. */
  chatRows() {
    return this.page.getByTestId('chat-row');
  }

  /** The chat list's row of the chat titled `title`. */
  chatRow(title: string) {
    return this.chatRows().filter({ has: this.page.getByRole('button', { name: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }) });
  }

  /** Opens a chat from the chat list by its title. */
  async openChatTitled(title: string) {
    await this.chatRow(title).getByRole('button').first().click();
    await expect(this.page.getByTestId('chat-title')).toHaveText(title);
  }

  /** "Branch here" on a message; waits until the branch is open (its title in the header). */
  async branchAt(message: Locator) {
    await message.hover();
    await message.getByRole('button', { name: 'Branch here' }).click();
    await expect(this.page.getByTestId('chat-title')).toHaveText(/· branch$/);
  }

  /** Exports the open chat and returns the downloaded .jsonl text. */
  async exportChatText(): Promise<{ name: string; text: string }> {
    const download = this.page.waitForEvent('download');
    await this.page.getByRole('button', { name: 'Export chat (SillyTavern .jsonl)' }).click();
    const file = await download;
    const path = await file.path();
    const { readFile } = await import('node:fs/promises');
    return { name: file.suggestedFilename(), text: await readFile(path, 'utf8') };
  }

  /** Asks the model to draft the user's next line into the composer (Impersonate). */
  async impersonate() {
    await this.page.getByRole('button', { name: 'Impersonate' }).click();
  }

  /** The persona picker in the chat's header. */
  personaPicker() {
    return this.page.getByRole('combobox', { name: 'Persona for this chat' });
  }

  /** Sets the chat's context size and reply reserve in the Sampling dialog. */
  async setContext(contextSize: number, maxTokens: number) {
    const dialog = await this.openSampling();
    await dialog.getByLabel('Context size (tokens)').fill(String(contextSize));
    await dialog.getByLabel('Max reply tokens').fill(String(maxTokens));
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toBeHidden();
  }

  /** Opens the chat's Memory dialog (author's note, Story so far). */
  async openMemory() {
    await this.page.getByRole('button', { name: 'Memory: author’s note and story so far' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Memory' });
    await expect(dialog).toBeVisible();
    return dialog;
  }

  /** Saves the chat's author's note at `depth`, through the Memory dialog (left open). */
  async setAuthorsNote(text: string, depth: number) {
    const dialog = await this.openMemory();
    await dialog.getByRole('textbox', { name: 'Author’s note' }).fill(text);
    await dialog.getByLabel('Depth').fill(String(depth));
    await dialog.getByRole('button', { name: 'Save note' }).click();
    await expect(dialog.getByRole('button', { name: 'Save note' })).toBeDisabled();
    return dialog;
  }

  /** The "Story so far" summaries shown in an open Memory dialog. */
  summaries(dialog: Locator) {
    return dialog.getByTestId('story-summary');
  }

  /** Pins a message from its toolbar. */
  async pin(message: Locator) {
    await message.hover();
    await message.getByRole('button', { name: 'Pin message' }).click();
    await expect(message.getByTestId('message-pinned')).toBeVisible();
  }

  /** Opens the prompt inspector on a reply; returns the dialog. */
  async inspect(message: Locator) {
    await message.hover();
    await message.getByRole('button', { name: 'Inspect prompt' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Prompt inspector' });
    await expect(dialog).toBeVisible();
    return dialog;
  }

  /** The sections of an open prompt inspector, in the order sent. */
  promptSections(dialog: Locator) {
    return dialog.getByTestId('prompt-section');
  }

  async closeDialog(dialog: Locator) {
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
  }
}
