import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { CheckerPage } from './pages/CheckerPage';
import { serveFixtureModels } from './pages/models';

/** Which swipe each stored verdict belongs to, and what it found. */
const verdictOwners = (verdicts: unknown[]) =>
  (verdicts as { id: string; swipeIndex: number; verdict: { verdict: string; contradictions: number; apcPercent: number } }[])
    .map((v) => [v.id, v.swipeIndex, v.verdict.verdict, v.verdict.contradictions, v.verdict.apcPercent])
    .sort();

test.describe('delete with undo', () => {
  test('a message with its swipes, a swipe and a chat each come back exactly', async ({ studio, page }) => {
    const chat = new ChatPage(page);
    await studio.open();
    await chat.openChat('Maren Holt');
    await chat.startChat();
    const greeting = chat.messages.first();
    await expect(chat.swipeCounter(greeting)).toHaveText('1 / 2');
    const fresh = await studio.dumpLibrary();

    // A message and both its swipes; Undo has the keyboard focus.
    await chat.deleteMessage(greeting);
    await expect(chat.messages).toHaveCount(0);
    await expect(page.getByTestId('notice-info').last()).toContainText('and its 1 other swipe');
    await expect(chat.undoButton()).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(chat.messages).toHaveCount(1);
    await expect(chat.swipeCounter(greeting)).toHaveText('1 / 2');
    expect(await studio.dumpLibrary()).toEqual(fresh);

    // One swipe of two.
    await greeting.getByRole('button', { name: 'Next swipe' }).click();
    await expect(chat.swipeCounter(greeting)).toHaveText('2 / 2');
    const twoSwipes = await studio.dumpLibrary();
    await chat.deleteSwipe(greeting);
    await expect(chat.swipeCounter(greeting)).toHaveCount(0);
    await expect(greeting.getByTestId('message-text')).toContainText('The door bangs shut');
    await chat.undoButton().click();
    await expect(chat.swipeCounter(greeting)).toHaveText('2 / 2');
    await expect(greeting.getByTestId('message-text')).toContainText('Third ship tonight');
    expect(await studio.dumpLibrary()).toEqual(twoSwipes);

    // A chat, after its confirmation.
    await chat.deleteChat('Chat 1');
    await expect(chat.chatList()).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Start a chat' })).toBeVisible();
    await chat.undoButton().click();
    await expect(chat.chatList().getByRole('button', { name: /^Chat 1/ })).toBeVisible();
    await expect(chat.messages).toHaveCount(1);
    await expect(chat.swipeCounter(greeting)).toHaveText('2 / 2');
    expect(await studio.dumpLibrary()).toEqual(twoSwipes);
  });

  test('a checked reply comes back with its swipes and their verdicts', async ({ studio, page, context }) => {
    // Replies from the SCRIPTED test engine (known text); the checker is the real worker on the fixture models.
    test.setTimeout(180_000);
    await serveFixtureModels(context);
    await CheckerPage.useScriptedReplies(page, ['Maren stays far away from the deep water. The storm is loud.', 'Maren is not afraid of deep water.'], 40);
    const chat = new ChatPage(page);
    const checker = new CheckerPage(page);
    await studio.open();
    await checker.setUpFixtureCheckerAndScriptedModel(chat);
    await checker.startCheckedChat(chat, 'Maren Holt');
    await chat.send('Will you walk down to the water with me?');
    await chat.waitReplyDone();
    await chat.lastMessage().getByRole('button', { name: 'Regenerate' }).click();
    await chat.waitReplyDone();
    const reply = chat.lastMessage();
    await expect(chat.swipeCounter(reply)).toHaveText('2 / 2');
    await expect(reply.getByTestId('verdict-badge')).toHaveAttribute('data-verdict', 'contradicts');
    await expect.poll(async () => (await studio.dumpLibrary()).verdicts.length).toBe(2);
    const before = await studio.dumpLibrary();

    await chat.deleteMessage(reply);
    await expect(chat.messages).toHaveCount(2);
    expect((await studio.dumpLibrary()).verdicts).toHaveLength(0);
    await chat.undoButton().click();
    await expect(chat.messages).toHaveCount(3);
    await expect(chat.lastMessage().getByTestId('verdict-badge')).toHaveAttribute('data-verdict', 'contradicts');
    expect(await studio.dumpLibrary()).toEqual(before);

    // The first swipe goes; the second's verdict moves with it; Undo puts both back in place.
    await chat.lastMessage().getByRole('button', { name: 'Previous swipe' }).click();
    await expect(chat.swipeCounter(chat.lastMessage())).toHaveText('1 / 2');
    const shownFirst = await studio.dumpLibrary();
    await chat.deleteSwipe(chat.lastMessage());
    await expect(chat.swipeCounter(chat.lastMessage())).toHaveCount(0);
    await expect(chat.lastMessage().getByTestId('verdict-badge')).toHaveAttribute('data-verdict', 'contradicts');
    await chat.undoButton().click();
    await expect(chat.swipeCounter(chat.lastMessage())).toHaveText('1 / 2');
    await expect(chat.lastMessage().getByTestId('verdict-badge')).toHaveAttribute('data-verdict', 'consistent');
    const after = await studio.dumpLibrary();
    expect(after.messages).toEqual(shownFirst.messages);
    // Each verdict is back with its own swipe. (Its timings may be new: while the
    // swipes shifted, the background re-check can run once more on the same text.)
    expect(verdictOwners(after.verdicts)).toEqual(verdictOwners(shownFirst.verdicts));
  });
});
