import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { serveFixtureModels } from './pages/models';

/**
 * The real CPU fallback engine (transformers.js in its worker) on the tiny
 * fixture decoder (random weights: it writes gibberish, which is all these
 * flows need). No WebGPU flag here, so the studio picks the CPU engine.
 */
test.describe('chat on the CPU fallback engine', () => {
  test('load with progress, stream, stop, regenerate into swipes, reload keeps everything', async ({ studio, page, context }) => {
    const served = await serveFixtureModels(context);
    const chat = new ChatPage(page);
    await studio.open();
    await chat.openModels();
    await expect(page.getByTestId('engine-choice')).toHaveAttribute('data-kind', 'transformers');
    await expect(page.getByTestId('engine-choice')).toContainText(/WebGPU/);
    await chat.useFixtureSource();
    served.onnxDelayMs = 1500;
    await chat.loadModelById('tiny-decoder');
    const progress = page.getByTestId('load-progress');
    await expect(progress).toBeVisible();
    await expect(progress.getByRole('progressbar')).toHaveAttribute('aria-valuenow', /\d+/);
    await expect(progress.getByRole('button', { name: 'Cancel' })).toBeVisible();
    await chat.waitModelReady();
    await expect(progress).toHaveCount(0);
    expect(served.requests).toContain('tiny-decoder/onnx/model_quantized.onnx');

    await chat.openChat('Maren Holt');
    await chat.startChat();
    await expect(chat.messages.first()).toContainText('You picked a fine night');
    // Alternate greeting is a swipe of the first message.
    await expect(chat.messages.first().getByTestId('swipe-counter')).toHaveText('1 / 2');

    await chat.send('Hello there, keeper.');
    await expect(chat.messages).toHaveCount(3);
    await chat.waitReplyDone();
    const first = (await chat.lastMessage().getByTestId('message-text').innerText()).trim();
    expect(first.length).toBeGreaterThan(0);

    // Regenerate: a second swipe, the first kept.
    await chat.lastMessage().hover();
    await chat.lastMessage().getByRole('button', { name: 'Regenerate' }).click();
    await chat.waitReplyDone();
    await expect(chat.lastMessage().getByTestId('swipe-counter')).toHaveText('2 / 2');
    await chat.lastMessage().getByRole('button', { name: 'Previous swipe' }).click();
    await expect(chat.lastMessage().getByTestId('swipe-counter')).toHaveText('1 / 2');
    await expect(chat.lastMessage().getByTestId('message-text')).toHaveText(first);

    // Stop mid-stream with Esc: raise max tokens so there is time to stop.
    await page.getByRole('button', { name: 'Sampling settings' }).click();
    await page.getByLabel('Max reply tokens').fill('4000');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await chat.send('Tell me a long story.');
    await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
    // The reply itself (not the user's message) has begun.
    await chat.waitReplyStreamingWithText();
    await page.keyboard.press('Escape');
    await chat.waitReplyDone();
    await expect(chat.lastMessage()).toHaveAttribute('data-state', 'done');
    const stopped = await chat.lastMessage().getByTestId('message-text').innerText();
    expect(stopped.length).toBeGreaterThan(0);

    await page.reload();
    await expect(chat.messages).toHaveCount(5);
    await expect(chat.messages.nth(2).getByTestId('swipe-counter')).toHaveText('1 / 2');
    await expect(chat.lastMessage().getByTestId('message-text')).toHaveText(stopped);
  });
});
