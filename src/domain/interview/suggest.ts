/**
 * "Suggest": a loaded chat model drafts one answer from what the writer has
 * written so far. This file builds the one-off request and cleans the reply;
 * the service runs it on the engine (never saved to chats). A model's reply is
 * untrusted text: it is trimmed, unquoted and capped, and the writer edits it
 * before anything is kept.
 */
import { answersToCard } from './card';
import type { InterviewAnswers, InterviewField, InterviewStep } from './steps';

/** Longest suggestion kept (characters); a field answer is a few sentences. */
export const MAX_SUGGESTION_CHARS = 800;
/** Token budget for one suggestion: a few sentences or a short list. */
export const SUGGESTION_MAX_TOKENS = 160;

export interface SuggestionMessage {
  role: 'system' | 'user';
  content: string;
}

/** The card so far as plain labelled text (empty fields left out). */
function cardSoFar(answers: InterviewAnswers): string {
  const card = answersToCard(answers);
  const parts: [string, string][] = [
    ['Name', answers.name.trim() ? card.name : ''],
    ['Description', card.description],
    ['Personality', card.personality],
    ['Example lines', card.mes_example],
    ['Scenario', card.scenario],
    ['Greeting', card.first_mes],
  ];
  return parts.filter(([, v]) => v.trim()).map(([k, v]) => `${k}: ${v}`).join('\n');
}

/** Messages asking the model for the answer to `field` of `step`. */
export function suggestionMessages(answers: InterviewAnswers, step: InterviewStep, field: InterviewField): SuggestionMessage[] {
  const soFar = cardSoFar(answers);
  const shape =
    field.kind === 'list'
      ? 'Answer with 3 to 5 short items, one per line, no numbering.'
      : field.kind === 'line'
        ? 'Answer with a short phrase, no full sentence.'
        : 'Answer with 2 to 4 sentences of plain prose in the third person.';
  return [
    {
      role: 'system',
      content: 'You help a writer create a role-play character. Reply with the answer only: no preamble, no quotes, no markdown.',
    },
    {
      role: 'user',
      content: `${soFar ? `The character so far:\n${soFar}\n\n` : 'Nothing is written yet; invent a fitting character.\n\n'}Question (${step.title}): ${step.prompt}\nWrite the "${field.label}" answer. ${shape}`,
    },
  ];
}

/**
 * The usable part of a model's reply: without a leading label ("Answer:",
 * "Likes:"), wrapping quotes or code fences, list bullets (for list fields),
 * capped at MAX_SUGGESTION_CHARS. Linear in the reply.
 */
export function cleanSuggestion(reply: string, field: InterviewField): string {
  let text = reply.slice(0, MAX_SUGGESTION_CHARS * 2).replace(/```[a-z]*\n?/gi, '').trim();
  const label = new RegExp(`^(?:answer|${field.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})\\s*:\\s*`, 'i');
  text = text.replace(label, '');
  if (field.kind === 'line') text = text.split(/\r?\n/)[0]!.trim();
  if (/^["“].*["”]$/s.test(text)) text = text.slice(1, -1).trim();
  if (field.kind === 'list') {
    text = text
      .split(/\r?\n/)
      .map((l) => l.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim())
      .filter(Boolean)
      .join('\n');
  } else if (field.kind === 'line') {
    text = text.replace(/\.$/, '');
  }
  return text.slice(0, MAX_SUGGESTION_CHARS).trim();
}
