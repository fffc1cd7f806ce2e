import { expect, type Download, type Locator, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { MODEL_MS } from './limits';

/** The character audit screen (issue 12 §1): probes, the run, past runs, a report, a comparison, exports. */
export class AuditPage {
  constructor(readonly page: Page) {}

  /** From the open editor: the header's Audit button. */
  async openFromEditor() {
    await this.page.getByRole('button', { name: 'Audit', exact: true }).click();
    // The screen is a lazy chunk: its first visit loads it, slow on a busy machine.
    await expect(this.page.getByTestId('audit-screen')).toBeVisible({ timeout: 90_000 });
  }

  probes() {
    return this.page.getByTestId('audit-probe');
  }

  /** "Suggest probes": the loaded chat model writes extra probes into the list. */
  suggestButton() {
    return this.page.getByTestId('audit-suggest');
  }

  /** Why Suggest probes cannot run (no model loaded, …). */
  suggestBlocker() {
    return this.page.getByTestId('audit-suggest-blocker');
  }

  /** Probes the model suggested (tagged as such in the list). */
  suggestedProbes() {
    return this.page.locator('[data-testid="audit-probe"][data-origin="suggested"]');
  }

  /** Sets the cap and generates the probes again. */
  async generate(maxProbes: number) {
    await this.page.getByLabel('At most').fill(String(maxProbes));
    await this.page.getByRole('button', { name: 'Generate again' }).click();
    await expect(this.probes()).toHaveCount(maxProbes);
  }

  async run() {
    await this.page.getByTestId('audit-run').click();
  }

  progress() {
    return this.page.getByTestId('audit-progress');
  }

  /** Waits for the run to end (the progress goes) and its report to open. */
  async waitFinished() {
    await expect(this.progress()).toBeHidden({ timeout: MODEL_MS });
    await expect(this.report()).toBeVisible();
  }

  problem() {
    return this.page.getByTestId('audit-problem');
  }

  runRows() {
    return this.page.getByTestId('audit-run-row');
  }

  report() {
    return this.page.getByTestId('audit-report');
  }

  /** The report's row of a statement (its status is `data-status`). */
  statementRow(text: string): Locator {
    return this.report().getByTestId('audit-statement-row').filter({ has: this.page.getByTestId('audit-statement-text').getByText(text, { exact: true }) });
  }

  statementRows() {
    return this.report().getByTestId('audit-statement-row');
  }

  async openReport(row: Locator) {
    await row.getByRole('button', { name: 'Report' }).click();
    await expect(this.report()).toBeVisible();
  }

  /** Picks two runs by their rows and compares them. */
  async compare(a: Locator, b: Locator) {
    await a.getByRole('checkbox').check();
    await b.getByRole('checkbox').check();
    await this.page.getByTestId('audit-compare-button').click();
    await expect(this.page.getByTestId('audit-compare')).toBeVisible();
  }

  deltaRow(text: string) {
    return this.page.getByTestId('audit-compare').getByTestId('audit-delta-row').filter({ hasText: text });
  }

  /** Clicks an export button of the open report; resolves with the file's name and text. */
  async export(label: 'Export Markdown' | 'Export JSON'): Promise<{ name: string; text: string }> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.report().getByRole('button', { name: label }).click()]);
    return { name: download.suggestedFilename(), text: await readDownload(download) };
  }
}

async function readDownload(download: Download): Promise<string> {
  const path = await download.path();
  return readFile(path, 'utf8');
}
