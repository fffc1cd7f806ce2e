import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { CheckerPage } from './pages/CheckerPage';
import { serveFixtureModels } from './pages/models';
import { ServerPage } from './pages/ServerPage';
import { ensureLlamaTools } from '../scripts/test-server/llama/install.mjs';
import { startTestServer, type TestServer } from '../scripts/test-server/spawn.mjs';

/**
 * The server engine against a real llama.cpp engine: node-llama-cpp (the
 * test-tools package in scripts/test-server/llama, installed on demand, never
 * a studio dependency) runs the project's tiny random-weight GGUF model
 * (scripts/test-server/llama/make-tiny-gguf.mjs) behind the same small
 * OpenAI-compatible server. The replies are random words: this checks the
 * real generation path (tokenizer, decoding, SSE as it decodes, real token
 * counts), not language. The checker is the local fixture checker.
 */

/** node-llama-cpp ships prebuilt CPU binaries for these only. */
const PREBUILT = new Set(['linux-x64', 'linux-arm64', 'linux-armv7l', 'darwin-arm64', 'darwin-x64', 'win32-x64', 'win32-arm64']);

let server: TestServer | undefined;

test.beforeAll(async () => {
  // A first run installs the test tools (~115 MB from npm): minutes on a busy machine.
  test.setTimeout(600_000);
  const platform = `${process.platform}-${process.arch}`;
  test.skip(!PREBUILT.has(platform), `node-llama-cpp has no prebuilt binary for ${platform}`);
  const tools = await ensureLlamaTools();
  test.skip(!tools.ok, tools.ok ? '' : `the llama test tools could not be installed: ${tools.reason}`);
  server = await startTestServer(['--llama', '--llama-max-tokens', '24']);
});
test.afterAll(async () => {
  await server?.stop();
});

test('a real llama.cpp model streams a reply into the chat, and the local checker gives its verdict', async ({ studio, page, context }) => {
  const llama = server!;
  await serveFixtureModels(context);
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  const models = new ServerPage(page);
  // The model keeps generating; the server holds what it decoded after 3 pieces until released.
  await llama.control({ holdAfterChunks: 3 });
  await studio.open();
  await chat.openModels();
  await chat.useFixtureSource();
  await checker.configureFixtureChecker();

  await models.connect(llama.baseUrl);
  await expect(models.models()).toHaveCount(1);
  await models.pickModel('tiny-llama');
  // llama.cpp's context size, reported by the server.
  await expect(models.contextSize()).toHaveValue('8192');
  await models.use();
  await models.waitInUse('tiny-llama');

  await checker.startCheckedChat(chat, 'Maren Holt');
  await chat.send('Is the lamp lit tonight?');
  await chat.waitReplyStreamingWithText();
  // What is on screen is what llama.cpp decoded so far.
  const [partial] = await llama.generated();
  expect(partial!.text.length).toBeGreaterThan(0);
  await expect(chat.lastMessage().getByTestId('message-text')).not.toHaveText('');
  await llama.release();
  await chat.waitReplyDone();
  await expect(chat.lastMessage()).toHaveAttribute('data-state', 'done');

  const [reply] = await llama.generated();
  expect(reply!.done).toBe(true);
  // Random words from the tiny vocabulary, and exactly the model's reply.
  expect(reply!.text.trim()).toMatch(/^[a-z]+( [a-z]+)+$/);
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText(reply!.text.trim());

  // The prompt the studio assembled reached the model.
  const [body] = await llama.requests();
  const messages = body!.messages as { role: string; content: string }[];
  expect(messages[0]!.content).toContain('Maren');
  expect(messages.at(-1)!.content).toContain('Is the lamp lit tonight?');

  // The checker, local as always, judged the server's reply.
  await expect(chat.lastMessage().getByTestId('verdict-badge')).toHaveAttribute('data-verdict', /^(consistent|weak|contradicts)$/, { timeout: 180_000 });
});
