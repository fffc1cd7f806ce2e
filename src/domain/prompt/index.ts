/** Prompt assembly for chat: budgeting, lorebook activation, token estimates. */
export {
  assemblePrompt,
  impersonationNote,
  personaSection,
  splitExampleBlocks,
  systemPromptOf,
  DEFAULT_POST_HISTORY_INSTRUCTIONS,
  DEFAULT_SYSTEM_PROMPT,
  MESSAGE_OVERHEAD_TOKENS,
  PromptBudgetError,
  type AssembledPrompt,
  type AssembleInput,
  type DroppedReport,
  type HistoryPlan,
  type PromptSection,
  type HistoryMessage,
  type PromptMessage,
  type PromptRole,
} from './assemble';
export {
  activateLorebook,
  entryTriggers,
  keyMatcher,
  parseRegexKey,
  DEFAULT_SCAN_DEPTH,
  type ActiveLoreEntry,
  type LoreActivation,
  type LoreScanInput,
} from './lorebook';
export { foldForStrictTemplates, type StrictPrompt } from './strict';
export { estimateTokens } from './tokens';
export { firstMessageInContext, FIRST_TAIL } from './window';
export { TokenCalibration, scaledCounting, CALIBRATION_BOUNDS, MIN_CALIBRATION_TOKENS, type CalibratedCounting } from './calibration';
export {
  authorsNoteAt,
  authorsNoteContent,
  insertAtDepth,
  summaryBlock,
  STORY_SO_FAR_HEADING,
  type AuthorsNoteInput,
  type SummaryInput,
} from './memory';
