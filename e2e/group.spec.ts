import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { CheckerPage } from './pages/CheckerPage';
import { GroupPage } from './pages/GroupPage';
import { serveFixtureModels } from './pages/models';
import { MODEL_MS } from './pages/limits';

/**
 * Group scenes (issue 13 §3) end to end: three characters, the SCRIPTED
 * engine for known replies, and the real checker worker with the fixture NLI
 * model — a PLUMBING fixture with hand-set weights (negation + shared content
 * word = contradiction), not a judge of meaning. Each reply must be judged
 * against its speaker's statements only: the same sentence that contradicts
 * Maren is flagged when Maren says it and not when June or Tomas does.
 */
test.slow(true, 'three replies checked by the real checker worker');

const AGAINST_MAREN = 'Maren is not afraid of deep water.';
const AGAINST_JUNE = 'Juniper is not left-handed.';
const MAREN_KEEPS = 'Maren stays far away from the deep water.';

test('a three-character scene: speakers picked by hand, by address and in turn; each reply checked against its own speaker; survives a reload', async ({ studio, page, context }) => {
  await serveFixtureModels(context);
  // The fifth reply (Maren's second take) holds after its first word, so the test sees the takes in progress.
  await ChatPage.useScript(page, { replies: [AGAINST_MAREN, `${AGAINST_MAREN} ${AGAINST_JUNE}`, AGAINST_MAREN, AGAINST_MAREN, MAREN_KEEPS], wordDelayMs: 30, holdAtWord: 1, holdOnTurn: 4 });
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  const group = new GroupPage(page);

  await studio.open();
  await studio.createCharacter('Tomas');
  await checker.setUpFixtureCheckerAndScriptedModel(chat);
  await group.newScene(['Maren Holt', 'Juniper Ash', 'Tomas']);
  await expect(page.getByTestId('persona-panel')).toContainText('Checker ready');
  // Openings: the members' greetings in scene order (Tomas has none).
  await expect(chat.messages).toHaveCount(2);
  await expect(group.bySpeaker('Maren')).toHaveCount(1);
  await expect(group.bySpeaker('June')).toHaveCount(1);

  // 1. Picked by hand: Maren contradicts her own statement — flagged.
  await group.speak('Maren');
  await group.waitReplyChecked();
  const maren = group.bySpeaker('Maren').last();
  await expect(maren.getByTestId('flagged-sentence')).toHaveText(AGAINST_MAREN);
  await expect(maren.getByTestId('verdict-badge')).toHaveAttribute('data-verdict', 'contradicts');

  // 2. Whoever is addressed: June answers, says the same sentence (not hers to contradict) and one against her own statement.
  await group.setStrategy('Whoever is addressed');
  await chat.send('June, is that so?');
  await group.waitReplyChecked();
  const june = group.bySpeaker('June').last();
  await expect(june.getByTestId('message-text')).toContainText(AGAINST_JUNE);
  await expect(june.getByTestId('flagged-sentence')).toHaveText(AGAINST_JUNE);
  await expect(june.getByTestId('flagged-sentence')).toHaveAttribute('title', /^Contradicts: Juniper is left-handed\./);

  // 3. Nobody addressed: round-robin after June is Tomas, who has no statements — nothing flagged.
  await chat.send('And what do you think?');
  await group.waitReplyChecked();
  const tomas = group.bySpeaker('Tomas').last();
  await expect(tomas.getByTestId('message-text')).toHaveText(AGAINST_MAREN);
  await expect(tomas.getByTestId('flagged-sentence')).toHaveCount(0);
  // Tomas's prompt was his view of the scene: the others' lines as named user turns, the scene note.
  const prompt = await chat.scriptedLastPrompt();
  expect(prompt).toContain(`Maren: ${AGAINST_MAREN}`);
  expect(prompt).toContain('Present with Tomas: Maren, June and');
  expect(prompt).not.toContain('Facts about Maren');

  // One line per character in the panel.
  await expect(group.panelFor('Maren').getByTestId('member-contradictions')).toHaveText('1 contradicted');
  await expect(group.panelFor('June').getByTestId('member-contradictions')).toHaveText('1 contradicted');
  await expect(group.panelFor('Tomas').getByTestId('member-contradictions')).toHaveText('0 contradicted');
  await expect(group.panelFor('Maren').getByTestId('drift-point')).toHaveCount(1);
  await expect(group.panelFor('June').getByTestId('drift-point')).toHaveCount(1);

  // Muting: the strategy and the mute are stored with the scene.
  await group.member('Tomas').getByRole('button', { name: 'Mute Tomas' }).click();
  await expect(group.member('Tomas')).toHaveAttribute('data-muted', 'true');

  // Two takes per reply, as in the chat: both are Maren's, ranked against her statements; ← → page through them.
  await test.step('takes in the scene', async () => {
    await chat.setTakes(2);
    await chat.send('Maren, will you swim?');
    const takes = group.bySpeaker('Maren').last();
    await expect(takes.getByTestId('takes-progress')).toHaveText('Take 2 of 2…', { timeout: MODEL_MS });
    await chat.waitScriptedHeld();
    await chat.releaseScripted();
    await chat.waitTakesDone();
    await expect(chat.swipeCounter(takes)).toHaveText('1 / 2', { timeout: MODEL_MS });
    await expect(chat.swipeScores(takes)).toHaveCount(2);
    await expect(takes.getByTestId('message-text')).toHaveText(MAREN_KEEPS);
    expect(await chat.scriptedLastPrompt()).toContain('Present with Maren: June, Tomas and');
    await group.swipeKey('ArrowRight');
    await expect(chat.swipeCounter(takes)).toHaveText('2 / 2');
    await expect(takes.getByTestId('flagged-sentence')).toHaveText(AGAINST_MAREN);
    await group.swipeKey('ArrowLeft');
    await expect(chat.swipeCounter(takes)).toHaveText('1 / 2');
  });

  await page.reload();
  await expect(page.getByTestId('group-scene')).toBeVisible();
  await expect(chat.messages).toHaveCount(9);
  await expect(group.bySpeaker('Maren').nth(1).getByTestId('flagged-sentence')).toHaveText(AGAINST_MAREN);
  await expect(chat.swipeCounter(group.bySpeaker('Maren').last())).toHaveText('1 / 2');
  await expect(group.bySpeaker('June').last().getByTestId('flagged-sentence')).toHaveText(AGAINST_JUNE);
  await expect(group.bySpeaker('Tomas').last().getByTestId('flagged-sentence')).toHaveCount(0);
  await expect(group.member('Tomas')).toHaveAttribute('data-muted', 'true');
  await expect(page.getByLabel('Who speaks next')).toHaveValue('addressed');
});
