import { test } from '../fixtures';
import { ChatPage } from '../pages/ChatPage';
import { PersonasPage } from '../pages/PersonasPage';

test.skip(!process.env.SHOOT, 'screenshots only on demand');

test('branches, personas and Impersonate screens', async ({ page, studio }) => {
  await ChatPage.useScript(page, { replies: ['The kettle sings.', 'Down the branch we go.', 'Captain Ro: I could use a drink, Maren.'], wordDelayMs: 5 });
  await page.setViewportSize({ width: 1440, height: 900 });
  const chat = new ChatPage(page);
  const personas = new PersonasPage(page);
  const dir = process.env.SHOOT_DIR ?? 'test-results/shots';
  const both = async (name: string) => {
    await page.screenshot({ path: `${dir}/${name}-light.png`, animations: 'disabled' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: `${dir}/${name}-dark.png`, animations: 'disabled' });
    await page.emulateMedia({ colorScheme: 'light' });
  };
  await studio.open();
  await studio.goSettings();
  await personas.add('Captain Ro', 'A retired smuggler with a wooden leg and a debt to the lighthouse.');
  await personas.add('Ada', '');
  await personas.setDefault('Captain Ro');
  await both('personas-settings');
  await chat.openModels();
  await chat.loadModelAndStartChat('scripted', 'Maren Holt');
  await chat.send('Any tea?');
  await chat.waitReplyDone();
  await chat.branchAt(chat.messages.nth(2));
  await chat.send('Follow me.');
  await chat.waitReplyDone();
  await chat.branchAt(chat.messages.nth(1));
  await chat.impersonate();
  await page.getByRole('textbox', { name: 'Message' }).and(page.locator('[data-drafting="no"]')).waitFor();
  await chat.messages.nth(1).hover();
  await both('branches-chat');
});
