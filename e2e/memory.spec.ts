import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';

/**
 * Memory for long chats (issue 13 §4–5) on the SCRIPTED test engine: its
 * replies are long and known, and it answers every summarizing call with
 * SUMMARY (told apart by the summarizing instruction). The chat's context is
 * set small, so a few replies outgrow it.
 */
const SUMMARY = 'Earlier, Maren pulled the traveller out of the surf and lent him dry clothes.';
const longReply = (n: number) => `Reply ${n}. ${'The wind leans on the tower and the lamp turns slowly over the black water. '.repeat(8)}`;

test('a chat longer than its context gets a Story-so-far summary that the next prompt uses; it survives a reload', async ({ studio, page }) => {
  await ChatPage.useScript(page, { replies: [1, 2, 3, 4, 5, 6].map(longReply), wordDelayMs: 5, charsPerDelta: 120, summaryReply: SUMMARY });
  const chat = new ChatPage(page);
  await studio.open();
  await chat.openModels();
  await chat.loadModelAndStartChat('scripted', 'Maren Holt');
  await chat.setContext(1024, 64);

  await chat.send('First, a line to remember: the key is under the third step.');
  await chat.waitReplyDone();
  await chat.pin(chat.messages.nth(1));
  for (const line of ['Tell me about the lamp.', 'And the ships?', 'What about Pilot?']) {
    await chat.send(line);
    await chat.waitReplyDone();
  }

  // The summarizer runs between replies; its summary shows in the Memory dialog.
  const memory = await chat.openMemory();
  await expect(chat.summaries(memory).first()).toBeVisible();
  await expect(chat.summaries(memory).first().getByRole('textbox')).toHaveValue(SUMMARY);
  await expect(memory.getByTestId('summarizing')).toHaveCount(0);
  await chat.closeDialog(memory);

  await chat.send('So what happened before?');
  await chat.waitReplyDone();
  const check = async () => {
    const inspector = await chat.inspect(chat.lastMessage());
    const sections = chat.promptSections(inspector);
    await expect(sections.first()).toHaveAttribute('data-kind', 'system');
    // The summary stands where the dropped messages were: right after the system prompt.
    await expect(sections.nth(1)).toHaveAttribute('data-kind', 'summary');
    await expect(sections.nth(1)).toContainText(SUMMARY);
    // The pinned first line is sent even though the messages around it are not.
    await expect(inspector.locator('[data-testid="prompt-section"][data-kind="pinned"]')).toContainText('the key is under the third step');
    await expect(inspector.getByTestId('prompt-summarized')).toBeVisible();
    await expect(sections.last()).toContainText('So what happened before?');
    await chat.closeDialog(inspector);
  };
  await check();

  // An edit to a summarized message (the greeting) makes its summary stale; it
  // is redone while the chat sits idle, with no reply sent.
  await chat.scrollToTop();
  await chat.editMessage(chat.messageAt(1), 'Welcome to the lighthouse, traveller. Mind the third step.');
  const edited = await chat.openMemory();
  await expect(chat.summaries(edited).first()).toHaveAttribute('data-status', 'fresh');
  await expect(edited.getByTestId('summarizing')).toHaveCount(0);
  await chat.closeDialog(edited);

  await page.reload();
  await expect(chat.lastMessage()).toHaveAttribute('data-state', 'done');
  await check();
  const again = await chat.openMemory();
  await expect(chat.summaries(again).first().getByRole('textbox')).toHaveValue(SUMMARY);
});

test('the author’s note is sent at its depth, macros resolved, as the inspector shows', async ({ studio, page }) => {
  await ChatPage.useScript(page, { replies: ['The lamp is lit.', 'Pilot sleeps.', 'Tea is ready.'], wordDelayMs: 5 });
  const chat = new ChatPage(page);
  await studio.open();
  await chat.openModels();
  await chat.loadModelAndStartChat('scripted', 'Maren Holt');
  const memory = await chat.setAuthorsNote('[{{char}} keeps the key hidden from {{user}}.]', 2);
  await chat.closeDialog(memory);

  for (const line of ['Hello.', 'Is the lamp lit?', 'Where is the cat?']) {
    await chat.send(line);
    await chat.waitReplyDone();
  }
  const inspector = await chat.inspect(chat.lastMessage());
  const sections = chat.promptSections(inspector);
  await expect(sections).toHaveCount(4);
  expect(await sections.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).toEqual(['system', 'history', 'authors-note', 'history']);
  const note = sections.nth(2);
  await expect(note).toContainText('[Maren Holt keeps the key hidden from');
  await expect(note).not.toContainText('{{');
  // Depth 2: the last two messages of the history come after the note.
  await expect(sections.nth(3).getByTestId('prompt-section-text')).toHaveCount(2);
  await expect(sections.nth(3)).toContainText('Where is the cat?');
});
