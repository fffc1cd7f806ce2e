import { expect, type Locator, type Page } from '@playwright/test';

/** Guided creation (New character → Guided): the interview screen. */
export class InterviewPage {
  readonly preview: Locator;
  readonly proposals: Locator;
  constructor(readonly page: Page) {
    this.preview = page.getByTestId('interview-preview');
    this.proposals = page.getByTestId('interview-proposals');
  }

  /** Starts a new interview, or resumes the one in progress. */
  async start() {
    await this.page.getByRole('navigation', { name: 'Character library' }).getByRole('button', { name: 'Guided' }).click();
    await expect(this.page.getByRole('heading', { name: 'Guided character' })).toBeVisible();
  }

  steps() {
    return this.page.getByRole('navigation', { name: 'Interview steps' }).getByRole('button');
  }

  currentStep() {
    return this.page.getByRole('navigation', { name: 'Interview steps' }).locator('[aria-current="step"]');
  }

  stepTitle() {
    return this.page.locator('#interview-step-title');
  }

  async expectStep(title: string) {
    await expect(this.stepTitle()).toHaveText(title);
  }

  /** An answer field (every one is a text box: one line or several). */
  field(label: string) {
    return this.page.getByRole('main').getByRole('textbox', { name: label, exact: true });
  }

  async fill(label: string, value: string) {
    await this.field(label).fill(value);
  }

  async next() {
    await this.page.getByRole('main').getByRole('button', { name: 'Next', exact: true }).click();
  }

  async back() {
    await this.page.getByRole('main').getByRole('button', { name: 'Back', exact: true }).click();
  }

  async skip() {
    await this.page.getByRole('main').getByRole('button', { name: 'Skip', exact: true }).click();
  }

  proposalInputs() {
    return this.proposals.getByRole('textbox', { name: 'Proposed statement', exact: true });
  }

  /** The values of text boxes, in order (for `expect.poll`). */
  static values(boxes: Locator): Promise<string[]> {
    return boxes.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  }

  proposalTexts() {
    return InterviewPage.values(this.proposalInputs());
  }

  acceptedTexts() {
    return InterviewPage.values(this.acceptedInputs());
  }

  acceptedInputs() {
    return this.proposals.getByRole('textbox', { name: 'Accepted statement', exact: true });
  }

  /** Accepts the proposal with this text, optionally edited first. */
  async accept(text: string, edited?: string) {
    // data-proposal keeps the proposal's own text while its box is edited.
    const row = this.proposals.locator(`[data-testid="proposal-row"][data-proposal="${text.replace(/"/g, '\\"')}"]`);
    if (edited !== undefined) await row.getByRole('textbox', { name: 'Proposed statement', exact: true }).fill(edited);
    await row.getByRole('button', { name: /^Accept: / }).click();
  }

  async reject(text: string) {
    await this.proposals.getByRole('button', { name: `Reject: ${text}` }).click();
  }

  suggestButton(label: string) {
    return this.page.getByRole('button', { name: `Suggest ${label}` });
  }

  suggestUnavailable() {
    return this.page.getByTestId('suggest-unavailable');
  }

  async waitSaved() {
    await expect(this.page.getByTestId('interview-save-state')).toHaveAttribute('data-state', 'saved');
  }

  async create() {
    await this.page.getByRole('button', { name: 'Create character' }).first().click();
  }
}
