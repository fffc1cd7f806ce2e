/** Guided creation (issue 12 §2): interview steps, answers → card, statement proposals, Suggest prompts. */
export * from './steps';
export { answersToCard, characterName, UNNAMED, withIndefinite } from './card';
export { proposeForStep, stepText } from './proposals';
export * from './draft';
export { MBTI_TYPES, isMbtiType, temperamentSuggestions } from './temperament';
export { cleanSuggestion, suggestionMessages, MAX_SUGGESTION_CHARS, SUGGESTION_MAX_TOKENS, type SuggestionMessage } from './suggest';
