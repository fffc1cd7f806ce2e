/**
 * Interview answers → card fields. The mapping is fixed so the live preview
 * and the saved character always agree: identity, background, appearance,
 * relationships, likes/dislikes, fears, secrets and limits make the
 * description (one paragraph each, in interview order); traits and behaviour
 * make the personality; speech habits open it; sample lines become example
 * dialogues; scenario and greeting map one to one.
 */
import { emptyCardData, type CardData } from '../character';
import { listItems, type InterviewAnswers } from './steps';

/** What the card is called while the writer has not named it yet. */
export const UNNAMED = 'New character';

/** The name the card and statements use. */
export function characterName(answers: InterviewAnswers): string {
  return answers.name.trim() || UNNAMED;
}

/** "lighthouse keeper" → "a lighthouse keeper"; keeps a determiner the writer wrote. */
export function withIndefinite(phrase: string): string {
  const p = phrase.trim();
  if (!p) return p;
  if (/^(?:a|an|the|one|his|her|their|my|our|some|no)\s/i.test(p) || /^[A-Z]/.test(p)) return p;
  return /^[aeiou]/i.test(p) && !/^(?:uni|use|usu|eu|one)/i.test(p) ? `an ${p}` : `a ${p}`;
}

/** Ends a sentence with a full stop unless it already ends with punctuation. */
export function asSentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  return /[.!?…"”’)*]$/.test(t) ? t : `${t}.`;
}

/** "a, b and c" for list items. */
export function joinList(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]!}`;
}

/** The sentence of the identity step ("Maren Holt is a lighthouse keeper. Maren Holt is 34 years old."). */
export function identityText(answers: InterviewAnswers): string {
  const name = characterName(answers);
  const parts: string[] = [];
  if (answers.role.trim()) parts.push(asSentence(`${name} is ${withIndefinite(answers.role)}`));
  const age = answers.age.trim();
  if (age) parts.push(asSentence(/^\d+$/.test(age) ? `${name} is ${age} years old` : `${name} is ${age}`));
  return parts.join(' ');
}

function itemSentences(name: string, items: string[], verb: string): string {
  return items.map((item) => asSentence([name, verb, item].filter(Boolean).join(' '))).join(' ');
}

/** Likes and dislikes as one sentence per item, so each is an atomic fact. */
export function preferencesText(answers: InterviewAnswers): string {
  const name = characterName(answers);
  return [itemSentences(name, listItems(answers.likes), 'likes'), itemSentences(name, listItems(answers.dislikes), 'dislikes')].filter(Boolean).join(' ');
}

export function fearsText(answers: InterviewAnswers): string {
  return itemSentences(characterName(answers), listItems(answers.fears), 'is afraid of');
}

/** "never drink rum" and "drink rum" both → "Maren Holt would never drink rum." */
export function limitsText(answers: InterviewAnswers): string {
  const items = listItems(answers.never).map((i) => i.replace(/^(?:would\s+)?never\s+/i, ''));
  return itemSentences(characterName(answers), items, 'would never');
}

export function traitsText(answers: InterviewAnswers): string {
  const traits = listItems(answers.traits);
  return traits.length ? asSentence(`${characterName(answers)} is ${joinList(traits)}`) : '';
}

export function behaviourText(answers: InterviewAnswers): string {
  return itemSentences(characterName(answers), listItems(answers.behaviour), '');
}

/** Sample lines as Ali:Chat-style example dialogues, one `<START>` block per line. */
export function exampleDialogues(answers: InterviewAnswers): string {
  // Speech keeps its punctuation: only blank lines go.
  return answers.sampleLines
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => `<START>\n{{char}}: ${line}`)
    .join('\n');
}

/**
 * The card the answers make. `base` carries what the interview does not ask
 * (it is never overwritten except for the mapped fields).
 */
export function answersToCard(answers: InterviewAnswers, base: CardData = emptyCardData()): CardData {
  const description = [
    identityText(answers),
    answers.background.trim(),
    answers.appearance.trim(),
    answers.relationships.trim(),
    preferencesText(answers),
    fearsText(answers),
    answers.secrets.trim(),
    limitsText(answers),
  ].filter(Boolean);
  const personality = [answers.voice.trim(), traitsText(answers), behaviourText(answers)].filter(Boolean);
  return {
    ...base,
    name: characterName(answers),
    nickname: answers.nickname.trim(),
    description: description.join('\n\n'),
    personality: personality.join('\n'),
    scenario: answers.scenario.trim(),
    first_mes: answers.greeting.trim(),
    mes_example: exampleDialogues(answers),
  };
}
