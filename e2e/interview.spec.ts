import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { InterviewPage } from './pages/InterviewPage';
import type { StudioPage } from './pages/StudioPage';

/**
 * Guided creation (issue 12 §2): New character → Guided walks the interview;
 * answers fill the card (live preview) and propose statements the writer
 * accepts, edits or rejects; the draft survives leaving and reloading; the
 * result is an ordinary character that exports and re-imports with its
 * statements. Suggest runs on the SCRIPTED chat engine (a test double with
 * known replies).
 */

// Ten steps walked by hand through the UI, twice a dev-server page load: slow on a shared 2-core machine.
test.slow(true, 'whole interviews by hand');

const STEPS = ['Identity and role', 'Background', 'Appearance', 'Personality', 'Voice', 'Relationships', 'Likes and dislikes', 'Fears and secrets', 'Would never', 'Scenario and greeting'];

async function shoot(page: Page, name: string) {
  if (!process.env.INTERVIEW_SHOTS) return;
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: test.info().outputPath(`${name}-${scheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Walks all ten steps by hand, accepting some proposals; returns the statements accepted. */
async function interviewByHand(studio: StudioPage, page: Page) {
  const iv = new InterviewPage(page);
  await studio.open();
  await iv.start();
  // Each step button reads its number (or a check) and its name.
  await expect(iv.steps()).toHaveText(STEPS.map((s, i) => `${i + 1}${s}`));
  await iv.expectStep('Identity and role');
  await expect(page.getByTestId('proposals-empty')).toBeVisible();
  await expect(page.getByTestId('suggest-unavailable')).toContainText('load one on the Models page');
  await expect(iv.suggestButton('Role')).toBeDisabled();
  await shoot(page, '01-identity-empty');

  // The first field has focus; Enter in a one-line field moves on.
  await expect(iv.field('Name')).toBeFocused();
  await page.keyboard.type('Maren Holt');
  await iv.fill('Role', 'lighthouse keeper');
  await expect(page.getByTestId('preview-name')).toHaveText('Maren Holt');
  await expect(page.getByTestId('preview-description')).toHaveText('Maren Holt is a lighthouse keeper.');
  await iv.accept('Maren Holt is a lighthouse keeper.');
  await expect.poll(() => iv.acceptedTexts()).toEqual(['Maren Holt is a lighthouse keeper.']);
  await shoot(page, '02-identity');
  await iv.field('Role').press('Enter');
  await iv.expectStep('Background');

  await iv.fill('Background', 'She grew up on the island.');
  await iv.accept('Maren Holt grew up on the island.');
  await iv.next();

  await iv.expectStep('Appearance');
  await iv.skip();

  await iv.expectStep('Personality');
  await iv.fill('Traits', 'stubborn\nloyal');
  await page.getByLabel('MBTI type').selectOption('ISTJ');
  await page.getByRole('radiogroup', { name: 'Neuroticism' }).getByRole('radio', { name: 'Low' }).click();
  await page.getByRole('list', { name: 'Suggested behaviour' }).getByRole('button', { name: 'stays calm under pressure' }).click();
  await expect(iv.field('Behaviour')).toHaveValue('stays calm under pressure');
  await expect.poll(() => iv.proposalTexts()).toEqual(['Maren Holt is stubborn.', 'Maren Holt is loyal.', 'Maren Holt stays calm under pressure.']);
  await iv.accept('Maren Holt stays calm under pressure.');
  await iv.reject('Maren Holt is loyal.');
  await expect.poll(() => iv.proposalTexts()).toEqual(['Maren Holt is stubborn.']);
  await shoot(page, '04-personality');
  await iv.next();

  await iv.expectStep('Voice');
  await iv.fill('Sample lines', 'The sea takes what it wants, love.');
  await expect(page.getByTestId('preview-examples')).toHaveText('<START>\n{{char}}: The sea takes what it wants, love.');
  await iv.next();
  await iv.expectStep('Relationships');
  await iv.next();

  await iv.expectStep('Likes and dislikes');
  await iv.fill('Likes', 'strong black tea');
  await iv.fill('Dislikes', 'rum');
  await iv.accept('Maren Holt likes strong black tea.');
  await shoot(page, '07-preferences');
  await iv.next();

  await iv.expectStep('Fears and secrets');
  await iv.fill('Fears', 'deep water');
  // Edited before accepting: the edit is what is kept.
  await iv.accept('Maren Holt is afraid of deep water.', 'Maren Holt is afraid of deep water and never learned to swim.');
  await iv.next();

  await iv.expectStep('Would never');
  await iv.fill('Would never', 'leave the light unattended');
  await iv.accept('Maren Holt would never leave the light unattended.');
  await iv.next();

  await iv.expectStep('Scenario and greeting');
  await iv.fill('Scenario', 'A storm strands the visitor at the lighthouse.');
  await iv.fill('Greeting', 'Get in, love, before the sea does.');
  await expect(page.getByTestId('preview-greeting')).toHaveText('Get in, love, before the sea does.');
  await shoot(page, '10-scenario');
  await expect(page.getByTestId('preview-statements').getByRole('listitem')).toHaveCount(6);
  return [
    'Maren Holt is a lighthouse keeper.',
    'Maren Holt grew up on the island.',
    'Maren Holt stays calm under pressure.',
    'Maren Holt likes strong black tea.',
    'Maren Holt is afraid of deep water and never learned to swim.',
    'Maren Holt would never leave the light unattended.',
  ];
}

test('guided creation by hand makes a character with the accepted statements, which exports as V3 JSON and re-imports the same', async ({ studio, page }) => {
  const accepted = await interviewByHand(studio, page);
  const iv = new InterviewPage(page);
  await iv.create();
  await expect(page.getByTestId('editor-title')).toHaveText('Maren Holt');
  await expect.poll(() => InterviewPage.values(studio.statementInputs())).toEqual(accepted);
  await expect(page.getByLabel('Description', { exact: true })).toHaveValue(/Maren Holt is a lighthouse keeper\.\n\nShe grew up on the island\./);
  // The library holds the sample Maren and the new one.
  await expect(studio.characterButton('Maren Holt')).toHaveCount(2);

  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'JSON' }).click()]);
  const card = JSON.parse(fs.readFileSync(await json.path(), 'utf8')) as { spec: string; data: Record<string, unknown> & { extensions: Record<string, unknown> } };
  expect(card.spec).toBe('chara_card_v3');
  expect(card.data.name).toBe('Maren Holt');
  expect(card.data.first_mes).toBe('Get in, love, before the sea does.');
  expect(card.data.scenario).toBe('A storm strands the visitor at the lighthouse.');
  expect(card.data.mes_example).toBe('<START>\n{{char}}: The sea takes what it wants, love.');
  expect(card.data.personality).toBe('Maren Holt is stubborn and loyal.\nMaren Holt stays calm under pressure.');
  expect(card.data.extensions.in_character_statements).toEqual(accepted.map((text) => ({ text, enabled: true })));

  const before = (await studio.dumpLibrary()).characters as unknown as { card: Record<string, unknown>; statements: { text: string }[] }[];
  await studio.importFiles([{ name: 'maren-guided.json', mimeType: 'application/json', buffer: fs.readFileSync(await json.path()) }]);
  await expect(page.getByText('Imported “Maren Holt”')).toBeVisible();
  await expect(studio.characterButton('Maren Holt')).toHaveCount(3);
  await expect.poll(() => InterviewPage.values(studio.statementInputs())).toEqual(accepted);
  const after = (await studio.dumpLibrary()).characters as unknown as { card: Record<string, unknown>; statements: { text: string; origin: string }[] }[];
  const original = before.find((c) => c.statements.length === accepted.length && c.statements[0]!.text === accepted[0])!;
  const reimported = after.find((c) => !before.some((b) => JSON.stringify(b) === JSON.stringify(c)))!;
  for (const key of ['name', 'description', 'personality', 'scenario', 'first_mes', 'mes_example', 'nickname']) expect(reimported.card[key]).toEqual(original.card[key]);
  expect(reimported.statements.map((s) => s.text)).toEqual(accepted);
  expect(reimported.card.extensions).toEqual({});
});

test('an interview left mid-way survives a reload and resumes where it was', async ({ studio, page }) => {
  const iv = new InterviewPage(page);
  await studio.open();
  await iv.start();
  await iv.fill('Name', 'Ada Quill');
  await iv.fill('Role', 'cartographer');
  await iv.accept('Ada Quill is a cartographer.');
  await iv.next();
  await iv.fill('Background', 'She mapped the northern coast.');
  await iv.next();
  await iv.expectStep('Appearance');
  await iv.waitSaved();

  // Leave for the home page, reload, come back through Guided.
  await page.goto('./#/');
  await page.reload();
  await studio.open();
  await iv.start();
  await iv.expectStep('Appearance');
  await expect(page.getByTestId('preview-name')).toHaveText('Ada Quill');
  await expect(page.getByTestId('preview-description')).toHaveText('Ada Quill is a cartographer.\n\nShe mapped the northern coast.');
  await iv.back();
  await expect(iv.field('Background')).toHaveValue('She mapped the northern coast.');
  await expect(page.getByTestId('preview-statements').getByRole('listitem')).toHaveText(['Ada Quill is a cartographer.']);
  // The interview is no character yet: the library did not change.
  await expect(studio.characterButton('Ada Quill')).toHaveCount(0);

  // A reload on the interview's own address resumes too.
  await page.reload();
  await iv.expectStep('Background');
  await expect(iv.field('Background')).toHaveValue('She mapped the northern coast.');

  // Discard removes the draft; Guided then starts afresh.
  await page.getByRole('button', { name: 'Discard' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Discard' }).click();
  await iv.start();
  await iv.expectStep('Identity and role');
  await expect(iv.field('Name')).toHaveValue('');
});

test('Suggest drafts an answer with the loaded model, from what is written so far, without touching any chat', async ({ studio, page }) => {
  await ChatPage.useScript(page, { replies: ['Likes:\n- strong black tea\n- storms seen from the lamp room'], wordDelayMs: 5 });
  const chat = new ChatPage(page);
  const iv = new InterviewPage(page);
  await studio.open();
  await chat.openModels();
  await chat.loadModelById('scripted');
  await chat.waitModelReady();
  const chatsBefore = (await studio.dumpLibrary()).chats.length;

  await iv.start();
  await expect(iv.suggestUnavailable()).toHaveCount(0);
  await iv.fill('Name', 'Maren Holt');
  await iv.fill('Role', 'lighthouse keeper');
  for (let i = 0; i < 6; i++) await iv.skip();
  await iv.expectStep('Likes and dislikes');
  await iv.suggestButton('Likes').click();
  await expect(iv.field('Likes')).toHaveValue('strong black tea\nstorms seen from the lamp room');
  await expect.poll(() => iv.proposalTexts()).toEqual(['Maren Holt likes strong black tea.', 'Maren Holt likes storms seen from the lamp room.']);
  await shoot(page, 'suggest');

  // The request carried the card so far; no chat or message was written.
  const prompt = await chat.scriptedLastPrompt();
  expect(prompt).toContain('Maren Holt is a lighthouse keeper.');
  expect(prompt).toContain('"Likes"');
  expect((await studio.dumpLibrary()).chats.length).toBe(chatsBefore);
});
