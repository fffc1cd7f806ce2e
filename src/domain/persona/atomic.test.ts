/**
 * Issue 12 §3: one atomic fact per proposal. Each case is a description the
 * project wrote in one of the formats found in the wild (prose, W++, PList,
 * Ali:Chat), with the exact statements expected, in order.
 */
import { describe, expect, it } from 'vitest';
import { emptyCardData, type CardData } from '../character';
import { extractStatements, type ExtractOptions } from './extract';

function run(fields: Partial<CardData> & { name: string }, opts: ExtractOptions = {}): string[] {
  return extractStatements({ ...emptyCardData(fields.name), ...fields }, opts);
}

const cases: { title: string; card: Partial<CardData> & { name: string }; opts?: ExtractOptions; expected: string[] }[] = [
  {
    title: 'prose: a semicolon joins two facts, and the second opens with a pronoun',
    card: { name: 'Captain Anne Bonny', description: 'Anne never drinks rum; she drinks strong black tea.' },
    expected: ['Captain Anne Bonny never drinks rum.', 'Captain Anne Bonny drinks strong black tea.'],
  },
  {
    title: 'prose: two predicates joined by "and"',
    card: { name: 'Captain Anne Bonny', description: 'She has a scar across her cheek and carries a cutlass.' },
    expected: ['Captain Anne Bonny has a scar across her cheek.', 'Captain Anne Bonny carries a cutlass.'],
  },
  {
    title: 'personality list: "dry humour" is something she has, not is',
    card: { name: 'Mira', personality: 'patient, dry humour, quick temper, kindness' },
    expected: ['Mira is patient.', 'Mira has a dry sense of humour.', 'Mira has a quick temper.', 'Mira shows kindness.'],
  },
  {
    title: 'prose: the title written before a name that lacks it stays',
    card: { name: 'Anne Bonny', description: 'Captain Anne Bonny commands the Revenge.' },
    expected: ['Captain Anne Bonny commands the Revenge.'],
  },
  {
    title: 'prose: a negated predicate keeps its negation after "and"',
    card: { name: 'Maren Holt', description: 'Maren is afraid of deep water and never learned to swim.' },
    expected: ['Maren Holt is afraid of deep water.', 'Maren Holt never learned to swim.'],
  },
  {
    title: 'prose: a list of objects shares the verb',
    card: { name: 'Maren Holt', description: 'Maren loves storms, rum and old maps.' },
    expected: ['Maren Holt loves storms.', 'Maren Holt loves rum.', 'Maren Holt loves old maps.'],
  },
  {
    title: 'prose: a list of adjectives, with an Oxford comma',
    card: { name: 'Maren', description: 'She is kind, brave, and stubborn.' },
    expected: ['Maren is kind.', 'Maren is brave.', 'Maren is stubborn.'],
  },
  {
    title: 'prose: a modal carries over to a bare verb',
    card: { name: 'Maren', description: 'Maren can swim and sail.' },
    expected: ['Maren can swim.', 'Maren can sail.'],
  },
  {
    title: 'prose: "doesn\'t X or Y" is two negative facts',
    card: { name: 'Maren', description: "Maren doesn't drink or smoke. Maren never eats fish or meat." },
    expected: ["Maren doesn't drink.", "Maren doesn't smoke.", 'Maren never eats fish.', 'Maren never eats meat.'],
  },
  {
    title: 'prose: ambiguous shapes stay whole (a compound colour, an exception list, "or" without negation)',
    card: {
      name: 'Maren',
      description:
        "Maren has salt and pepper hair. Maren won't leave the lighthouse except when fishing or trading. Maren drinks tea or coffee.",
    },
    expected: [
      'Maren has salt and pepper hair.',
      "Maren won't leave the lighthouse except when fishing or trading.",
      'Maren drinks tea or coffee.',
    ],
  },
  {
    title: 'prose: possessive subjects split with their noun',
    card: { name: 'Maren', description: 'Her eyes are grey and her hair is short. Maren’s boat is old and leaky.' },
    expected: ["Maren's eyes are grey.", "Maren's hair is short.", "Maren's boat is old.", "Maren's boat is leaky."],
  },
  {
    title: 'prose: mixed list shapes after "has"',
    card: { name: 'Maren', description: 'Maren has green eyes, a crooked nose and freckles.' },
    expected: ['Maren has green eyes.', 'Maren has a crooked nose.', 'Maren has freckles.'],
  },
  {
    title: 'prose: a determiner list with a modifier on the first item',
    card: { name: 'Maren', description: 'Maren has a scar on her cheek and a tattoo of an anchor.' },
    expected: ['Maren has a scar on her cheek.', 'Maren has a tattoo of an anchor.'],
  },
  {
    title: 'prose: past-tense predicates',
    card: { name: 'Maren', description: 'Maren grew up in Bergen and joined the navy at sixteen.' },
    expected: ['Maren grew up in Bergen.', 'Maren joined the navy at sixteen.'],
  },
  {
    title: 'prose: a second subject after "and" is its own fact; another person is not split',
    card: { name: 'Maren', description: 'Maren keeps the light, and Tom rows the boat and mends the nets.' },
    expected: ['Maren keeps the light.', 'Tom rows the boat and mends the nets.'],
  },
  {
    title: 'prose: "but" joins two predicates, and two adjectives',
    card: { name: 'Maren', description: 'Maren loves the sea but hates the rain. She is gruff but kind.' },
    expected: ['Maren loves the sea.', 'Maren hates the rain.', 'Maren is gruff.', 'Maren is kind.'],
  },
  {
    title: 'prose: gerund lists',
    card: { name: 'Maren', description: 'Maren enjoys sailing, fishing and reading old logbooks.' },
    expected: ['Maren enjoys sailing.', 'Maren enjoys fishing.', 'Maren enjoys reading old logbooks.'],
  },
  {
    title: 'W++: quoted items are already atomic; a verb phrase item splits',
    card: {
      name: 'Seraphina',
      description: '[Seraphina\'s personality= "caring", "dry humour"]\n[Seraphina\'s likes= "tea and cake"]',
    },
    expected: ['Seraphina is caring.', 'Seraphina has a dry sense of humour.', 'Seraphina likes tea and cake.'],
  },
  {
    title: 'PList: traits, body and a "never" item',
    card: { name: 'Kai', description: '[Kai: loyal, sharp wit, never lies; Kai\'s body: tall, scar on left arm]' },
    expected: ['Kai is loyal.', 'Kai has a sharp wit.', 'Kai never lies.', 'Kai is tall.', 'Kai has a scar on left arm.'],
  },
  {
    title: 'Ali:Chat: the dialogue is skipped, the prose around it is split',
    card: {
      name: 'Lyra',
      description:
        'Lyra is a bard and plays the lute.\n<START>\n{{user}}: Who are you?\n{{char}}: *bows* "A bard, and a liar."\n[Lyra: cheerful]',
    },
    expected: ['Lyra is a bard.', 'Lyra plays the lute.', 'Lyra is cheerful.'],
  },
  {
    title: 'the nickname chosen by the writer names every fact',
    card: { name: 'Margaret Holt', nickname: 'Maggie', description: 'Margaret keeps bees. She is shy and loves honey.' },
    opts: { name: 'Maggie' },
    expected: ['Maggie keeps bees.', 'Maggie is shy.', 'Maggie loves honey.'],
  },
  {
    title: 'the full name (with its title) when the writer picks the name',
    card: { name: 'Captain Anne Bonny', nickname: 'Bonny', description: 'Bonny sails at dawn. Anne distrusts the navy.' },
    expected: ['Captain Anne Bonny sails at dawn.', 'Captain Anne Bonny distrusts the navy.'],
  },
  {
    title: 'world facts are not split or renamed',
    card: { name: 'Maren', description: 'The lighthouse is old and the keeper is gone.' },
    expected: ['The lighthouse is old and the keeper is gone.'],
  },
  {
    title: 'a "nor" after a negation',
    card: { name: 'Maren', description: 'Maren neither sings nor dances.' },
    expected: ['Maren neither sings nor dances.'],
  },
  {
    title: 'cannot and will not: auxiliaries that share one verb stay together',
    card: { name: 'Flux', description: 'Flux cannot and will not talk to {{user}}.' },
    expected: ['Flux cannot and will not talk to {{user}}.'],
  },
];

describe('atomic statements from varied descriptions', () => {
  it(`has at least 20 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });
  it.each(cases)('$title', ({ card, opts, expected }) => {
    expect(run(card, opts)).toEqual(expected);
  });
});
