import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { CheckerPage } from './pages/CheckerPage';
import { serveFixtureModels } from './pages/models';
import { MODEL_MS } from './pages/limits';

/**
 * The live checker end to end: the real checker worker with the fixture NLI
 * model — a PLUMBING fixture with hand-set weights (negation + shared content
 * word = contradiction), not a judge of meaning — and the scripted test engine
 * for replies with known text.
 */
const CONSISTENT = 'Maren stays far away from the deep water. The storm is loud.';
const CONTRADICTING = 'The light turns in the dark. Maren is not afraid of deep water. She smiles and looks at the sea for a long time.';
const IN_CHARACTER = 'Maren stays far away from the deep water, as always.';

test('a contradicting sentence is flagged live on the right statement, persists, and regenerate-in-character adds a checked swipe', async ({ studio, page, context }) => {
  await serveFixtureModels(context);
  await CheckerPage.useScriptedReplies(page, [CONSISTENT, CONTRADICTING, IN_CHARACTER]);
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);

  await studio.open();
  await checker.setUpFixtureCheckerAndScriptedModel(chat);
  await checker.startCheckedChat(chat, 'Maren Holt');

  // 1. A consistent reply: checked, not flagged.
  await chat.send('Will you walk down to the water with me?');
  await chat.waitReplyDone();
  await expect(checker.badges()).toHaveCount(1);
  await expect(checker.badges().first()).toHaveAttribute('data-verdict', 'consistent');
  await expect(checker.flagged()).toHaveCount(0);

  // 2. A contradicting reply: the second sentence is flagged while the reply is still streaming.
  await chat.send('Tell me the truth.');
  const reply = chat.lastMessage();
  const flag = reply.getByTestId('flagged-sentence');
  await expect(flag).toHaveText('Maren is not afraid of deep water.');
  await expect(reply).toHaveAttribute('data-state', 'streaming');
  await chat.waitReplyDone();
  await expect(flag).toHaveCount(1);
  await expect(flag).toHaveAttribute('title', 'Contradicts: Maren is afraid of deep water.');
  const badge = reply.getByTestId('verdict-badge');
  await expect(badge).toHaveAttribute('data-verdict', 'contradicts');
  await expect(badge).toContainText('Contradicts 1');

  // Details name the statement and the sentence.
  await badge.click();
  const contradicted = page.getByTestId('verdict-row').filter({ has: page.locator('[data-status="contradicted"]') });
  await expect(page.locator('[data-testid="verdict-row"][data-status="contradicted"]')).toHaveCount(1);
  await expect(page.locator('[data-testid="verdict-row"][data-status="contradicted"]')).toContainText('Maren is afraid of deep water.');
  await expect(page.locator('[data-testid="verdict-row"][data-status="contradicted"]')).toContainText('“Maren is not afraid of deep water.”');
  void contradicted;
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

  // 3. After a reload the flag is there without re-running anything.
  await page.reload();
  await expect(chat.messages).toHaveCount(5);
  await expect(chat.lastMessage().getByTestId('flagged-sentence')).toHaveText('Maren is not afraid of deep water.');
  await expect(chat.lastMessage().getByTestId('verdict-badge')).toHaveAttribute('data-verdict', 'contradicts');

  // 4. Regenerate in character: a new swipe with its own verdict.
  await chat.openModels();
  await chat.loadModelById('scripted');
  await chat.waitModelReady();
  await chat.openChat('Maren Holt');
  await expect(page.getByTestId('persona-panel')).toContainText('Checker ready', { timeout: MODEL_MS });
  await chat.lastMessage().getByRole('button', { name: 'Regenerate in character' }).click();
  await chat.waitReplyDone();
  await expect(chat.lastMessage().getByTestId('swipe-counter')).toHaveText('2 / 2');
  await expect(chat.lastMessage()).toContainText('in character');
  await expect(chat.lastMessage().getByTestId('verdict-badge')).toHaveAttribute('data-verdict', 'consistent');
  await chat.lastMessage().getByRole('button', { name: 'Previous swipe' }).click();
  await expect(chat.lastMessage().getByTestId('verdict-badge')).toHaveAttribute('data-verdict', 'contradicts');

  // 5. The timeline: one point per character turn once the greeting is checked too.
  await page.getByRole('button', { name: /^Check 1 unchecked reply$/ }).click();
  await expect(checker.driftPoints()).toHaveCount(3);
  await expect(page.locator('[data-testid="drift-point"][data-contradictions="1"]')).toHaveCount(1);
});

