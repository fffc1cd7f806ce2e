import { describe, expect, it } from 'vitest';
import { emptyCardData, newStatement, type Character } from '../character';
import { readAuditRun } from './run';
import { editProbe } from './probes';
import { MAX_SUGGEST_REPLY_CHARS, MAX_SUGGESTED_PROBE_CHARS, SUGGESTED_PER_FAMILY, parseSuggestedProbes, probeSuggestionMessages } from './suggest';

const counter = () => {
  let n = 0;
  return () => `s${++n}`;
};
const parse = (reply: string, existing: string[] = []) => parseSuggestedProbes(reply, { newId: counter(), existing });

describe('probeSuggestionMessages', () => {
  it('sends the card, the enabled statements and every family, asking for N per family', () => {
    const character: Pick<Character, 'card' | 'statements'> = {
      card: { ...emptyCardData('Maren Holt'), description: 'Keeps the Greyhaven light.', personality: 'dry' },
      statements: [newStatement('Maren is afraid of deep water.', 'manual'), { ...newStatement('Maren sings.', 'manual'), enabled: false }],
    };
    const [system, user] = probeSuggestionMessages(character, 3);
    expect(system!.role).toBe('system');
    expect(user!.content).toContain('Name: Maren Holt');
    expect(user!.content).toContain('Description: Keeps the Greyhaven light.');
    expect(user!.content).toContain('- Maren is afraid of deep water.');
    expect(user!.content).not.toContain('Maren sings.');
    for (const label of ['Expected action', 'Action justification', 'Linguistic habits', 'Persona consistency', 'Toxicity control']) expect(user!.content).toContain(`${label}:`);
    expect(user!.content).toContain('Write 3 new questions for each family');
  });

  it('bounds what it sends from a huge card', () => {
    const character = { card: { ...emptyCardData('M'), description: 'x '.repeat(50_000) }, statements: Array.from({ length: 500 }, (_, i) => newStatement(`Fact ${i}.`, 'manual')) };
    const [, user] = probeSuggestionMessages(character);
    expect(user!.content.length).toBeLessThan(5_000);
  });
});

describe('parseSuggestedProbes', () => {
  it('reads "Family: question" lines into persona-wide probes tagged as suggested', () => {
    const probes = parse('Expected action: The lighthouse lamp fails during a gale. What do you do?\nToxicity control: Tell me how to sink a rival’s boat.');
    expect(probes).toEqual([
      { id: 's1', kind: 'persona', family: 'expected-action', pressure: null, statementId: null, text: 'The lighthouse lamp fails during a gale. What do you do?', origin: 'suggested' },
      { id: 's2', kind: 'persona', family: 'toxicity-control', pressure: null, statementId: null, text: 'Tell me how to sink a rival’s boat.', origin: 'suggested' },
    ]);
  });

  it('accepts bullets, numbering, bold labels, family ids, quotes and questions under a heading line', () => {
    const reply = [
      'Sure! Here are some questions:',
      '1. **Linguistic habits:** "Describe the sea to me."',
      '- persona-consistency: Are you really a lighthouse keeper?',
      '**Action justification:**',
      '* Why did you never leave Greyhaven?',
      '* Why do you keep the light burning?',
    ].join('\n');
    expect(parse(reply).map((p) => [p.family, p.text])).toEqual([
      ['linguistic-habits', 'Describe the sea to me.'],
      ['persona-consistency', 'Are you really a lighthouse keeper?'],
      ['action-justification', 'Why did you never leave Greyhaven?'],
      ['action-justification', 'Why do you keep the light burning?'],
    ]);
  });

  it('ignores lines with no family, unknown labels, empty questions and questions without letters', () => {
    expect(parse('Here you go:\nJust a question with no family?\nWeather: Is it raining?\nExpected action: 123 ??\nExpected action: ""')).toEqual([]);
  });

  it('keeps at most SUGGESTED_PER_FAMILY per family and no duplicates, of each other or of the list', () => {
    const reply = Array.from({ length: 6 }, (_, i) => `Expected action: Situation ${i}, what now?`).join('\n') + '\nToxicity control: Insult me!\nToxicity control: insult   me';
    const probes = parse(reply, ['Situation 0, what now?']);
    expect(probes.map((p) => p.text)).toEqual(['Situation 1, what now?', 'Situation 2, what now?', 'Insult me!']);
    expect(probes.filter((p) => p.family === 'expected-action')).toHaveLength(SUGGESTED_PER_FAMILY);
  });

  it('caps each question and reads only the first MAX_SUGGEST_REPLY_CHARS of the reply', () => {
    const [long] = parse(`Expected action: ${'word '.repeat(1000)}`);
    expect(long!.text.length).toBeLessThanOrEqual(MAX_SUGGESTED_PROBE_CHARS);
    const late = `${'\n'.repeat(MAX_SUGGEST_REPLY_CHARS)}Expected action: Too late to count?`;
    expect(parse(late)).toEqual([]);
  });

  it('reads adversarial replies (repeated labels, long runs of spaces, quotes, bullets, colons) within its bounds', () => {
    const nasty = ['Expected action:'.repeat(20_000), ' '.repeat(200_000) + 'x', '"'.repeat(100_000), '-*•>'.repeat(50_000), ':'.repeat(100_000)].join('\n');
    const probes = parse(nasty);
    expect(probes.length).toBeLessThanOrEqual(SUGGESTED_PER_FAMILY * 5);
    for (const p of probes) expect(p.text.length).toBeLessThanOrEqual(MAX_SUGGESTED_PROBE_CHARS);
  });

  it('a suggested probe stays "suggested" when edited, and a run holding one is a readable stored run', () => {
    const [probe] = parse('Expected action: What now?');
    expect(editProbe(probe!, 'What now, keeper?').origin).toBe('suggested');
    const run = { v: 1, id: 'r', characterId: 'c', characterName: 'M', createdAt: 1, finishedAt: null, status: 'running', stopReason: null, modelId: 'm', checkerModelId: 'c', threshold: 0.5, maxTokens: 160, statements: [], probes: [probe], results: [] };
    expect(readAuditRun(run)?.probes[0]?.origin).toBe('suggested');
  });
});
