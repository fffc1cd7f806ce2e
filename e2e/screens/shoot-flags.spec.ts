import { test } from '../fixtures';
import { ChatPage } from '../pages/ChatPage';
import { CheckerPage } from '../pages/CheckerPage';
import { serveFixtureModels } from '../pages/models';

test.skip(!process.env.SHOOT, 'screenshots only on demand');

test('role flag screens', async ({ page, context, studio }) => {
  await serveFixtureModels(context);
  await CheckerPage.useScriptedReplies(
    page,
    [
      '*Maren shrugs.* As an AI language model, I am not able to swim. Is there anything else I can help you with?',
      '*Maren stares at the window.* You want to walk down to the water with me tonight. Not a chance.',
      '*Maren hands you the lamp.* Keep it lit. *You nod and say you will.*',
    ],
    20,
  );
  await page.setViewportSize({ width: 1440, height: 900 });
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  await studio.open();
  await checker.setUpFixtureCheckerAndScriptedModel(chat);
  await checker.startCheckedChat(chat, 'Maren Holt');
  for (const turn of ['Do you like to swim?', 'I want to walk down to the water with you tonight.', 'What now?']) {
    await chat.send(turn);
    await chat.waitReplyDone();
    await chat.lastMessage().getByTestId('verdict-badge').waitFor();
  }
  await checker.roleFlags(chat.lastMessage()).first().focus();
  await page.screenshot({ path: 'test-results/shots/flags-light.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await checker.roleFlags(chat.messages.nth(2)).first().hover();
  await page.screenshot({ path: 'test-results/shots/flags-dark.png' });
  await chat.messages.nth(2).getByTestId('verdict-badge').click();
  await page.screenshot({ path: 'test-results/shots/flags-dialog-dark.png' });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: 'test-results/shots/flags-dialog-light.png' });
});
