import { expect, test } from '../fixtures';
import { ChatPage } from '../pages/ChatPage';
import { CheckerPage } from '../pages/CheckerPage';
import { serveFixtureModels } from '../pages/models';
import { StatementsPage } from '../pages/StatementsPage';

test.skip(!process.env.SHOOT, 'screenshots only on demand');

test('statement conflict screens', async ({ page, context, studio }) => {
  test.slow();
  await serveFixtureModels(context);
  await page.setViewportSize({ width: 1280, height: 900 });
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  const statements = new StatementsPage(page);
  await studio.open();
  await chat.openModels();
  await chat.useFixtureSource();
  await checker.configureFixtureChecker();
  await studio.openCharacter('Maren Holt');
  await statements.add('Maren loves swimming in the sea.');
  await expect(page.getByTestId('statement-conflict')).toHaveCount(2, { timeout: 180_000 });
  await statements.checkCard();
  const section = page.locator('#statements');
  await section.scrollIntoViewIfNeeded();
  await section.screenshot({ path: 'test-results/shots/statement-conflicts-light.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await section.screenshot({ path: 'test-results/shots/statement-conflicts-dark.png' });
  await page.emulateMedia({ colorScheme: 'light' });
  await statements.extract();
  await page.getByTestId('proposals').screenshot({ path: 'test-results/shots/statement-proposals.png' });
});
