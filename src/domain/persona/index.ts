/** Persona statements: proposing atomic facts about a character from its card. */
export {
  extractStatements,
  dedupeKey,
  MAX_STATEMENT_CHARS,
  MAX_STATEMENT_WORDS,
  MIN_STATEMENT_CHARS,
  MIN_STATEMENT_WORDS,
  type ExtractOptions,
} from './extract';
export {
  planConflictPairs,
  conflictsFromScores,
  currentConflicts,
  isKept,
  keepConflict,
  liveKeptConflicts,
  CONFLICT_CANDIDATES,
  CONFLICT_THRESHOLD,
  FULL_PAIRING_MAX,
  type Conflict,
  type ConflictSource,
  type KeptConflict,
  type PlannedPair,
} from './conflicts';
