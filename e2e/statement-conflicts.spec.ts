import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { CheckerPage } from './pages/CheckerPage';
import { serveFixtureModels } from './pages/models';
import { StatementsPage } from './pages/StatementsPage';

/**
 * A card that contradicts itself (issue 12 §4), on the real checker worker
 * with the fixture NLI model. That model is a PLUMBING fixture with a fixed
 * word rule (scripts/fixtures/README.md): two sentences contradict when they
 * share a content word and exactly one holds a negation. So "Maren loves
 * swimming in the sea." contradicts the sample's "Maren cannot swim." (swim,
 * one "cannot"), and "Maren has a garden." shares no content word with any
 * statement.
 */
test('adding a contradicting statement warns on both rows naming the other; an unrelated one does not; Keep both persists', async ({ studio, page, context }) => {
  // Two checker loads (before and after a reload) and three checks: past the default limit on a busy machine.
  test.slow();
  await serveFixtureModels(context);
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  const statements = new StatementsPage(page);
  await studio.open();

  // Without the checker: nothing is checked, and the editor says so.
  await studio.openCharacter('Maren Holt');
  await expect(statements.status()).toHaveAttribute('data-state', 'off');
  await expect(statements.status()).toContainText('load the checker');
  await expect(statements.checkCardButton()).toBeDisabled();

  await chat.openModels();
  await chat.useFixtureSource();
  await checker.configureFixtureChecker();
  await studio.openCharacter('Maren Holt');
  await expect(statements.status()).toHaveAttribute('data-state', 'idle');

  // An unrelated statement: checked, no warning anywhere.
  await statements.add('Maren has a garden.');
  await statements.waitChecked();
  await expect(page.getByTestId('statement-conflict')).toHaveCount(0);

  // A contradicting one: a warning on both rows, each naming the other.
  await statements.add('Maren loves swimming in the sea.');
  const added = await statements.row('Maren loves swimming in the sea.');
  await expect(statements.otherNames(added)).toHaveText(['Maren cannot swim.'], { timeout: 180_000 });
  const old = await statements.row('Maren cannot swim.');
  await expect(statements.otherNames(old)).toHaveText(['Maren loves swimming in the sea.']);
  await expect(page.getByTestId('statement-conflict')).toHaveCount(2);
  await expect(statements.warnings(await statements.row('Maren has a garden.'))).toHaveCount(0);

  // Keep both: both warnings go, and stay gone after a reload and a whole-card check.
  await statements.keepBoth(added);
  await expect(page.getByTestId('statement-conflict')).toHaveCount(0);
  await studio.waitSaved();
  await page.reload();
  await chat.openModels();
  await checker.loadSavedChecker();
  await studio.openCharacter('Maren Holt');
  await statements.checkCard();
  const addedAgain = await statements.row('Maren loves swimming in the sea.');
  // The description says she "never learned to swim": that sentence is a new pair, so it is shown.
  await expect(statements.otherNames(addedAgain)).toHaveText(['Maren Holt never learned to swim.']);
  await expect(statements.otherNames(await statements.row('Maren cannot swim.'))).toHaveCount(0);

  // Editing one side of the kept pair brings its warning back.
  const input = addedAgain.locator('textarea');
  await input.fill('Maren loves swimming in the cold sea.');
  await input.press('Enter');
  await expect(statements.otherNames(await statements.row('Maren loves swimming in the cold sea.'))).toContainText(['Maren cannot swim.'], { timeout: 180_000 });
});

test('Check card finds a statement that contradicts a description sentence', async ({ studio, page, context }) => {
  await serveFixtureModels(context);
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  const statements = new StatementsPage(page);
  await studio.open();
  await chat.openModels();
  await chat.useFixtureSource();
  await checker.configureFixtureChecker();

  await studio.createCharacter('Elara');
  await page.getByLabel('Description', { exact: true }).fill('Elara never drinks coffee; she drinks strong black tea.');
  await statements.add('Elara loves coffee.');
  await statements.waitChecked();
  // One statement: nothing to contradict among the statements.
  await expect(page.getByTestId('statement-conflict')).toHaveCount(0);

  await statements.checkCard();
  const row = await statements.row('Elara loves coffee.');
  await expect(statements.otherNames(row)).toHaveText(['Elara never drinks coffee.']);
  await expect(statements.warnings(row)).toContainText('Contradicts the card’s text');
  await expect(statements.status()).toContainText('Card checked: 1 contradiction');

  // Disable one: the statement is disabled, so it is no longer held against the card.
  await row.getByRole('button', { name: 'Disable one' }).click();
  await expect(row.getByRole('switch', { name: 'Enable statement 1' })).toBeVisible();
  await expect(page.getByTestId('statement-conflict')).toHaveCount(0);
});

test('an imported card whose statements contradict each other is checked when it is first opened, once', async ({ studio, page, context }) => {
  // A checker load, an import, one check and a reload with a second load: past the default limit on a busy machine.
  test.slow();
  await serveFixtureModels(context);
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  const statements = new StatementsPage(page);
  await studio.open();
  await chat.openModels();
  await chat.useFixtureSource();
  await checker.configureFixtureChecker();

  // Statements from the card's extension: by the fixture rule, "swim" is shared and only one has "cannot".
  const card = {
    spec: 'chara_card_v3',
    spec_version: '3.0',
    data: {
      name: 'Ione Vale',
      description: '',
      personality: '',
      scenario: '',
      first_mes: 'Hello.',
      mes_example: '',
      extensions: {
        in_character_statements: [
          { text: 'Ione loves swimming in the sea.', enabled: true },
          { text: 'Ione has a garden.', enabled: true },
          { text: 'Ione cannot swim.', enabled: true },
        ],
      },
    },
  };
  await studio.importFiles([{ name: 'ione.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(card)) }]);
  await studio.openCharacter('Ione Vale');

  // Nothing pressed: the never-checked statements are checked on open and both rows warn.
  const loves = await statements.row('Ione loves swimming in the sea.');
  await expect(statements.otherNames(loves)).toHaveText(['Ione cannot swim.'], { timeout: 180_000 });
  await expect(statements.otherNames(await statements.row('Ione cannot swim.'))).toHaveText(['Ione loves swimming in the sea.']);
  await expect(statements.warnings(await statements.row('Ione has a garden.'))).toHaveCount(0);
  await statements.waitChecked();
  await studio.waitSaved();

  // Reopened without the checker: nothing can run, yet the warnings are there (remembered with the character).
  await page.reload();
  await studio.openCharacter('Ione Vale');
  await expect(statements.status()).toHaveAttribute('data-state', 'off');
  await expect(page.getByTestId('statement-conflict')).toHaveCount(2);
  await expect(statements.otherNames(await statements.row('Ione cannot swim.'))).toHaveText(['Ione loves swimming in the sea.']);

  // With the checker loaded again: still shown, and the open does not start a check (all statements were checked).
  await chat.openModels();
  await checker.loadSavedChecker();
  await studio.openCharacter('Ione Vale');
  await expect(statements.status()).toHaveAttribute('data-state', 'idle');
  await expect(statements.status()).toContainText('1 contradiction, marked below');
  await expect(statements.otherNames(await statements.row('Ione loves swimming in the sea.'))).toHaveText(['Ione cannot swim.']);
});
