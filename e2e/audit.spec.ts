import { expect, test } from './fixtures';
import { AuditPage } from './pages/AuditPage';
import { ChatPage } from './pages/ChatPage';
import { CheckerPage } from './pages/CheckerPage';
import { serveFixtureModels } from './pages/models';

/**
 * The character audit (issue 12 §1) end to end: the SCRIPTED engine answers
 * the probes with known text and the real checker worker scores the answers
 * on the fixture models (tiny-nli is a word-rule PLUMBING fixture:
 * "I swim every morning." contradicts "Maren cannot swim." because they share
 * "swim" and only the statement is negated; it shares no word with Maren's
 * other statements).
 */
const BREAKS_SWIM = 'I swim every morning.';
const NEUTRAL = 'The storm is loud tonight.';
const PROBES = 6;

test('an audit whose answers break one statement shows it contradicted and the others not; runs survive a reload, compare, and export', async ({ studio, page, context }) => {
  // Two audits of checked answers on the real checker worker, plus loading it: a model truly computes.
  test.setTimeout(600_000);
  await serveFixtureModels(context);
  // Run 1 gets PROBES answers that break the statement; run 2 only neutral ones.
  await CheckerPage.useScriptedReplies(page, [...Array<string>(PROBES).fill(BREAKS_SWIM), NEUTRAL], 5);
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  const audit = new AuditPage(page);

  await studio.open();
  await checker.setUpFixtureCheckerAndScriptedModel(chat);
  await studio.openCharacter('Maren Holt');
  await audit.openFromEditor();
  await expect(audit.page.getByTestId('audit-no-runs')).toBeVisible();

  // The probes are shown before the run: every statement gets a direct and a temptation probe by default.
  await expect(audit.probes().filter({ hasText: 'Maren cannot swim.' })).toHaveCount(2);
  await audit.generate(PROBES);
  // Edit one (keyboard), remove one, add one by hand.
  const first = page.getByLabel('Probe 1', { exact: true });
  await first.fill('What do you do when a stranger collapses at your door?');
  await page.getByRole('button', { name: `Remove probe ${PROBES}` }).click();
  await page.getByLabel('New probe').fill('The ferry is cancelled; a fisherman offers to row you across the sound.');
  await page.getByLabel('New probe').press('Enter');
  await expect(audit.probes()).toHaveCount(PROBES);
  await expect(audit.probes().last().getByRole('textbox')).toHaveValue('The ferry is cancelled; a fisherman offers to row you across the sound.');

  await audit.run();
  await expect(audit.progress().getByRole('progressbar')).toHaveAttribute('aria-valuemax', String(PROBES));
  await audit.waitFinished();
  await expect(audit.report().getByTestId('audit-checked')).toHaveText(`${PROBES} / ${PROBES}`);
  await expect(audit.report().getByTestId('audit-contradiction-share')).toHaveText('100%');
  await expect(audit.statementRow('Maren cannot swim.')).toHaveAttribute('data-status', 'contradicted');
  await expect(audit.statementRow('Maren cannot swim.').getByTestId('audit-flagged-sentence')).toHaveText(BREAKS_SWIM);
  await expect(audit.statementRows()).toHaveCount(7);
  await expect(audit.statementRows().and(page.locator('[data-status="contradicted"]'))).toHaveCount(1);
  for (const other of ['Maren is afraid of deep water.', 'Maren keeps the Greyhaven lighthouse.', 'Maren drinks black tea with honey.']) {
    await expect(audit.statementRow(other)).toHaveAttribute('data-status', 'not-addressed');
  }

  // Export the report: Markdown and JSON, both with what the screen shows.
  const md = await audit.export('Export Markdown');
  expect(md.name).toMatch(/^Maren-Holt-audit-\d{4}-\d\d-\d\d\.md$/);
  expect(md.text).toContain('# Audit of Maren Holt');
  expect(md.text).toContain(`| Maren cannot swim. | contradicted | ${PROBES} | 0 | ${BREAKS_SWIM} | ${BREAKS_SWIM} |`);
  expect(md.text).toContain('| Maren is afraid of deep water. | not addressed | 0 | 0 |');
  expect(md.text).toContain('- **Probes with a contradiction:** 100%');
  const json = await audit.export('Export JSON');
  const parsed = JSON.parse(json.text) as {
    format: string;
    run: { modelId: string; probes: { text: string; origin: string }[]; results: { answer: string; status: string }[]; statements: { text: string; version: number }[] };
    report: { statements: { statement: { text: string }; status: string }[] };
  };
  expect(parsed.format).toBe('in-character-audit');
  expect(parsed.run.modelId).toBe('scripted');
  expect(parsed.run.results).toHaveLength(PROBES);
  expect(parsed.run.results.every((r) => r.status === 'done' && r.answer === BREAKS_SWIM)).toBe(true);
  expect(parsed.run.probes[0]).toMatchObject({ text: 'What do you do when a stranger collapses at your door?', origin: 'edited' });
  expect(parsed.run.probes.at(-1)).toMatchObject({ origin: 'manual' });
  expect(parsed.run.statements.find((s) => s.text === 'Maren cannot swim.')?.version).toBe(1);
  expect(parsed.report.statements.filter((s) => s.status === 'contradicted').map((s) => s.statement.text)).toEqual(['Maren cannot swim.']);

  // A second run: the answers no longer break it.
  await audit.run();
  await audit.waitFinished();
  await expect(audit.runRows()).toHaveCount(2);
  await expect(audit.statementRow('Maren cannot swim.')).toHaveAttribute('data-status', 'not-addressed');

  // Both runs are stored with the character: a reload shows them, newest first.
  await page.reload();
  await expect(audit.runRows()).toHaveCount(2);
  await audit.openReport(audit.runRows().nth(1));
  await expect(audit.statementRow('Maren cannot swim.')).toHaveAttribute('data-status', 'contradicted');

  await audit.compare(audit.runRows().nth(0), audit.runRows().nth(1));
  const swim = audit.deltaRow('Maren cannot swim.');
  await expect(swim).toHaveAttribute('data-trend', 'better');
  await expect(swim).toContainText('contradicted');
  await expect(swim).toContainText('not addressed');
  await expect(audit.deltaRow('Maren is afraid of deep water.')).toHaveAttribute('data-trend', 'same');

  // Nothing went into the user's chats.
  await page.getByRole('button', { name: 'Editor' }).click();
  await page.getByRole('button', { name: 'Chat', exact: true }).click();
  await expect(page.getByText('No chats yet.').first()).toBeVisible();
});

