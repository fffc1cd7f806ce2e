import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { CheckerPage } from './pages/CheckerPage';
import { serveFixtureModels } from './pages/models';
import { MODEL_MS } from './pages/limits';

/**
 * Best-of-N and the guard (issue 11) end to end: the SCRIPTED engine writes
 * replies with known text; the real checker worker judges them with the
 * fixture NLI model — a PLUMBING fixture with hand-set weights (negation +
 * shared content word = contradiction), not a judge of meaning.
 */
// Every test generates and checks up to four replies with the real checker worker: on a shared 2-core machine that outlasts the default limit.
test.slow(true, 'up to four checked replies per test');

const CONTRADICTING = 'The light turns in the dark. Maren is not afraid of deep water.';
const CONSISTENT = 'Maren stays far away from the deep water. The storm is loud.';
const IN_CHARACTER = 'Maren stays far away from the deep water, as always.';

async function checkedChat(page: Page, studio: { open(): Promise<void> }, replies: string[], extra: Record<string, unknown> = {}) {
  await ChatPage.useScript(page, { replies, wordDelayMs: 30, ...extra });
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  await studio.open();
  await checker.setUpFixtureCheckerAndScriptedModel(chat);
  await checker.startCheckedChat(chat, 'Maren Holt');
  return { chat, checker };
}