test('editing a statement marks verdicts stale and rechecks them', async ({ studio, page, context }) => {
  await serveFixtureModels(context);
  await CheckerPage.useScriptedReplies(page, [CONTRADICTING]);
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  await studio.open();
  await checker.setUpFixtureCheckerAndScriptedModel(chat);
  await chat.openChat('Maren Holt');
  await chat.startChat();
  await chat.send('Hello.');
  await chat.waitReplyDone();
  await expect(chat.lastMessage().getByTestId('verdict-badge')).toHaveAttribute('data-verdict', 'contradicts');

  // Disable the contradicted statement in the editor: the verdict is outdated, then rechecked.
  await page.getByRole('button', { name: 'Edit character' }).click();
  await page.getByRole('switch', { name: 'Disable statement 1' }).click();
  await studio.waitSaved();
  await page.getByRole('button', { name: 'Chat', exact: true }).click();
  await expect(chat.lastMessage().getByTestId('verdict-badge')).toHaveAttribute('data-verdict', 'consistent', { timeout: MODEL_MS });
  await expect(chat.lastMessage().getByTestId('flagged-sentence')).toHaveCount(0);

  // Editing the message text also rechecks.
  await chat.lastMessage().hover();
  await chat.lastMessage().getByRole('button', { name: 'Edit message' }).click();
  await page.getByLabel('Edit message text').fill('Maren does not have copper hair.');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(chat.lastMessage().getByTestId('flagged-sentence')).toHaveText('Maren does not have copper hair.', { timeout: MODEL_MS });
});

test('an imported SillyTavern chat can be analysed and drawn on the timeline', async ({ studio, page, context }) => {
  await serveFixtureModels(context);
  const chat = new ChatPage(page);
  const checker = new CheckerPage(page);
  await studio.open();
  await chat.openModels();
  await chat.useFixtureSource();
  await checker.configureFixtureChecker();

  const lines = [
    { user_name: 'Ada', character_name: 'Maren Holt', create_date: '2024-05-01T10:00:00Z', chat_metadata: {} },
    { name: 'Maren', is_user: false, mes: 'Maren stays far away from the deep water.' },
    { name: 'Ada', is_user: true, mes: 'Come swimming?' },
    { name: 'Maren', is_user: false, mes: 'No. The storm is loud.', swipes: ['No. The storm is loud.'], swipe_id: 0 },
    { name: 'Ada', is_user: true, mes: 'Really?' },
    { name: 'Maren', is_user: false, mes: 'The tea is warm. Maren is not afraid of deep water.' },
  ];
  await chat.openChat('Maren Holt');
  await page.getByTestId('chat-import-input').setInputFiles({ name: 'Maren - beach.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n')) });
  await expect(page.getByText('Imported “Maren - beach”')).toBeVisible();
  await expect(chat.messages).toHaveCount(5);
  await page.getByRole('button', { name: 'Check 3 unchecked replies' }).click();
  await expect(checker.driftPoints()).toHaveCount(3);
  await expect(page.locator('[data-testid="drift-point"][data-contradictions="1"]')).toHaveCount(1);
  await expect(chat.lastMessage().getByTestId('flagged-sentence')).toHaveText('Maren is not afraid of deep water.');

  // A file that is not a chat changes nothing.
  await page.getByTestId('chat-import-input').setInputFiles({ name: 'notes.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from('hello world') });
  await expect(studio.errors.filter({ hasText: 'notes.jsonl' })).toContainText('not valid JSON');
  await expect(chat.messages).toHaveCount(5);
});

test('above 16 statements the verdict lands fast first and is then made exact, flag included', async ({ studio, page, context }) => {
  // Maren has 7 statements; 10 more (no word in common with the reply, so the
  // fixture's word rule leaves them alone) put her over TAIL_FULL_MAX_STATEMENTS.
  const fillers = [
    'She keeps a ledger of passing ships.',
    'Her boots are always muddy.',
    'She bakes rye bread on Sundays.',
    'She whistles old sea shanties.',
    'Her father was a fisherman.',
    'She mends nets in winter.',
    'She owns a brass telescope.',
    'She trades letters with a cousin inland.',
    'Her tower has one hundred steps.',
    'She grows herbs in tin pots.',
  ];
  const lastSentenceBreaks = 'The light turns in the dark. Maren is not afraid of deep water.';
  await serveFixtureModels(context);
  await CheckerPage.useScriptedReplies(page, [lastSentenceBreaks]);
  const chat = new ChatPage(page);
  await studio.open();
  await studio.openCharacter('Maren Holt');
  for (const f of fillers) await studio.addStatement(f);
  await studio.waitSaved();
  await expect(page.getByTestId('statement-row')).toHaveCount(17);

  await new CheckerPage(page).setUpFixtureCheckerAndScriptedModel(chat);
  await new CheckerPage(page).startCheckedChat(chat, 'Maren Holt');
  await chat.send('Tell me the truth.');
  await chat.waitReplyDone();

  const reply = chat.lastMessage();
  await expect(reply.getByTestId('flagged-sentence')).toHaveText('Maren is not afraid of deep water.');
  await expect(reply.getByTestId('verdict-badge')).toHaveAttribute('data-verdict', 'contradicts');
  // The stored verdict ends exact: every statement scored on both sentences (strategy full, nothing pruned).
  await expect
    .poll(async () => {
      const { verdicts } = await studio.dumpLibrary();
      const v = (verdicts as { verdict: { strategy: string; statements: unknown[]; sentences: unknown[]; prunedCount: number } }[]).at(-1)?.verdict;
      return v ? `${v.strategy}:${v.statements.length}x${v.sentences.length}:pruned ${v.prunedCount}` : 'none';
    })
    .toBe('full:17x2:pruned 0');
  await reply.getByTestId('verdict-badge').click();
  await expect(page.getByRole('dialog')).not.toContainText('estimated');
  await expect(page.locator('[data-testid="verdict-row"][data-status="contradicted"]')).toContainText('Maren is afraid of deep water.');
});
