import { test } from '../fixtures';
import { ChatPage } from '../pages/ChatPage';
import { CheckerPage } from '../pages/CheckerPage';
import { GroupPage } from '../pages/GroupPage';
import { serveFixtureModels } from '../pages/models';

test.skip(!process.env.SHOOT, 'screenshots only on demand');

test('group scene screens', async ({ page, context, studio }) => {
  await serveFixtureModels(context);
  await ChatPage.useScript(page, {
    replies: ['*She sets down the cup.* Maren is not afraid of deep water.', 'Juniper is not left-handed. *She adjusts her spectacles.*', 'Maren is not afraid of deep water.', 'Maren stays far away from the deep water.'],
    wordDelayMs: 20,
    // Maren's second take holds, so the takes indicator can be shot.
    holdAtWord: 1,
    holdOnTurn: 3,
  });
  await page.setViewportSize({ width: 1440, height: 900 });
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  const group = new GroupPage(page);
  await studio.open();
  await checker.setUpFixtureCheckerAndScriptedModel(chat);
  await page.getByRole('button', { name: 'New group scene' }).click();
  const dialog = page.getByRole('dialog', { name: 'New group scene' });
  await dialog.getByRole('checkbox', { name: 'Maren Holt', exact: true }).check();
  await dialog.getByRole('checkbox', { name: 'Juniper Ash', exact: true }).check();
  await page.screenshot({ path: 'test-results/shots/group-new-light.png', animations: 'disabled' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/shots/group-new-dark.png', animations: 'disabled' });
  await page.emulateMedia({ colorScheme: 'light' });
  await dialog.getByRole('button', { name: 'Start scene with 2' }).click();
  await group.speak('Maren');
  await group.waitReplyChecked();
  await group.setStrategy('Whoever is addressed');
  await chat.send('June, is that so?');
  await group.waitReplyChecked();
  await page.screenshot({ path: 'test-results/shots/group-scene-light.png', animations: 'disabled' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/shots/group-scene-dark.png', animations: 'disabled' });
  await page.emulateMedia({ colorScheme: 'light' });

  // Takes and the guard in the scene: the chat's Sampling dialog, then a reply's takes in progress and ranked.
  const sampling = await chat.openSampling();
  await sampling.getByLabel('Takes per reply').fill('2');
  await sampling.getByRole('switch', { name: 'Guard' }).click();
  await page.screenshot({ path: 'test-results/shots/group-sampling-light.png', animations: 'disabled' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/shots/group-sampling-dark.png', animations: 'disabled' });
  await page.emulateMedia({ colorScheme: 'light' });
  await sampling.getByRole('switch', { name: 'Guard' }).click();
  await sampling.getByRole('button', { name: 'Save' }).click();
  await chat.send('Maren, will you swim?');
  await chat.waitScriptedHeld();
  await page.screenshot({ path: 'test-results/shots/group-takes-light.png', animations: 'disabled' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/shots/group-takes-dark.png', animations: 'disabled' });
  await chat.releaseScripted();
  await chat.waitTakesDone();
  await page.screenshot({ path: 'test-results/shots/group-takes-ranked-dark.png', animations: 'disabled' });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: 'test-results/shots/group-takes-ranked-light.png', animations: 'disabled' });
});