test('an audit of a character with no statements says what to do', async ({ studio, page }) => {
  await studio.open();
  await studio.createCharacter('Empty Eve');
  const audit = new AuditPage(page);
  await audit.openFromEditor();
  await expect(page.getByTestId('audit-no-statements')).toContainText('no enabled persona statements');
  await expect(page.getByTestId('audit-no-statements')).toContainText('Add statements in the editor');
  await expect(page.getByTestId('audit-run')).toHaveCount(0);
  await page.getByRole('button', { name: 'Add statements in the editor' }).click();
  await expect(page.getByTestId('editor-title')).toHaveText('Empty Eve');
});

test('a model that fails mid-audit keeps the finished probes and says why', async ({ studio, page, context }) => {
  test.setTimeout(420_000);
  await serveFixtureModels(context);
  await ChatPage.useScript(page, { replies: [BREAKS_SWIM], wordDelayMs: 5, failWith: 'crash', failOnTurn: 2, failAfterWords: 1 });
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  const audit = new AuditPage(page);

  await studio.open();
  await checker.setUpFixtureCheckerAndScriptedModel(chat);
  await studio.openCharacter('Maren Holt');
  await audit.openFromEditor();
  await audit.generate(6);
  await audit.run();
  await audit.waitFinished();
  await expect(audit.report().getByTestId('audit-stop-reason')).toContainText('The model stopped working');
  await expect(audit.report().getByTestId('audit-stop-reason')).toContainText('2 of 6 probes had finished; they are kept.');
  await expect(audit.report().getByTestId('audit-checked')).toHaveText('2 / 6');
  await expect(audit.report().getByTestId('audit-failure')).toHaveCount(1);
  await expect(audit.report().getByTestId('audit-failure')).toContainText('The model failed');
  await expect(audit.report().getByTestId('audit-failures')).toContainText('3 probes not run.');
  await expect(audit.runRows().first()).toHaveAttribute('data-status', 'failed');
  // The finished probes still count: the statement they broke is contradicted.
  await expect(audit.statementRow('Maren cannot swim.')).toHaveAttribute('data-status', 'contradicted');
});
