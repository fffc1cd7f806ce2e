/**
 * One schema per stored shape (valibot), used by imports, restores and reads
 * of old records alike: whatever passes renders. See each file for its shape.
 */
export { MAX_JSON_DEPTH, jsonTextDepthExceeds, valueDepthExceeds } from './depth';
export { RecordInvalidError, assertValid, describeIssues, describeValue } from './issues';
export {
  CardDataSchema,
  LorebookSchema,
  MAX_NAME_CHARS,
  admitCard,
  type AdmittedCard,
  UNNAMED_CHARACTER,
  isEmptyCard,
  normaliseCard,
  withUsableName,
  type NormalisedCard,
} from './card';
export { CharacterSchema, PersonaStatementSchema, readCharacter, type ReadCharacter } from './character';
export { LibraryEntrySchema, readLibraryEntry, readLibrarySnapshot } from './libraryEntry';
export { ChatSchema, MessageSchema, SwipeSchema, isRefusal, readChat, readMessage, type ReadRecord, type Refusal } from './chat';
export { AVATAR_TYPES, describeNonImage, isAvatarBlob, sniffImageKind, storedTypeFor, type AvatarType, type ImageKind } from './image';
export { readSettingRecord, readVerdictRecord, type SettingRecord, type VerdictRecord } from './records';
export {
  SETTING_DEFAULTS,
  SETTING_SPECS,
  formatSettingValue,
  isSettingKey,
  planSettings,
  readSetting,
  settingProblem,
  type RestoreClass,
  type SettingChange,
  type SettingKey,
  type SettingSpec,
  type SettingsPlan,
  type SettingsShape,
} from './settings';
export {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  BackupFormatError,
  parseBackupText,
  validateBackup,
  type AvatarBytes,
  type BackupCharacter,
  type BackupFile,
  type EncodedBlob,
  type ValidatedBackup,
} from './backup';
export { InterviewDraftSchema, MAX_ANSWER_CHARS, readInterviewDraft } from './interview';
