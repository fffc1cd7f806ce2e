import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';

/**
 * Branches (issue 13 §2) on the SCRIPTED test engine (known reply text): a
 * chat branched at a message, both continued with different replies, both
 * kept after a reload and shown as origin and branch in the chat list; the
 * branch exports as its own .jsonl naming its parent; deleting the parent
 * keeps the branch.
 */
test('branch a chat at a message, continue both, reload, export and delete the parent', async ({ studio, page }) => {
  await ChatPage.useScript(page, { replies: ['The kettle sings.', 'Down the branch we go.', 'The main story goes on.'], wordDelayMs: 5 });
  const chat = new ChatPage(page);
  await studio.open();
  await chat.openModels();
  await chat.loadModelAndStartChat('scripted', 'Maren Holt');
  await chat.send('Any tea?');
  await chat.waitReplyDone();
  await expect(chat.messages).toHaveCount(3);

  // Branch at the reply (message 3): the branch opens with the shared history.
  await chat.branchAt(chat.messages.nth(2));
  await expect(chat.messages).toHaveCount(3);
  await expect(chat.chatRows()).toHaveCount(2);
  await expect(chat.chatRows().nth(0)).toHaveAttribute('data-depth', '0');
  await expect(chat.chatRows().nth(1)).toHaveAttribute('data-depth', '1');
  await expect(chat.chatRow('Chat 1 · branch').getByTestId('chat-branch-info')).toHaveText('branched at message 3 · The kettle sings.');

  await chat.send('Follow me.');
  await chat.waitReplyDone();
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('Down the branch we go.');

  await chat.openChatTitled('Chat 1');
  await expect(chat.messages).toHaveCount(3);
  await chat.send('Stay here.');
  await chat.waitReplyDone();
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('The main story goes on.');

  await page.reload();
  await expect(chat.chatRows()).toHaveCount(2);
  await expect(chat.chatRow('Chat 1 · branch')).toHaveAttribute('data-depth', '1');
  await chat.openChatTitled('Chat 1 · branch');
  await expect(chat.messages).toHaveCount(5);
  await expect(chat.messages.nth(3).getByTestId('message-text')).toHaveText('Follow me.');
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('Down the branch we go.');

  // Its own .jsonl, naming the parent's file as SillyTavern's branches do.
  const exported = await chat.exportChatText();
  expect(exported.name).toBe('Maren Holt - Chat 1 · branch.jsonl');
  const [header, ...lines] = exported.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(header!.chat_metadata).toEqual({ main_chat: 'Maren Holt - Chat 1', in_character_branch: { position: 3 } });
  expect(lines.map((l) => l.mes)).toEqual([expect.stringContaining('The door bangs shut'), 'Any tea?', 'The kettle sings.', 'Follow me.', 'Down the branch we go.']);

  // Deleting the parent leaves the branch whole, at the top level.
  await chat.deleteChat('Chat 1');
  await expect(chat.chatRows()).toHaveCount(1);
  await expect(chat.chatRow('Chat 1 · branch').getByTestId('chat-branch-info')).toHaveText('from a deleted chat, branched at message 3 · The kettle sings.');
  await chat.openChatTitled('Chat 1 · branch');
  await expect(chat.messages).toHaveCount(5);
});
