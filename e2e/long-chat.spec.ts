import { expect, test } from './fixtures';
import { LONG_STORY, scaleBackup, scaleMessageText } from './fixtures/scaleBackup';
import { ChatPage } from './pages/ChatPage';

/**
 * A 10,000-message chat (issue 13), built by restoring a generated backup
 * through Settings → Backup: it opens at its last message with only a
 * screenful of messages in the DOM, scrolls to its first message, and streams
 * a reply onto its end. How fast is measured by `npm run bench:scale`
 * (BENCHMARKS.md), not here.
 */
const MESSAGES = 10_000;
const REPLY = 'The light holds tonight, and so do I.';

test('a 10,000-message chat opens at its end, scrolls to its start and streams a reply', async ({ studio, page }) => {
  test.setTimeout(240_000);
  await ChatPage.useScript(page, { replies: [REPLY], wordDelayMs: 40 });
  const chat = new ChatPage(page);
  await studio.open();
  await studio.chooseBackup('long-chat.json', scaleBackup(3, MESSAGES));
  await studio.restoreDialog().getByRole('button', { name: 'Replace library' }).click();
  await expect(page.getByText('Library restored')).toBeVisible({ timeout: 60_000 });

  await chat.openModels();
  await chat.loadModelById('scripted');
  await chat.waitModelReady();
  await chat.openChat(LONG_STORY);

  // Opens at the end: the last message, and only a screenful or so rendered.
  await expect(chat.messageAt(MESSAGES)).toContainText(scaleMessageText(MESSAGES - 1), { timeout: 60_000 });
  await expect(chat.messageAt(MESSAGES)).toBeInViewport();
  expect(await chat.chatLength()).toBe(MESSAGES);
  expect(await chat.messages.count()).toBeLessThan(60);
  await expect(chat.jumpToLatest()).toBeHidden();

  // A 2,048-token context holds only the last few dozen messages: a line a
  // few screens up marks where the model stops seeing the chat.
  await chat.scrollUpTo(chat.contextLine());
  const firstSeen = await chat.firstMessageInContext();
  expect(firstSeen).toBeGreaterThan(MESSAGES - 200);
  expect(firstSeen).toBeLessThan(MESSAGES - 5);

  // To the first message, and back with "↓ Latest".
  await chat.scrollToTop();
  // (Its *asterisks* render as emphasis: compare the plain end of the line.)
  await expect(chat.messageAt(1)).toContainText(scaleMessageText(0).split('*').at(-1)!.trim());
  await expect(chat.messageAt(MESSAGES)).toHaveCount(0);
  expect(await chat.messages.count()).toBeLessThan(60);
  await chat.jumpToLatest().click();
  await expect(chat.messageAt(MESSAGES)).toBeInViewport();
  await expect(chat.jumpToLatest()).toBeHidden();

  // A reply streams onto the end and the view follows it.
  await chat.send('Tell me about the winter the light failed.');
  await chat.waitReplyDone();
  await expect(chat.messageAt(MESSAGES + 2)).toContainText(REPLY);
  await expect(chat.messageAt(MESSAGES + 2)).toBeInViewport();
  expect(await chat.chatLength()).toBe(MESSAGES + 2);
  await expect(chat.messageAt(MESSAGES + 1)).toContainText('Tell me about the winter');
});
