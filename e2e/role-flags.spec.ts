import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { CheckerPage } from './pages/CheckerPage';
import { serveFixtureModels } from './pages/models';
import { MODEL_MS } from './pages/limits';

/**
 * Role flags (issue 11 §3–4) end to end: the scripted engine writes replies
 * with known text, the real checker worker runs the fixture models (tiny-embed
 * is a bag-of-words PLUMBING fixture: here the flags come from the lexical
 * and n-gram signals, see roleCalibration.test.ts) and the verdict carries
 * the flags to the screen.
 */
const ASSISTANT = '*Maren shrugs.* As an AI language model, I am not able to swim.';
const ECHO_TURN = 'I want to walk down to the water with you tonight.';
const ECHO = '*Maren stares at the window.* You want to walk down to the water with me tonight. Not a chance.';
const SPEAKS = '*Maren hands you the lamp.* Keep it lit. *You nod and say <b>yes</b> to everything.*';
const ORDINARY = 'Maren stays far away from the deep water. The storm is loud.';

test('assistant voice, an echo and speaking for the user are each flagged with their own kind; an ordinary reply is not', async ({ studio, page, context }) => {
  await serveFixtureModels(context);
  await CheckerPage.useScriptedReplies(page, [ASSISTANT, ECHO, SPEAKS, ORDINARY], 40);
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);

  await studio.open();
  await checker.setUpFixtureCheckerAndScriptedModel(chat);
  await checker.startCheckedChat(chat, 'Maren Holt');

  const expectOnly = async (kind: string, label: string, sentence: string) => {
    const reply = chat.lastMessage();
    await expect(reply.getByTestId('verdict-badge')).toBeVisible();
    const flags = checker.roleFlags(reply);
    await expect(flags).toHaveCount(1);
    await expect(flags).toHaveAttribute('data-kind', kind);
    await expect(flags).toHaveText(label);
    await expect(reply.getByTestId('role-flagged-sentence')).toHaveText(sentence);
    await expect(checker.roleFlagCount(reply)).toHaveAttribute('data-count', '1');
    return flags;
  };

  // 1. Assistant voice: hover shows the evidence.
  await chat.send('Do you like to swim?');
  await chat.waitReplyDone();
  const assistant = await expectOnly('assistant-voice', 'out of character: assistant voice', 'As an AI language model, I am not able to swim.');
  const assistantEvidence = await checker.roleFlagEvidence(assistant);
  await expect(assistantEvidence).toBeHidden();
  await assistant.hover();
  await expect(assistantEvidence).toBeVisible();
  await expect(assistantEvidence).toContainText('speaks as an AI');

  // 2. An echo of the user's message: the echoed words are the evidence.
  await chat.send(ECHO_TURN);
  await chat.waitReplyDone();
  const echo = await expectOnly('echo', 'echoes you', 'You want to walk down to the water with me tonight.');
  await expect(await checker.roleFlagEvidence(echo)).toContainText('want to walk down to the water with');

  // 3. Speaking for the user, reached by keyboard; the reply's markup-like text stays text.
  await chat.send('What now?');
  await chat.waitReplyDone();
  const speaks = await expectOnly('speaks-for-user', 'speaks for you', 'You nod and say <b>yes</b> to everything.');
  await speaks.focus();
  await expect(speaks).toBeFocused();
  const speaksEvidence = await checker.roleFlagEvidence(speaks);
  await expect(speaksEvidence).toBeVisible();
  await expect(speaksEvidence).toContainText('Acts for you: *You nod and say <b>yes</b> to everything.*');
  await expect(chat.lastMessage().locator('b')).toHaveCount(0);

  // 4. An ordinary in-character reply: checked, nothing flagged.
  await chat.send('Will you walk down to the water with me?');
  await chat.waitReplyDone();
  await expect(chat.lastMessage().getByTestId('verdict-badge')).toHaveAttribute('data-verdict', 'consistent');
  await expect(checker.roleFlags(chat.lastMessage())).toHaveCount(0);
  await expect(checker.roleFlagCount(chat.lastMessage())).toHaveCount(0);

  // The timeline counts them, and the flags are stored: a reload shows them unchanged.
  await expect(checker.driftRoleFlags()).toContainText('3 out of role');
  await expect(page.locator('[data-testid="drift-point"][data-role-flags="1"]')).toHaveCount(3);
  await page.reload();
  await expect(chat.messages).toHaveCount(9);
  await expect(checker.roleFlags(chat.messages.nth(2))).toHaveAttribute('data-kind', 'assistant-voice');
  await expect(checker.roleFlags(chat.messages.nth(4))).toHaveAttribute('data-kind', 'echo');
  await expect(checker.roleFlags(chat.messages.nth(6))).toHaveAttribute('data-kind', 'speaks-for-user');
  await expect(checker.roleFlags(chat.messages.nth(8))).toHaveCount(0);
});

test('a role flag shows on its sentence while the reply is still streaming', async ({ studio, page, context }) => {
  // The fixture checker loads and checks in the browser: on a shared 2-core machine that outlasts the default limit.
  test.slow();
  await serveFixtureModels(context);
  const first = 'As an AI language model, I am not able to swim.';
  // The engine waits before word 13: "Maren looks" has started the second sentence, so the first is complete.
  await ChatPage.useScript(page, { replies: [`${first} Maren looks at the storm over the bay.`], wordDelayMs: 30, holdAtWord: 13 });
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  await studio.open();
  await checker.setUpFixtureCheckerAndScriptedModel(chat);
  await checker.startCheckedChat(chat, 'Maren Holt');

  await chat.send('Do you like to swim?');
  await chat.waitScriptedHeld();
  const reply = chat.lastMessage();
  await expect(reply).toHaveAttribute('data-state', 'streaming');
  const flag = checker.roleFlags(reply);
  await expect(flag).toHaveAttribute('data-kind', 'assistant-voice', { timeout: MODEL_MS });
  await expect(reply.getByTestId('role-flagged-sentence')).toHaveText(first);
  await expect(reply.getByTestId('verdict-live')).toContainText('1 out of role');
  // Still held: the flag came from the live check, not from a verdict.
  await expect(reply).toHaveAttribute('data-state', 'streaming');
  await expect(reply.getByTestId('verdict-badge')).toHaveCount(0);

  await chat.releaseScripted();
  await chat.waitReplyDone();
  await expect(reply.getByTestId('verdict-badge')).toBeVisible({ timeout: MODEL_MS });
  await expect(checker.roleFlags(reply)).toHaveCount(1);
  await expect(checker.roleFlags(reply)).toHaveAttribute('data-kind', 'assistant-voice');
});
