import { migrateVerdict, type Verdict } from '../domain/consistency/verdict';
import { verdictKey, type StudioDb, type VerdictRecord } from './database';
import { guardWrite } from './errors';

export { verdictKey };

/**
 * What identifies a stored verdict's content without reading it through the
 * schema: when it was written and what it was about. Null when the row is
 * too odd to tell (it is then read in full every time).
 */
function contentKey(row: VerdictRecord): string | null {
  const raw: unknown = row.verdict;
  if (typeof raw !== 'object' || raw === null) return null;
  const { fingerprint, apcSum, verdictMs } = raw as { fingerprint?: { replyTextHash?: unknown; userTurnHash?: unknown }; apcSum?: unknown; verdictMs?: unknown };
  if (typeof row.createdAt !== 'number' || typeof fingerprint?.replyTextHash !== 'string') return null;
  return `${row.createdAt}|${row.swipeIndex}|${fingerprint.replyTextHash}|${String(fingerprint.userTurnHash)}|${String(apcSum)}|${String(verdictMs)}`;
}

/** Stored consistency verdicts, one per swipe of an assistant message. */
export class VerdictRepository {
  /** The verdicts of the chat read last, by id, with their content key (see forChat). */
  private memo: { chatId: string; byId: Map<string, { key: string; verdict: Verdict }> } | null = null;

  constructor(private readonly db: StudioDb) {}

  /**
   * A chat's verdicts keyed by `verdictKey`. Records of an older version are
   * read through `migrateVerdict`; unreadable ones are left out (that reply
   * shows as unchecked and can be checked again).
   *
   * A verdict unchanged since the last read of the same chat comes back as
   * the same object: the chat screen then skips its staleness check and its
   * row (a new verdict in a 5,000-reply chat re-did neither for the others).
   */
  async forChat(chatId: string): Promise<Map<string, Verdict>> {
    const rows = await this.db.verdicts.where('chatId').equals(chatId).toArray();
    const before = this.memo?.chatId === chatId ? this.memo.byId : new Map<string, { key: string; verdict: Verdict }>();
    const byId = new Map<string, { key: string; verdict: Verdict }>();
    const out = new Map<string, Verdict>();
    for (const row of rows) {
      const key = contentKey(row);
      const hit = key === null ? undefined : before.get(row.id);
      const verdict = hit && hit.key === key ? hit.verdict : migrateVerdict(row.verdict);
      if (!verdict) continue;
      out.set(row.id, verdict);
      if (key !== null) byId.set(row.id, { key, verdict });
    }
    this.memo = { chatId, byId };
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
    const id = verdictKey(messageId, swipeIndex);
    return guardWrite(() =>
      db.transaction('rw', [db.messages, db.verdicts], async () => {
        if (!(await db.messages.get(messageId))) return false;
        // Strictly later than the verdict it replaces, so forChat never takes a new one for the old.
        const previous = await db.verdicts.get(id);
        const createdAt = Math.max(Date.now(), (previous?.createdAt ?? 0) + 1);
        const record: VerdictRecord = { id, messageId, chatId, swipeIndex, verdict, createdAt };
        await db.verdicts.put(record);
        return true;
      }),
    );
  }
}
