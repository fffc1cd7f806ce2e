import { test } from '../fixtures';
import { ChatPage } from '../pages/ChatPage';
import { CheckerPage } from '../pages/CheckerPage';
import { serveFixtureModels } from '../pages/models';

test.skip(!process.env.SHOOT, 'screenshots only on demand');

test('takes and guard screens', async ({ page, context, studio }) => {
  await serveFixtureModels(context);
  await ChatPage.useScript(page, { replies: ['The light turns in the dark. Maren is not afraid of deep water.', 'Maren stays far away from the deep water, as always.'], wordDelayMs: 20 });
  await page.setViewportSize({ width: 1440, height: 900 });
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  await studio.open();
  await checker.setUpFixtureCheckerAndScriptedModel(chat);
  await checker.startCheckedChat(chat, 'Maren Holt');
  const dialog = await chat.openSampling();
  await dialog.getByLabel('Takes per reply').fill('3');
  await dialog.getByRole('switch', { name: 'Guard' }).click();
  await page.screenshot({ path: 'test-results/shots/sampling-takes-light.png', animations: 'disabled' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/shots/sampling-takes-dark.png', animations: 'disabled' });
  await page.emulateMedia({ colorScheme: 'light' });
  await dialog.getByLabel('Takes per reply').fill('1');
  await dialog.getByLabel('Guard retries').fill('2');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await chat.send('Tell me the truth.');
  await chat.waitTakesDone();
  await chat.lastMessage().getByTestId('guard-note').waitFor();
  await page.screenshot({ path: 'test-results/shots/guard-light.png', animations: 'disabled' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/shots/guard-dark.png', animations: 'disabled' });
});
