import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { serveFixtureModels } from './pages/models';
import { MODEL_MS } from './pages/limits';

/**
 * WebGPU through SwiftShader: an adapter without shader-f16. An f16 build on
 * the GPU engine fails the way a failed shader compile does on such a GPU; the
 * studio offers to continue the same chat on the CPU engine, in one click, with
 * the CPU model the writer used last (the real tiny fixture decoder here), and
 * keeps that choice for the session.
 */
test('a GPU engine failure offers the CPU engine for the same chat, in one click, for the rest of the session', async ({ studio, page, context }) => {
  await serveFixtureModels(context);
  const chat = new ChatPage(page);
  await studio.open();
  await chat.openModels();
  await expect(page.getByTestId('engine-choice')).toHaveAttribute('data-kind', 'webllm');
  await chat.useFixtureSource();

  // The writer has used a CPU model before (it is what the fallback loads).
  await page.getByRole('radio', { name: 'CPU (transformers.js)' }).click();
  await expect(page.getByTestId('engine-choice')).toHaveAttribute('data-kind', 'transformers');
  await chat.loadModelById('tiny-decoder');
  await chat.waitModelReady();
  await page.getByRole('radio', { name: 'Automatic' }).click();
  await expect(page.getByTestId('engine-choice')).toHaveAttribute('data-kind', 'webllm');

  // A chat in progress.
  await chat.openChat('Maren Holt');
  await chat.startChat();
  const greetingText = chat.messages.first().getByTestId('message-text');
  const greeting = await greetingText.innerText();

  // The GPU engine cannot run an f16 build on this adapter.
  await chat.openModels();
  await chat.loadModelById('SmolLM2-360M-Instruct-q4f16_1-MLC');
  await expect(page.getByTestId('load-error')).toContainText('16-bit float shaders');
  await expect(page.getByTestId('cpu-fallback')).toContainText('continue this chat on the CPU engine');

  // Back in the chat, the offer is there too: one click.
  await chat.openChat('Maren Holt');
  await expect(greetingText).toHaveText(greeting);
  await page.getByTestId('cpu-fallback').getByRole('button', { name: 'Continue on CPU' }).click();
  await expect(page.getByTestId('model-chip')).toHaveAttribute('data-state', 'ready', { timeout: MODEL_MS });
  await expect(page.getByTestId('model-chip')).toContainText('tiny-decoder');
  await expect(page.getByTestId('cpu-fallback')).toHaveCount(0);

  // The same chat goes on, on the CPU engine.
  await chat.send('Are you still there?');
  await chat.waitReplyDone();
  await expect(chat.messages).toHaveCount(3);
  await expect(greetingText).toHaveText(greeting);

  // Remembered for the session: a reload stays on the CPU engine and says why.
  await page.reload();
  await chat.openModels();
  await expect(page.getByTestId('engine-choice')).toHaveAttribute('data-kind', 'transformers');
  await expect(page.getByTestId('engine-choice')).toContainText('for this session');
});
