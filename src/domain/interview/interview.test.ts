import { describe, expect, it } from 'vitest';
import {
  acceptProposal,
  addBehaviour,
  answersToCard,
  cleanSuggestion,
  draftToCharacter,
  editAccepted,
  INTERVIEW_STEPS,
  listItems,
  newInterviewDraft,
  pendingProposals,
  proposeForStep,
  rejectProposal,
  removeAccepted,
  setAnswer,
  setBigFive,
  stepAnswered,
  stepAt,
  suggestionMessages,
  temperamentSuggestions,
  withIndefinite,
  type InterviewDraft,
  type TextAnswerKey,
} from '.';

function answered(values: Partial<Record<TextAnswerKey, string>>): InterviewDraft {
  let d = newInterviewDraft(1, 'd1');
  for (const [k, v] of Object.entries(values)) d = setAnswer(d, k as TextAnswerKey, v);
  return d;
}

const MAREN = {
  name: 'Maren Holt',
  role: 'lighthouse keeper',
  age: '34',
  background: 'She grew up on the island.',
  appearance: 'She has grey eyes.',
  traits: 'stubborn\nloyal',
  voice: 'She speaks in short sentences.',
  sampleLines: 'The sea takes what it wants, love.\nTea first. Then the lamp.',
  relationships: 'Her brother Tomas fishes the sound.',
  likes: 'strong black tea, storms',
  dislikes: 'rum',
  fears: 'deep water',
  secrets: 'She never learned to swim.',
  never: 'leave the light unattended\nnever drink rum',
  scenario: 'A storm strands {{user}} at the lighthouse.',
  greeting: '*Maren holds the door.* Get in, love.',
} satisfies Partial<Record<TextAnswerKey, string>>;

describe('steps', () => {
  it('walks the ten steps the issue names, in order', () => {
    expect(INTERVIEW_STEPS.map((s) => s.id)).toEqual(['identity', 'background', 'appearance', 'personality', 'voice', 'relationships', 'preferences', 'fears', 'limits', 'scenario']);
  });

  it('clamps a stale step index', () => {
    expect(stepAt(-3).id).toBe('identity');
    expect(stepAt(99).id).toBe('scenario');
    expect(stepAt(Number.NaN).id).toBe('identity');
  });

  it('splits list answers by line, or by commas on one line, never sample lines by commas', () => {
    expect(listItems('tea, storms; old maps.')).toEqual(['tea', 'storms', 'old maps']);
    expect(listItems('- tea, hot\n2) storms\n\n')).toEqual(['tea, hot', 'storms']);
    expect(listItems('Hush, love.', { commas: false })).toEqual(['Hush, love']);
  });

  it('marks a step answered by any field, or by a temperament pick', () => {
    const personality = INTERVIEW_STEPS[3]!;
    const d = newInterviewDraft(1);
    expect(stepAnswered(personality, d.answers)).toBe(false);
    expect(stepAnswered(personality, setBigFive(d, 'openness', 'high').answers)).toBe(true);
  });
});

describe('answers → card', () => {
  it('fills every mapped field and keeps the rest of the base card', () => {
    const card = answersToCard(answered(MAREN).answers);
    expect(card.name).toBe('Maren Holt');
    expect(card.description).toContain('Maren Holt is a lighthouse keeper. Maren Holt is 34 years old.');
    expect(card.description).toContain('Maren Holt likes strong black tea. Maren Holt likes storms. Maren Holt dislikes rum.');
    expect(card.description).toContain('Maren Holt is afraid of deep water.');
    expect(card.description).toContain('Maren Holt would never leave the light unattended. Maren Holt would never drink rum.');
    expect(card.personality).toBe('She speaks in short sentences.\nMaren Holt is stubborn and loyal.');
    expect(card.mes_example).toBe('<START>\n{{char}}: The sea takes what it wants, love.\n<START>\n{{char}}: Tea first. Then the lamp.');
    expect(card.scenario).toBe('A storm strands {{user}} at the lighthouse.');
    expect(card.first_mes).toBe('*Maren holds the door.* Get in, love.');
  });

  it('names an unnamed card "New character"', () => {
    expect(answersToCard(newInterviewDraft(1).answers).name).toBe('New character');
  });

  it('adds the right article to a role and keeps one the writer wrote', () => {
    expect(withIndefinite('lighthouse keeper')).toBe('a lighthouse keeper');
    expect(withIndefinite('old sailor')).toBe('an old sailor');
    expect(withIndefinite('the last keeper')).toBe('the last keeper');
  });
});

describe('proposals', () => {
  it('proposes one atomic statement per list item, with the name', () => {
    const a = answered(MAREN).answers;
    expect(proposeForStep('preferences', a)).toEqual(['Maren Holt likes strong black tea.', 'Maren Holt likes storms.', 'Maren Holt dislikes rum.']);
    expect(proposeForStep('personality', a)).toEqual(['Maren Holt is stubborn.', 'Maren Holt is loyal.']);
    expect(proposeForStep('limits', a)).toEqual(['Maren Holt would never leave the light unattended.', 'Maren Holt would never drink rum.']);
  });

  it('resolves pronouns through the extractor and never proposes the greeting or sample lines', () => {
    const a = answered(MAREN).answers;
    expect(proposeForStep('background', a)).toEqual(['Maren Holt grew up on the island.']);
    expect(proposeForStep('fears', a)).toContain('Maren Holt is afraid of deep water.');
    const voice = proposeForStep('voice', a);
    expect(voice.join(' ')).not.toContain('The sea takes');
    expect(proposeForStep('scenario', answered({ name: 'Maren', greeting: 'Maren is here.' }).answers)).toEqual([]);
  });

  it('proposes nothing for an empty step', () => {
    expect(proposeForStep('background', newInterviewDraft(1).answers)).toEqual([]);
  });
});

