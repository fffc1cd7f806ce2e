import { test } from '../fixtures';
import { ChatPage } from '../pages/ChatPage';
import { CheckerPage } from '../pages/CheckerPage';
import { serveFixtureModels } from '../pages/models';

test.skip(!process.env.SHOOT, 'screenshots only on demand');

test('checker screens', async ({ page, context, studio }) => {
  await serveFixtureModels(context);
  await CheckerPage.useScriptedReplies(page, ['Maren stays far away from the deep water. The storm is loud.', 'The light turns in the dark. Maren is not afraid of deep water. She smiles and looks at the sea.'], 30);
  await page.setViewportSize({ width: 1440, height: 900 });
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  await studio.open();
  await chat.openModels();
  await chat.useFixtureSource();
  await checker.configureFixtureChecker();
  await checker.deviceLine().scrollIntoViewIfNeeded();
  await page.locator('#checker-models').screenshot({ path: 'test-results/shots/checker-models.png' });
  await chat.loadModelAndStartChat('scripted', 'Maren Holt');
  await chat.send('Will you walk down to the water with me?');
  await chat.waitReplyDone();
  await chat.send('Tell me the truth.');
  await chat.waitReplyDone();
  await page.getByTestId('verdict-badge').last().waitFor();
  await page.screenshot({ path: 'test-results/shots/checker-light.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/shots/checker-dark.png' });
  await page.getByTestId('verdict-badge').last().click();
  await page.screenshot({ path: 'test-results/shots/verdict-dialog.png' });
});
