import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { CheckerPage } from './pages/CheckerPage';
import { serveFixtureModels } from './pages/models';
import { MODEL_MS } from './pages/limits';

/**
 * Stop (Esc) ends a reply at any moment of it. The replies come from the
 * SCRIPTED test engine, held at a chosen word so the moment is exact; the real
 * CPU engine's Esc is in chat.spec.ts, the engines' own stop paths in their
 * unit tests.
 */
test('Esc before the first word ends the reply at once, and the next reply works', async ({ studio, page }) => {
  await ChatPage.useScript(page, { replies: ['These words never come.', 'The second reply arrives whole.'], wordDelayMs: 20, holdAtWord: 0 });
  const chat = new ChatPage(page);
  await studio.open();
  await chat.openModels();
  await chat.loadModelAndStartChat('scripted', 'Maren Holt');

  await chat.send('Hello?');
  await chat.waitScriptedHeld();
  await expect(chat.lastMessage()).toHaveAttribute('data-state', 'streaming');
  await page.keyboard.press('Escape');
  await chat.waitReplyDone();
  await expect(chat.lastMessage()).toHaveAttribute('data-state', 'done');
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('Stopped before the first word.');

  await chat.send('Try again.');
  await chat.waitScriptedHeld();
  await chat.releaseScripted();
  await chat.waitReplyDone();
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('The second reply arrives whole.');
});

test('Stop mid-reply keeps the words so far, and a reload keeps them too', async ({ studio, page }) => {
  const words = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
  await ChatPage.useScript(page, { replies: [words], wordDelayMs: 40, holdAtWord: 5 });
  const chat = new ChatPage(page);
  await studio.open();
  await chat.openModels();
  await chat.loadModelAndStartChat('scripted', 'Juniper Ash');

  await chat.send('Count for me.');
  await chat.waitScriptedHeld();
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('word0 word1 word2 word3 word4');
  await page.getByRole('button', { name: 'Stop' }).click();
  await chat.waitReplyDone();
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('word0 word1 word2 word3 word4');
  await page.reload();
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('word0 word1 word2 word3 word4');
  await expect(chat.lastMessage()).toHaveAttribute('data-state', 'done');
});

test('Esc while the checker scores the reply stops the reply, and the words so far are still checked', async ({ studio, page, context }) => {
  await serveFixtureModels(context);
  const reply = 'I will never go near the deep water. The sea is cold tonight. The lamp needs oil. The gulls are loud. I should sleep soon.';
  await ChatPage.useScript(page, { replies: [reply], wordDelayMs: 30, holdAtWord: 9 });
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  await studio.open();
  await checker.setUpFixtureCheckerAndScriptedModel(chat);
  await checker.startCheckedChat(chat, 'Maren Holt');

  await chat.send('Will you swim with me?');
  await chat.waitScriptedHeld();
  // The first sentence is complete: the checker scores it while the reply waits.
  await expect(page.getByTestId('verdict-live')).toContainText('1 sentence checked', { timeout: MODEL_MS });
  await page.keyboard.press('Escape');
  await chat.waitReplyDone();
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('I will never go near the deep water. The');
  // The stopped reply gets its verdict like any other.
  await expect(chat.lastMessage().getByTestId('verdict-badge')).toBeVisible({ timeout: MODEL_MS });
});
