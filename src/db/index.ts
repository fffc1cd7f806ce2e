import { getDb } from './database';
import { CharacterRepository } from './characters';
import { ChatRepository } from './chats';
import { SettingsRepository } from './settings';
import { VerdictRepository } from './verdicts';
import { LibraryRepository } from './library';
import { InterviewRepository } from './interviews';
import { AuditRepository } from './audits';

export * from './database';
export * from './errors';
export * from './characters';
export * from './chats';
export * from './settings';
export * from './backup';
export * from './storage';
export * from './verdicts';
export * from './library';
export * from './interviews';
export * from './audits';

/** The app's repositories over the shared database. */
export const repos = {
  get characters() {
    return new CharacterRepository(getDb());
  },
  get chats() {
    return new ChatRepository(getDb());
  },
  get settings() {
    return new SettingsRepository(getDb());
  },
  get verdicts() {
    return new VerdictRepository(getDb());
  },
  get audits() {
    return new AuditRepository(getDb());
  },
  get library() {
    return new LibraryRepository(getDb());
  },
  get interviews() {
    return new InterviewRepository(getDb());
  },
};