test('three takes per reply: three swipes ranked by APC, each with its score, the best shown; the setting survives a reload', async ({ studio, page, context }) => {
  await serveFixtureModels(context);
  const { chat } = await checkedChat(page, studio, [CONTRADICTING, CONSISTENT, IN_CHARACTER]);
  await chat.setTakes(3);

  await chat.send('Will you swim with me?');
  const reply = chat.lastMessage();
  // The first take streams on screen; then the others are written out of sight.
  await expect(reply.getByTestId('takes-progress')).toHaveText('Take 2 of 3…', { timeout: MODEL_MS });
  await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
  await chat.waitTakesDone();
  await expect(chat.swipeCounter(reply)).toHaveText('1 / 3', { timeout: MODEL_MS });
  const scores = chat.swipeScores(reply);
  await expect(scores).toHaveCount(3);
  await expect(scores.nth(2)).not.toHaveAttribute('data-score', '');
  const values = (await scores.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-score')))));
  expect(values).toEqual([...values].sort((a, b) => b - a));
  // The shown swipe is the best; its badge carries the same score as its chip.
  await expect(scores.first()).toHaveAttribute('aria-current', 'true');
  await expect(reply.getByTestId('verdict-badge')).toContainText(`${values[0]!.toFixed(0)}%`);
  await expect(reply.getByTestId('verdict-badge')).not.toHaveAttribute('data-verdict', 'contradicts');
  // The contradicting take is last, its verdict moved with it.
  await scores.nth(2).click();
  await expect(reply.getByTestId('message-text')).toHaveText(CONTRADICTING);
  await expect(reply.getByTestId('verdict-badge')).toHaveAttribute('data-verdict', 'contradicts');
  await expect(reply.getByTestId('verdict-badge')).toContainText(`${values[2]!.toFixed(0)}%`);

  await page.reload();
  const dialog = await chat.openSampling();
  await expect(dialog.getByLabel('Takes per reply')).toHaveValue('3');
  await expect(dialog.getByRole('switch', { name: 'Guard' })).toHaveAttribute('aria-checked', 'false');
});

test('the guard on a reply that keeps contradicting keeps K + 1 takes and says so; the note survives a reload and the timeline marks it', async ({ studio, page, context }) => {
  await serveFixtureModels(context);
  const { chat, checker } = await checkedChat(page, studio, [CONTRADICTING]);
  await chat.setTakes(1, { retries: 2 });

  await chat.send('Tell me the truth.');
  await expect(chat.lastMessage().getByTestId('takes-progress')).toContainText('Guard: try', { timeout: MODEL_MS });
  await chat.waitTakesDone();
  const reply = chat.lastMessage();
  const note = reply.getByTestId('guard-note');
  await expect(note).toHaveText('Guard: still contradicts “Maren is afraid of deep water” after 2 tries', { timeout: MODEL_MS });
  await expect(note).toHaveAttribute('data-outcome', 'failing');
  await expect(chat.swipeCounter(reply)).toHaveText('1 / 3');
  await expect(chat.swipeScores(reply)).toHaveCount(3);
  await expect(reply).toContainText('in character');

  await page.reload();
  await expect(chat.lastMessage().getByTestId('guard-note')).toHaveText('Guard: still contradicts “Maren is afraid of deep water” after 2 tries');
  await expect(chat.swipeCounter(chat.lastMessage())).toHaveText('1 / 3');
  await expect(page.locator('[data-testid="drift-point"][data-guarded="true"]')).toHaveCount(1, { timeout: MODEL_MS });
  // The guard setting itself survives the reload (on, 2 retries).
  const dialog = await chat.openSampling();
  await expect(dialog.getByRole('switch', { name: 'Guard' })).toHaveAttribute('aria-checked', 'true');
  await expect(dialog.getByLabel('Guard retries')).toHaveValue('2');
  void checker;
});

test('the guard removes a contradiction at its first clean try, and on a clean reply does nothing', async ({ studio, page, context }) => {
  await serveFixtureModels(context);
  const { chat } = await checkedChat(page, studio, [CONSISTENT, CONTRADICTING, IN_CHARACTER]);
  await chat.setTakes(1, { retries: 3 });

  // 1. Clean first time: no tries, no note, one swipe.
  await chat.send('Will you walk with me?');
  await chat.waitTakesDone();
  await expect(chat.lastMessage().getByTestId('verdict-badge')).toHaveAttribute('data-verdict', 'consistent', { timeout: MODEL_MS });
  await expect(chat.lastMessage().getByTestId('guard-note')).toHaveCount(0);
  await expect(chat.swipeCounter(chat.lastMessage())).toHaveCount(0);

  // 2. Contradicts, then one in-character try comes out clean and is shown.
  await chat.send('Tell me the truth.');
  await chat.waitTakesDone();
  const reply = chat.lastMessage();
  await expect(reply.getByTestId('guard-note')).toHaveText('Guard: 1 try, contradiction on “Maren is afraid of deep water” removed', { timeout: MODEL_MS });
  await expect(chat.swipeCounter(reply)).toHaveText('1 / 2');
  await expect(reply.getByTestId('message-text')).toHaveText(IN_CHARACTER);
  await expect(reply.getByTestId('verdict-badge')).not.toHaveAttribute('data-verdict', 'contradicts');
});

test('Stop during take 2 keeps take 1 on show and makes no take 3', async ({ studio, page, context }) => {
  await serveFixtureModels(context);
  // The second reply the engine writes (take 2) waits after its first word.
  const { chat } = await checkedChat(page, studio, [CONSISTENT, CONTRADICTING, IN_CHARACTER], { holdAtWord: 1, holdOnTurn: 1 });
  await chat.setTakes(3);

  await chat.send('Will you swim with me?');
  await expect(chat.lastMessage().getByTestId('takes-progress')).toHaveText('Take 2 of 3…', { timeout: MODEL_MS });
  await chat.waitScriptedHeld();
  await page.getByRole('button', { name: 'Stop' }).click();
  await chat.waitTakesDone();
  const reply = chat.lastMessage();
  await expect(reply.getByTestId('takes-progress')).toHaveCount(0);
  await expect(reply.getByTestId('message-text')).toHaveText(CONSISTENT);
  // Take 2's first word is kept, after take 1; take 3 was never made.
  await expect(chat.swipeCounter(reply)).toHaveText('1 / 2');
  await chat.swipeScores(reply).nth(1).click();
  await expect(reply.getByTestId('message-text')).toHaveText('The');
});
