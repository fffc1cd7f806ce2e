/**
 * Persona statements proposed from each step's answers. The interview writes
 * each answer as sentences about the named character (one per list item, so
 * each is one fact) and hands them to the studio's extractor
 * (domain/persona), which splits, filters and dedupes like it does for any
 * card: the interview proposes what extraction would, never a second dialect.
 * Greetings and sample lines are performance, not facts: never proposed.
 */
import { emptyCardData } from '../character';
import { extractStatements } from '../persona';
import {
  asSentence,
  behaviourText,
  characterName,
  fearsText,
  identityText,
  limitsText,
  preferencesText,
} from './card';
import { listItems, type InterviewAnswers, type InterviewStepId } from './steps';

/** The prose a step contributes for extraction. */
export function stepText(step: InterviewStepId, answers: InterviewAnswers): string {
  const name = characterName(answers);
  switch (step) {
    case 'identity':
      return identityText(answers);
    case 'background':
      return answers.background;
    case 'appearance':
      return answers.appearance;
    case 'personality':
      // One sentence per trait: "Maren is stubborn, dry and loyal" is three facts.
      return [...listItems(answers.traits).map((t) => asSentence(`${name} is ${t}`)), behaviourText(answers)].join(' ');
    case 'voice':
      return answers.voice;
    case 'relationships':
      return answers.relationships;
    case 'preferences':
      return preferencesText(answers);
    case 'fears':
      return [fearsText(answers), answers.secrets.trim()].filter(Boolean).join(' ');
    case 'limits':
      return limitsText(answers);
    case 'scenario':
      return answers.scenario;
  }
}

/**
 * Statements proposed from one step's answers, with `{{user}}` resolved to
 * `user` when given. Pure; linear in the answers (the extractor is).
 */
export function proposeForStep(step: InterviewStepId, answers: InterviewAnswers, user?: string): string[] {
  const text = stepText(step, answers).trim();
  if (!text) return [];
  const card = { ...emptyCardData(characterName(answers)), nickname: answers.nickname.trim(), description: text };
  return extractStatements(card, user ? { user } : {});
}
