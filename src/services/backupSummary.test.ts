import { describe, expect, it } from 'vitest';
import { restoredSummary } from './backup';

const counts = { characters: 3, chats: 1, messages: 12, verdicts: 4, settings: 0, audits: 0, interviews: 0 };

describe('restoredSummary', () => {
  it('names the library and says the settings are unchanged', () => {
    expect(restoredSummary(counts)).toBe('3 characters, 1 chat, 12 messages. Settings unchanged.');
  });

  it('lists audit runs and interview drafts when the backup had them', () => {
    expect(restoredSummary({ ...counts, audits: 2, interviews: 1, settings: 1 })).toBe('3 characters, 1 chat, 12 messages, 2 audit runs, 1 interview draft. 1 setting changed.');
  });
});
