import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { CheckerPage } from './pages/CheckerPage';

/**
 * UI flows around failures, driven by the SCRIPTED test engine (a named test
 * double: it streams known text and can simulate a crash). The real engines'
 * own failure handling is unit-tested in src/engines.
 */
const LONG = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');

test('a reload in the middle of a reply keeps the text so far, marked as interrupted', async ({ studio, page }) => {
  await CheckerPage.useScriptedReplies(page, [LONG], 150);
  const chat = new ChatPage(page);
  await studio.open();
  await chat.openModels();
  await chat.loadModelAndStartChat('scripted', 'Juniper Ash');
  await chat.send('Tell me everything.');
  await expect(chat.lastMessage()).toHaveAttribute('data-state', 'streaming');
  // Wait until a save has landed (every 400 ms while streaming), then reload mid-stream.
  await expect
    .poll(async () => {
      const dump = await studio.dumpLibrary();
      const last = (dump.messages as { order: number; swipes: { text: string }[] }[]).sort((a, b) => a.order - b.order).at(-1);
      return last?.swipes[0]?.text.length ?? 0;
    })
    .toBeGreaterThan(20);
  await page.reload();
  await expect(chat.messages).toHaveCount(3);
  await expect(chat.lastMessage()).toHaveAttribute('data-state', 'interrupted');
  await expect(chat.lastMessage().getByTestId('message-state')).toContainText('Interrupted');
  await expect(chat.lastMessage().getByTestId('message-text')).toContainText('word0 word1');
  await expect(page.getByText('A reply was cut off')).toBeVisible();
});

test('a crashed model keeps the chat and the partial reply, explains, and can be reloaded', async ({ studio, page }) => {
  await page.addInitScript(() =>
    localStorage.setItem('in-character.scripted-engine', JSON.stringify({ replies: ['one two three four five six seven eight', 'After reload I am back.'], wordDelayMs: 40, failWith: 'crash', failOnTurn: 0, failAfterWords: 4 })),
  );
  const chat = new ChatPage(page);
  await studio.open();
  await chat.openModels();
  await chat.loadModelAndStartChat('scripted', 'Juniper Ash');
  await chat.send('Go on.');
  await expect(studio.errors.filter({ hasText: 'The reply stopped with an error' })).toContainText('stopped unexpectedly');
  await expect(studio.errors.first()).toContainText('Everything typed and generated so far is kept');
  await expect(chat.lastMessage()).toHaveAttribute('data-state', 'error');
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('one two three four');
  await expect(page.getByTestId('model-chip')).toHaveAttribute('data-state', 'error');
  await expect(page.getByText('The model stopped working')).toBeVisible();
  // Typed text survives a failed send.
  await chat.composer().fill('Unsent words');
  await chat.composer().press('Enter');
  await expect(studio.errors.filter({ hasText: 'No model is loaded' })).toBeVisible();
  await expect(chat.composer()).toHaveValue('Unsent words');
  // Reload the model from the Models page, then regenerate.
  await page.getByTestId('model-chip').click();
  await page.getByRole('button', { name: 'Reload model' }).click();
  await chat.waitModelReady();
  await chat.openChat('Juniper Ash');
  await chat.lastMessage().hover();
  await chat.lastMessage().getByRole('button', { name: 'Regenerate' }).click();
  await chat.waitReplyDone();
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('After reload I am back.');
  await expect(chat.lastMessage().getByTestId('swipe-counter')).toHaveText('2 / 2');
});
