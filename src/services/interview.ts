/**
 * Guided creation's use-cases that reach past the domain: Suggest (a one-off
 * generation on the loaded chat engine, never written to any chat) and the
 * interview drafts' storage. No React, no stores: the hook passes the engine.
 */
import { DEFAULT_SAMPLING } from '../domain/chat';
import { cleanSuggestion, suggestionMessages, SUGGESTION_MAX_TOKENS, type InterviewAnswers, type InterviewField, type InterviewStep } from '../domain/interview';
import type { ChatEngine, EngineStatus } from '../engines/ChatEngine';

/** Suggest was asked for while no model can answer; `message` says why, for the writer. */
export class SuggestUnavailableError extends Error {
  override name = 'SuggestUnavailableError';
}

/** The model answered, but with nothing usable. */
export class EmptySuggestionError extends Error {
  override name = 'EmptySuggestionError';
}

/** Why Suggest cannot run with the engine in this state, or null when it can. */
export function suggestBlocker(status: EngineStatus | null): string | null {
  switch (status?.state ?? 'absent') {
    case 'ready':
      return null;
    case 'busy':
      return 'The chat model is busy writing a reply; try again when it is done.';
    case 'downloading':
    case 'loading':
    case 'warming':
      return 'The chat model is still loading.';
    case 'error':
      return 'The chat model failed to load; load it again on the Models page.';
    default:
      return 'Suggest needs a chat model: load one on the Models page. Every step works by hand without it.';
  }
}

/**
 * Drafts the answer to one field from what the writer has written so far.
 * Nothing is stored: the text comes back for the writer to edit.
 * @throws SuggestUnavailableError when no model is ready.
 * @throws EmptySuggestionError when the reply has no usable text.
 * @throws EngineError subclasses from the engine (crash, device lost, …).
 */
export async function suggestAnswer(
  engine: ChatEngine | null,
  answers: InterviewAnswers,
  step: InterviewStep,
  field: InterviewField,
  signal?: AbortSignal,
): Promise<string> {
  const blocker = suggestBlocker(engine?.status ?? null);
  if (!engine || blocker) throw new SuggestUnavailableError(blocker ?? 'No chat model is loaded.');
  const result = await engine.generate(
    { messages: suggestionMessages(answers, step, field), sampling: { ...DEFAULT_SAMPLING, maxTokens: SUGGESTION_MAX_TOKENS }, stop: [] },
    signal ? { signal } : {},
  );
  const text = cleanSuggestion(result.text, field);
  if (!text) throw new EmptySuggestionError('The model gave no usable answer; try again or write it yourself.');
  return text;
}
