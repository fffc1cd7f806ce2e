import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { CheckerPage } from './pages/CheckerPage';
import { serveFixtureModels } from './pages/models';
import { ServerPage } from './pages/ServerPage';
import { startTestServer, type TestServer } from '../scripts/test-server/spawn.mjs';

/**
 * The server engine end to end: the studio in Chromium talks to a real
 * OpenAI-compatible server process on 127.0.0.1 (scripts/test-server), which
 * streams scripted replies over SSE. The checker stays local: the real
 * checker worker with the fixture NLI model (a plumbing fixture, see
 * checker.spec.ts).
 */
let server: TestServer;

test.beforeAll(async () => {
  server = await startTestServer(['--models', 'test-model,big-70b', '--context', '16384']);
});
test.afterAll(async () => {
  await server?.stop();
});
test.beforeEach(async () => {
  await server.reset();
  await server.control({ models: ['test-model', 'big-70b'], context: 16384 });
});

const REPLY = 'The lamp is lit and the logbook is open. Pilot is asleep on the stairs.';

test('streams a reply from the server, sends only the prompt and sampling, and keeps the engine choice', async ({ studio, page }, testInfo) => {
  const chat = new ChatPage(page);
  const models = new ServerPage(page);
  await server.control({ replies: [REPLY], holdAfterChunks: 4 });
  await studio.open();
  await chat.openModels();
  await expect(models.privacyNote()).toContainText('the prompt');
  await models.connect(server.baseUrl);
  await expect(models.models()).toHaveCount(2);
  await models.pickModel('test-model');
  // The server reports its context window: prefilled.
  await expect(models.contextSize()).toHaveValue('16384');

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await models.section().screenshot({ path: testInfo.outputPath(`server-section-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });

  await models.use();
  await models.waitInUse('test-model');
  await expect(models.engineChoice()).toHaveAttribute('data-kind', 'server');

  await chat.openChat('Maren Holt');
  await chat.startChat();
  await chat.send('Is the lamp lit?');
  // Streaming: the first words are on screen while the server holds the rest.
  await expect(chat.lastMessage()).toHaveAttribute('data-state', 'streaming');
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('The lamp is lit');
  await server.release();
  await chat.waitReplyDone();
  await expect(chat.lastMessage()).toHaveAttribute('data-state', 'done');
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText(REPLY);

  // Exactly what was sent: the model, the prompt and the sampling fields, nothing else.
  const [body] = await server.requests();
  expect(Object.keys(body!).sort()).toEqual(['max_tokens', 'messages', 'model', 'presence_penalty', 'repeat_penalty', 'stop', 'stream', 'stream_options', 'temperature', 'top_p']);
  expect(body!.model).toBe('test-model');
  const messages = body!.messages as { role: string; content: string }[];
  expect(messages.at(-1)).toMatchObject({ role: 'user' });
  expect(messages.at(-1)!.content).toContain('Is the lamp lit?');
  expect(messages[0]!.content).toContain('Maren');

  // The engine choice survives a reload.
  await page.reload();
  await chat.openModels();
  await expect(models.engineChoice()).toHaveAttribute('data-kind', 'server');
  await expect(models.section().getByLabel('Server base URL')).toHaveValue(server.baseUrl);
});

test('Stop mid-stream aborts the request and keeps the words so far', async ({ studio, page }) => {
  const chat = new ChatPage(page);
  const models = new ServerPage(page);
  await server.control({ replies: [REPLY], holdAfterChunks: 3 });
  await studio.open();
  await chat.openModels();
  await models.setUp(server.baseUrl, 'test-model');
  await chat.openChat('Maren Holt');
  await chat.startChat();
  await chat.send('Tell me about the lamp.');
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('The lamp is');
  await page.getByRole('button', { name: 'Stop' }).click();
  await chat.waitReplyDone();
  await expect(chat.lastMessage()).toHaveAttribute('data-state', 'done');
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('The lamp is');
  // The request was aborted: the server saw the client go away (nothing left held).
  await expect.poll(() => server.held()).toBe(0);

  // Regenerate works as with any engine: a second swipe from the server.
  await server.control({ holdAfterChunks: 0, replies: ['A second answer.'] });
  await chat.lastMessage().getByRole('button', { name: 'Regenerate', exact: true }).click();
  await chat.waitReplyDone();
  await expect(chat.swipeCounter(chat.lastMessage())).toHaveText('2 / 2');
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('A second answer.');
});

test('a base URL that is not a URL, a wrong key and an unknown model are each explained; nothing else changes', async ({ studio, page }) => {
  const chat = new ChatPage(page);
  const models = new ServerPage(page);
  await server.control({ apiKey: 'sk-right' });
  await studio.open();
  await chat.openModels();

  await models.connect('not a url');
  await expect(models.connectError()).toContainText('is not a server address');

  await models.connect(server.baseUrl, 'sk-wrong');
  await expect(models.connectError()).toContainText('refused the API key (HTTP 401: Invalid API Key)');

  await models.connect(server.baseUrl, 'sk-right');
  await expect(models.models()).toHaveCount(2);
  await models.typeModel('no-such-model');
  await models.use();
  await expect(models.loadError()).toContainText('The server has no model “no-such-model”');
  await expect(models.loadError()).toContainText('test-model, big-70b');
  await expect(models.loadError()).toContainText('Your characters and chats are untouched.');

  // The key works once chosen: the right one reaches the server as a Bearer token.
  await models.pickModel('big-70b');
  await models.use();
  await models.waitInUse('big-70b');
});

test('a server killed mid-reply: the words so far are kept, marked, and the message says what happened', async ({ studio, page }) => {
  const doomed = await startTestServer(['--models', 'test-model']);
  try {
    await doomed.control({ replies: [REPLY], holdAfterChunks: 5 });
    const chat = new ChatPage(page);
    const models = new ServerPage(page);
    await studio.open();
    await chat.openModels();
    await models.setUp(doomed.baseUrl, 'test-model');
    await chat.openChat('Maren Holt');
    await chat.startChat();
    await chat.send('Is the lamp lit?');
    await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('The lamp is lit and');
    await doomed.kill();
    await chat.waitReplyDone();
    await expect(chat.lastMessage()).toHaveAttribute('data-state', 'error');
    await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('The lamp is lit and');
    await expect(studio.errors.last()).toContainText('ended in the middle of the reply');
    await expect(studio.errors.last()).toContainText('The text so far is kept');
    // After a reload the partial reply is still there, still marked.
    await page.reload();
    await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('The lamp is lit and');
    await expect(chat.lastMessage()).toHaveAttribute('data-state', 'error');
  } finally {
    await doomed.stop();
  }
});

test('a server that refuses this origin (CORS) is explained with each server’s flag', async ({ studio, page }) => {
  await server.control({ allowOrigin: 'http://elsewhere.example' });
  const chat = new ChatPage(page);
  const models = new ServerPage(page);
  await studio.open();
  await chat.openModels();
  await models.connect(server.baseUrl);
  const origin = new URL(page.url()).origin;
  await expect(models.connectError()).toContainText('CORS');
  await expect(models.connectError()).toContainText(`OLLAMA_ORIGINS=${origin}`);
  await expect(models.connectError()).toContainText('--allowed-origins');
  await expect(models.connectError()).toContainText('LM Studio');
  // The refusal was the browser's: the server never saw a chat request.
  expect(await server.requests()).toEqual([]);
  await expect(models.engineChoice()).not.toHaveAttribute('data-kind', 'server');
});

test('the local checker flags a server reply that contradicts the character', async ({ studio, page, context }) => {
  await serveFixtureModels(context);
  const CONTRADICTING = 'The light turns in the dark. Maren is not afraid of deep water. She smiles and looks at the sea for a long time.';
  await server.control({ replies: [CONTRADICTING] });
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  const models = new ServerPage(page);
  await studio.open();
  await chat.openModels();
  await chat.useFixtureSource();
  await checker.configureFixtureChecker();
  await models.setUp(server.baseUrl, 'test-model');
  await checker.startCheckedChat(chat, 'Maren Holt');

  await chat.send('Tell me the truth.');
  await chat.waitReplyDone();
  const reply = chat.lastMessage();
  await expect(reply.getByTestId('message-text')).toContainText('Maren is not afraid of deep water.');
  const flag = reply.getByTestId('flagged-sentence');
  await expect(flag).toHaveText('Maren is not afraid of deep water.');
  await expect(flag).toHaveAttribute('title', 'Contradicts: Maren is afraid of deep water.');
  await expect(reply.getByTestId('verdict-badge')).toHaveAttribute('data-verdict', 'contradicts');
});

test('a server that answers with HTML, malformed JSON chunks or a 10 MB reply: each a clear message, the chat intact', async ({ studio, page }) => {
  // Five replies, a 64 Ki-character one laid out twice, a reload and a second connect: over 3 minutes on a loaded 2-core machine.
  test.slow();
  const chat = new ChatPage(page);
  const models = new ServerPage(page);
  await studio.open();
  await chat.openModels();
  await models.setUp(server.baseUrl, 'test-model');
  await chat.openChat('Maren Holt');
  await chat.startChat();
  await server.control({ replies: ['The lamp is lit.'] });
  await chat.send('Is the lamp lit?');
  await chat.waitReplyDone();
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('The lamp is lit.');
  const texts = () => page.getByTestId('message').getByTestId('message-text').allTextContents();

  const cases = [
    // The page itself never reaches the chat (the reply stays empty).
    { mode: 'html' as const, message: 'answered with a web page, not the OpenAI API', partial: null, absent: 'Proxy login' },
    { mode: 'malformed' as const, message: 'not valid JSON', partial: 'The lamp ', absent: null, replies: ['The lamp is lit and the log is open.'] },
    { mode: 'huge' as const, message: 'far beyond any reply; the studio stopped reading. The text so far is kept.', partial: null, absent: null },
  ];
  for (const c of cases) {
    const before = await texts();
    await server.control({ mode: c.mode, ...(c.replies ? { replies: c.replies } : {}) });
    await chat.send(`Now the ${c.mode} case.`);
    await chat.waitReplyDone();
    await expect(chat.lastMessage()).toHaveAttribute('data-state', 'error');
    await expect(studio.errors.filter({ hasText: c.message })).toBeVisible();
    if (c.partial !== null) await expect(chat.lastMessage().getByTestId('message-text')).toHaveText(c.partial);
    if (c.absent) await expect(chat.lastMessage()).not.toContainText(c.absent);
    // Everything before the turn is as it was: the user's message and the bad reply were added, nothing else changed.
    const after = await texts();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after[before.length]).toBe(`Now the ${c.mode} case.`);
  }

  // The 10 MB reply was cut at the engine's limit (64 Ki characters), not stored whole.
  // Past 64 K characters a finished reply may already be shown in part (the
  // render limit); either way all of it is a click away.
  const showAll = chat.lastMessage().getByRole('button', { name: 'Show more' });
  if (await showAll.count()) await showAll.click();
  await expect(showAll).toHaveCount(0);
  const hugeReply = (await texts()).at(-1)!;
  expect(hugeReply).toMatch(/^x+$/);
  expect(hugeReply.length).toBeLessThanOrEqual(64 * 1024);
  // After a reload the chat is all there, and the server works again.
  const stored = await texts();
  await page.reload();
  // The app boots again: slow on a busy machine, as in studio.open().
  await expect(page.getByTestId('character-list')).toBeVisible({ timeout: 30_000 });
  await expect(chat.messages).toHaveCount(stored.length);
  await expect(chat.lastMessage()).toHaveAttribute('data-state', 'error');
  // A stored reply this long is shown in part until asked for: all of it is there.
  await chat.lastMessage().getByRole('button', { name: 'Show more' }).click();
  expect(await texts()).toEqual(stored);
  // A reload leaves no engine loaded (as with every engine): use the server again.
  await chat.openModels();
  await models.setUp(server.baseUrl, 'test-model');
  await chat.openChat('Maren Holt');
  await expect(chat.messages).toHaveCount(stored.length);
  await server.control({ mode: 'normal', replies: ['Back to normal.'] });
  await chat.send('Still there?');
  await chat.waitReplyDone();
  await expect(chat.lastMessage()).toHaveAttribute('data-state', 'done');
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText('Back to normal.');
});
