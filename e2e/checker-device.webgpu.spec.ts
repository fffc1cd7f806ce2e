import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { CheckerPage } from './pages/CheckerPage';
import { serveFixtureModels } from './pages/models';
import { MODEL_MS } from './pages/limits';

/**
 * The checker's device 'auto' where WebGPU exists but is SwiftShader (CPU,
 * ~100× slower than wasm for NLI): a fresh install measures the fixture NLI
 * model on both devices, keeps wasm, says so on the Models page, and after a
 * reload reuses the stored measurement instead of timing WebGPU again.
 * (tiny-nli is a plumbing fixture: the speeds are real, the answers are not NLI.)
 */
const RATE = String.raw`(\d+(?:\.\d+)?)`;
const MEASURED = new RegExp(`^Device: CPU \\(wasm, \\d+ threads?\\) — measured: ${RATE} pairs/s vs ${RATE} on WebGPU$`);

test("device 'auto' on SwiftShader: measures, keeps wasm, says so, and reuses the measurement after a reload", async ({ studio, page, context }) => {
  test.setTimeout(180_000);
  const served = await serveFixtureModels(context);
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);

  await studio.open();
  expect(await page.evaluate(async () => !!(await (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu?.requestAdapter()))).toBe(true);
  await chat.openModels();
  await chat.useFixtureSource();
  // New installs default to Automatic.
  await expect(checker.deviceChoice()).toHaveValue('auto');
  await checker.configureFixtureChecker();

  const line = checker.deviceLine();
  await expect(line).toHaveAttribute('data-device', 'wasm');
  await expect(line).toHaveAttribute('data-basis', 'measured');
  await expect(line).toHaveAttribute('data-cached', 'false');
  await expect(line).toHaveText(MEASURED);
  const text = (await line.textContent()) ?? '';
  console.log(JSON.stringify({ measured: text }));
  const [, wasmRate, webgpuRate] = MEASURED.exec(text)!;
  expect(Number(wasmRate)).toBeGreaterThan(Number(webgpuRate));
  // The WebGPU candidate really loaded (its fp32 weights were fetched); the
  // embedding model followed wasm's choice and never loaded on WebGPU.
  expect(served.requests).toContain('tiny-nli/onnx/model_quantized.onnx');
  expect(served.requests).toContain('tiny-nli/onnx/model.onnx');
  expect(served.requests).toContain('tiny-embed/onnx/model_quantized.onnx');
  expect(served.requests).not.toContain('tiny-embed/onnx/model.onnx');

  // After a reload the cached checker loads by itself, with the stored decision.
  await page.reload();
  await chat.openModels();
  await expect(checker.deviceLine()).toHaveAttribute('data-cached', 'true', { timeout: MODEL_MS });
  await expect(checker.deviceLine()).toHaveAttribute('data-device', 'wasm');
  await expect(checker.deviceLine()).toContainText(`measured earlier: ${wasmRate} pairs/s vs ${webgpuRate} on WebGPU`);
});
