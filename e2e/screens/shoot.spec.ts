import { test } from '../fixtures';
import { ChatPage } from '../pages/ChatPage';
import { serveFixtureModels } from '../pages/models';

// Manual visual check: `SHOOT=1 npx playwright test -c e2e/playwright.config.ts shoot` writes test-results/shots/*.png.
test.skip(!process.env.SHOOT, 'screenshots only on demand');

test('screens', async ({ page, context, studio }) => {
  await serveFixtureModels(context);
  const chat = new ChatPage(page);
  await studio.open();
  await page.screenshot({ path: 'test-results/shots/home-light.png' });
  await studio.openCharacter('Maren Holt');
  await page.screenshot({ path: 'test-results/shots/editor-light.png' });
  await chat.openModels();
  await chat.useFixtureSource();
  await chat.loadModelById('tiny-decoder');
  await chat.waitModelReady();
  await page.screenshot({ path: 'test-results/shots/models-light.png', fullPage: true });
  await chat.openChat('Maren Holt');
  await chat.startChat();
  await chat.send('Would you come down to the beach with me?');
  await chat.waitReplyDone();
  await page.screenshot({ path: 'test-results/shots/chat-light.png' });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: 'test-results/shots/chat-dark.png' });
  await page.setViewportSize({ width: 390, height: 800 });
  await page.screenshot({ path: 'test-results/shots/chat-phone.png' });
});
