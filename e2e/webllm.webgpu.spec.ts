import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { MODEL_MS } from './pages/limits';

/**
 * With WebGPU on (SwiftShader, no shader-f16) the studio takes the WebLLM path
 * and offers only q4f32 builds. Model hosts are cut off here (as they are on
 * this machine anyway), so a download fails: the studio must say so and leave
 * the chat intact.
 */
test('WebGPU path: WebLLM engine, q4f32 builds only, a failed download is explained and the chat survives', async ({ studio, page, context }) => {
  const blocked: string[] = [];
  await context.route(/^https:\/\/(huggingface\.co|raw\.githubusercontent\.com|cdn-lfs[^/]*\.huggingface\.co)\//, (route) => {
    blocked.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  const chat = new ChatPage(page);
  await studio.open();
  expect(await page.evaluate(async () => !!(await (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu?.requestAdapter()))).toBe(true);

  // A chat with history before any model work.
  await chat.openChat('Maren Holt');
  await chat.startChat();
  const before = await studio.dumpLibrary();

  await chat.openModels();
  await expect(page.getByTestId('engine-choice')).toHaveAttribute('data-kind', 'webllm');
  await expect(page.getByTestId('engine-choice')).toContainText('shader-f16 no');
  const rows = page.getByTestId('model-row');
  await expect(rows.first()).toBeVisible({ timeout: MODEL_MS });
  const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-model-id') ?? ''));
  expect(ids.length).toBeGreaterThanOrEqual(5);
  for (const id of ids) expect(id).toMatch(/q4f32_1-MLC$/);

  await rows.first().getByRole('button', { name: /^Download / }).click();
  const error = page.getByTestId('load-error');
  await expect(error).toBeVisible({ timeout: MODEL_MS });
  await expect(error).toContainText(/network|download|connection|offline/i);
  await expect(error).toContainText('Your characters and chats are untouched');
  expect(blocked.length).toBeGreaterThan(0);

  // The chat is exactly as it was.
  expect(await studio.dumpLibrary()).toEqual(before);
  await chat.openChat('Maren Holt');
  await expect(chat.messages.first()).toContainText('You picked a fine night');
  await expect(page.getByTestId('model-chip')).toHaveAttribute('data-state', /absent|error/);
});