describe('decisions on proposals', () => {
  it('accepting (as is or edited) and rejecting take a proposal off the pending list', () => {
    let d = answered(MAREN);
    const [tea, storms, rum] = pendingProposals(d, 'preferences');
    d = acceptProposal(d, 'preferences', tea!);
    d = acceptProposal(d, 'preferences', storms!, 'Maren Holt loves a good storm.');
    d = rejectProposal(d, rum!);
    expect(pendingProposals(d, 'preferences')).toEqual([]);
    expect(d.accepted.map((a) => a.text)).toEqual(['Maren Holt likes strong black tea.', 'Maren Holt loves a good storm.']);
  });

  it('removing an accepted statement does not bring its proposal back', () => {
    let d = answered(MAREN);
    const [tea] = pendingProposals(d, 'preferences');
    d = acceptProposal(d, 'preferences', tea!);
    d = removeAccepted(d, d.accepted[0]!.id);
    expect(d.accepted).toEqual([]);
    expect(pendingProposals(d, 'preferences')).not.toContain(tea);
  });

  it('accepting empty text rejects; duplicates are accepted once', () => {
    let d = answered(MAREN);
    const [tea, storms] = pendingProposals(d, 'preferences');
    d = acceptProposal(d, 'preferences', tea!, '   ');
    expect(d.accepted).toEqual([]);
    expect(pendingProposals(d, 'preferences')).not.toContain(tea);
    d = acceptProposal(d, 'preferences', storms!);
    d = acceptProposal(d, 'preferences', storms!);
    expect(d.accepted).toHaveLength(1);
  });

  it('renaming the character renames accepted statements and keeps decisions', () => {
    let d = answered({ name: 'Maren', likes: 'tea\nstorms' });
    const [tea, storms] = pendingProposals(d, 'preferences');
    d = acceptProposal(d, 'preferences', tea!);
    d = rejectProposal(d, storms!);
    d = setAnswer(d, 'name', 'Maren Holt');
    expect(d.accepted[0]!.text).toBe('Maren Holt likes tea.');
    expect(pendingProposals(d, 'preferences')).toEqual([]);
    // A name inside another word is left alone.
    d = setAnswer(answered({ name: 'Ann', likes: 'Annapolis' }), 'name', 'Bea');
    expect(d.answers.likes).toBe('Annapolis');
  });

  it('edits an accepted statement and builds an ordinary character from the draft', () => {
    let d = answered(MAREN);
    for (const p of pendingProposals(d, 'limits')) d = acceptProposal(d, 'limits', p);
    d = editAccepted(d, d.accepted[1]!.id, 'Maren Holt never drinks rum.');
    const { card, statements } = draftToCharacter(d);
    expect(card.name).toBe('Maren Holt');
    expect(statements.map((s) => s.text)).toEqual(['Maren Holt would never leave the light unattended.', 'Maren Holt never drinks rum.']);
    expect(statements.every((s) => s.enabled && s.version === 1 && s.origin === 'extracted')).toBe(true);
  });
});

describe('temperament', () => {
  it('suggests behaviour wording per MBTI letter and Big-Five pick, without repeats', () => {
    const s = temperamentSuggestions('intj', { neuroticism: 'low' });
    expect(s).toContain('needs time alone to recharge');
    expect(s).toContain('decides with logic rather than feelings');
    expect(s).toContain('stays calm under pressure');
    expect(s).toHaveLength(10);
    expect(temperamentSuggestions('XYZW', {})).toEqual([]);
  });

  it('adds a picked phrase to the Behaviour list once, and proposes it as a statement', () => {
    let d = answered({ name: 'Maren' });
    d = addBehaviour(d, 'thinks before speaking');
    d = addBehaviour(d, 'Thinks before speaking');
    expect(d.answers.behaviour).toBe('thinks before speaking');
    expect(proposeForStep('personality', d.answers)).toEqual(['Maren thinks before speaking.']);
  });
});

describe('Suggest', () => {
  const role = INTERVIEW_STEPS[0]!.fields[2]!;
  const likes = INTERVIEW_STEPS[6]!.fields[0]!;
  const background = INTERVIEW_STEPS[1]!.fields[0]!;

  it('asks for one field and shows what is written so far', () => {
    const msgs = suggestionMessages(answered({ name: 'Maren Holt', role: 'lighthouse keeper' }).answers, INTERVIEW_STEPS[6]!, likes);
    expect(msgs[0]!.role).toBe('system');
    expect(msgs[1]!.content).toContain('Name: Maren Holt');
    expect(msgs[1]!.content).toContain('Maren Holt is a lighthouse keeper.');
    expect(msgs[1]!.content).toContain('"Likes"');
    expect(msgs[1]!.content).toContain('one per line');
    expect(suggestionMessages(newInterviewDraft(1).answers, INTERVIEW_STEPS[1]!, background)[1]!.content).toContain('Nothing is written yet');
  });

  it('cleans labels, quotes, bullets and length from a reply', () => {
    expect(cleanSuggestion('Likes:\n- tea\n2. storms\n', likes)).toBe('tea\nstorms');
    expect(cleanSuggestion('Answer: "a lighthouse keeper."\nmore', role)).toBe('a lighthouse keeper');
    expect(cleanSuggestion('“She grew up on the island.”', background)).toBe('She grew up on the island.');
    expect(cleanSuggestion('x'.repeat(5000), background)).toHaveLength(800);
  });
});
