/**
 * The interview in progress: answers, where the writer is, and their
 * decisions on proposed statements. Every change is a pure function returning
 * a new draft (the hook stores it; db/ persists it between visits).
 */
import { newId, newStatement, type CardData, type PersonaStatement } from '../character';
import { dedupeKey } from '../persona';
import { answersToCard, characterName } from './card';
import { proposeForStep } from './proposals';
import { emptyAnswers, INTERVIEW_STEPS, type BigFiveFactor, type BigFivePole, type InterviewAnswers, type InterviewStepId, type TextAnswerKey } from './steps';

/** A statement the writer accepted (possibly after editing it). */
export interface AcceptedStatement {
  id: string;
  text: string;
  step: InterviewStepId;
  /** dedupeKey of the proposal it came from: that proposal is no longer offered. */
  sourceKey: string;
}

export interface InterviewDraft {
  id: string;
  /** Index into INTERVIEW_STEPS. */
  step: number;
  answers: InterviewAnswers;
  accepted: AcceptedStatement[];
  /** dedupeKeys of proposals the writer rejected. */
  rejected: string[];
  createdAt: number;
  updatedAt: number;
}

/** At most this many accepted statements: a card with more is no longer a card a checker reads per reply. */
export const MAX_INTERVIEW_STATEMENTS = 200;

export function newInterviewDraft(now: number, id: string = newId()): InterviewDraft {
  return { id, step: 0, answers: emptyAnswers(), accepted: [], rejected: [], createdAt: now, updatedAt: now };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces `from` as a whole phrase in `text` (renaming the character). */
function renamed(text: string, from: string, to: string): string {
  if (!from || from === to) return text;
  return text.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(from)}(?![\\p{L}\\p{N}])`, 'gu'), to);
}

/**
 * Sets one text answer. Renaming the character renames it in the statements
 * already accepted and in the decisions, so nothing is proposed twice.
 */
export function setAnswer(draft: InterviewDraft, key: TextAnswerKey, value: string): InterviewDraft {
  const answers = { ...draft.answers, [key]: value };
  if (key !== 'name') return { ...draft, answers };
  const from = characterName(draft.answers);
  const to = characterName(answers);
  const fromKey = dedupeKey(from);
  const toKey = dedupeKey(to);
  return {
    ...draft,
    answers,
    accepted: draft.accepted.map((a) => ({ ...a, text: renamed(a.text, from, to), sourceKey: renamed(a.sourceKey, fromKey, toKey) })),
    rejected: draft.rejected.map((k) => renamed(k, fromKey, toKey)),
  };
}

export function setBigFive(draft: InterviewDraft, factor: BigFiveFactor, pole: BigFivePole | null): InterviewDraft {
  const bigFive = { ...draft.answers.bigFive };
  if (pole) bigFive[factor] = pole;
  else delete bigFive[factor];
  return { ...draft, answers: { ...draft.answers, bigFive } };
}

/** Adds a behaviour phrase to the Behaviour list (once). */
export function addBehaviour(draft: InterviewDraft, phrase: string): InterviewDraft {
  const lines = draft.answers.behaviour.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.some((l) => dedupeKey(l) === dedupeKey(phrase))) return draft;
  return setAnswer(draft, 'behaviour', [...lines, phrase].join('\n'));
}

export function goToStep(draft: InterviewDraft, step: number): InterviewDraft {
  return { ...draft, step: Math.min(Math.max(0, step), INTERVIEW_STEPS.length - 1) };
}

/** The step's proposals the writer has not accepted or rejected yet. */
export function pendingProposals(draft: InterviewDraft, step: InterviewStepId, user?: string): string[] {
  const decided = new Set<string>(draft.rejected);
  for (const a of draft.accepted) {
    decided.add(a.sourceKey);
    decided.add(dedupeKey(a.text));
  }
  return proposeForStep(step, draft.answers, user).filter((p) => !decided.has(dedupeKey(p)));
}

/** Accepts a proposal, as written or as the writer edited it. Empty text rejects it. */
export function acceptProposal(draft: InterviewDraft, step: InterviewStepId, proposal: string, text: string = proposal): InterviewDraft {
  const final = text.trim();
  if (!final) return rejectProposal(draft, proposal);
  if (draft.accepted.length >= MAX_INTERVIEW_STATEMENTS) return draft;
  const key = dedupeKey(final);
  if (draft.accepted.some((a) => dedupeKey(a.text) === key)) return draft;
  return { ...draft, accepted: [...draft.accepted, { id: newId(), text: final, step, sourceKey: dedupeKey(proposal) }] };
}

export function rejectProposal(draft: InterviewDraft, proposal: string): InterviewDraft {
  const key = dedupeKey(proposal);
  return draft.rejected.includes(key) ? draft : { ...draft, rejected: [...draft.rejected, key] };
}

/** Removes an accepted statement; its proposal is not offered again. */
export function removeAccepted(draft: InterviewDraft, id: string): InterviewDraft {
  const gone = draft.accepted.find((a) => a.id === id);
  if (!gone) return draft;
  return { ...draft, accepted: draft.accepted.filter((a) => a.id !== id), rejected: [...new Set([...draft.rejected, gone.sourceKey])] };
}

export function editAccepted(draft: InterviewDraft, id: string, text: string): InterviewDraft {
  return { ...draft, accepted: draft.accepted.map((a) => (a.id === id ? { ...a, text } : a)) };
}

/** What the finished interview stores: an ordinary character's card and statements. */
export function draftToCharacter(draft: InterviewDraft, base?: CardData): { card: CardData; statements: PersonaStatement[] } {
  const card = answersToCard(draft.answers, base);
  const statements = draft.accepted.filter((a) => a.text.trim() !== '').map((a) => newStatement(a.text, 'extracted'));
  return { card, statements };
}
