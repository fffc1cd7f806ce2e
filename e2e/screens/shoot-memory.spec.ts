import { test } from '../fixtures';
import { ChatPage } from '../pages/ChatPage';

test.skip(!process.env.SHOOT, 'screenshots only on demand');

const SUMMARY = 'Earlier, Maren pulled the traveller out of the surf and lent him dry clothes. He told her about the ship that sank.';
const longReply = (n: number) => `Reply ${n}. ${'The wind leans on the tower and the lamp turns slowly over the black water. '.repeat(8)}`;

test('prompt inspector and memory screens', async ({ page, studio }) => {
  await ChatPage.useScript(page, { replies: [1, 2, 3, 4, 5, 6].map(longReply), wordDelayMs: 5, charsPerDelta: 120, summaryReply: SUMMARY });
  await page.setViewportSize({ width: 1440, height: 900 });
  const chat = new ChatPage(page);
  await studio.open();
  await chat.openModels();
  await chat.loadModelAndStartChat('scripted', 'Maren Holt');
  await chat.setContext(1024, 64);
  const note = await chat.setAuthorsNote('[{{char}} keeps the key hidden from {{user}}.]', 2);
  await chat.closeDialog(note);
  await chat.send('First, a line to remember: the key is under the third step.');
  await chat.waitReplyDone();
  await chat.pin(chat.messages.nth(1));
  for (const line of ['Tell me about the lamp.', 'And the ships?', 'What about Pilot?', 'So what happened before?']) {
    await chat.send(line);
    await chat.waitReplyDone();
  }
  const memory = await chat.openMemory();
  await chat.summaries(memory).first().waitFor();
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `test-results/shots/memory-${scheme}.png`, animations: 'disabled' });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await chat.closeDialog(memory);
  const inspector = await chat.inspect(chat.lastMessage());
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `test-results/shots/inspector-${scheme}.png`, animations: 'disabled' });
  }
  await inspector.getByTestId('prompt-section').last().scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/shots/inspector-end-dark.png', animations: 'disabled' });
});
