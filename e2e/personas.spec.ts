import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { PersonasPage } from './pages/PersonasPage';

/**
 * User personas and Impersonate (issue 13 §5) on the SCRIPTED test engine
 * (known reply text; it records the prompt it was sent): the default
 * persona's name is {{user}} in a reply and on the user's messages, its
 * description is in the prompt; Impersonate drafts the user's line into the
 * composer without sending it.
 */
test('a persona is {{user}} in the prompt and replies; Impersonate fills the composer without sending', async ({ studio, page }) => {
  await ChatPage.useScript(page, { replies: ['Sit down, {{user}}.', 'Captain Ro: I could use a drink, Maren.'], wordDelayMs: 5 });
  const chat = new ChatPage(page);
  const personas = new PersonasPage(page);
  await studio.open();
  await studio.goSettings();
  await personas.add('Captain Ro', 'A retired smuggler with a wooden leg.');
  await personas.setDefault('Captain Ro');

  await chat.openModels();
  await chat.loadModelAndStartChat('scripted', 'Maren Holt');
  await expect(chat.personaPicker()).toHaveValue('');
  await expect(chat.personaPicker().locator('option:checked')).toHaveText('Default — Captain Ro');
  await chat.send('Evening.');
  await chat.waitReplyDone();
  await expect(chat.messages.nth(1)).toHaveAttribute('aria-label', 'Captain Ro');
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('Sit down, Captain Ro.');
  const prompt = await chat.scriptedLastPrompt();
  expect(prompt).toContain('About Captain Ro, the user\'s character: A retired smuggler with a wooden leg.');
  expect(prompt).toContain('Captain Ro is a traveller stranded at Greyhaven');

  // The draft streams into the box, is not sent, and can be edited.
  await chat.impersonate();
  await expect(chat.composer()).toHaveValue('I could use a drink, Maren.');
  await expect(page.getByRole('button', { name: 'Send' })).toBeEnabled();
  await expect(chat.messages).toHaveCount(3);
  expect(await chat.scriptedLastPrompt()).toContain("[Write Captain Ro's next reply in this chat");
  await chat.composer().fill('I could use a drink, Maren. And a dry chair.');
  await expect(chat.messages).toHaveCount(3);
});
