import { migrateVerdict, type Verdict } from '../domain/consistency/verdict';
import { verdictKey, type StudioDb, type VerdictRecord } from './database';
import { guardWrite } from './errors';

export { verdictKey };

/** Stored consistency verdicts, one per swipe of an assistant message. */
export class VerdictRepository {
  constructor(private readonly db: StudioDb) {}

  /**
   * A chat's verdicts keyed by `verdictKey`. Records of an older version are
   * read through `migrateVerdict`; unreadable ones are left out (that reply
   * shows as unchecked and can be checked again).
   */
  async forChat(chatId: string): Promise<Map<string, Verdict>> {
    const rows = await this.db.verdicts.where('chatId').equals(chatId).toArray();
    const out = new Map<string, Verdict>();
    for (const row of rows) {
      const verdict = migrateVerdict(row.verdict);
      if (verdict) out.set(row.id, verdict);
    }
    return out;
  }

  async get(messageId: string, swipeIndex: number): Promise<Verdict | null> {
    const row = await this.db.verdicts.get(verdictKey(messageId, swipeIndex));
    return row ? migrateVerdict(row.verdict) : null;
  }

  /**
   * Stores a swipe's verdict, replacing any earlier one.
   * @returns false when the message was deleted while it was being checked (no orphan is written).
   * @throws StorageFullError when the browser refuses the write.
   */
  async save(chatId: string, messageId: string, swipeIndex: number, verdict: Verdict): Promise<boolean> {
    const { db } = this;
    const record: VerdictRecord = { id: verdictKey(messageId, swipeIndex), messageId, chatId, swipeIndex, verdict, createdAt: Date.now() };
    return guardWrite(() =>
      db.transaction('rw', [db.messages, db.verdicts], async () => {
        if (!(await db.messages.get(messageId))) return false;
        await db.verdicts.put(record);
        return true;
      }),
    );
  }
}
