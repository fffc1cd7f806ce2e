import Dexie, { liveQuery, type Subscription } from 'dexie';
import type { Message } from '../domain/chat';
import { isRefusal, readMessage } from '../domain/storage/chat';
import type { StudioDb } from './database';

/** Changed messages the watched range may hold before it moves up (each save reads them all: keep it small). */
const RECENT_MAX = 6;
/** How many of the newest stay in the range when it moves up (undo of a recent change still finds them). */
const RECENT_KEEP = 2;
/** Messages per read when a chat is read whole. */
const READ_PAGE = 500;
/** A chat longer than this shows its newest messages before the rest are read. */
export const FIRST_PAINT = 80;
/** How long the newest messages have the screen to themselves (one or two frames) before the whole chat is read. */
const FIRST_PAINT_PAUSE_MS = 50;

const soundMessage = (row: unknown): Message | undefined => {
  const read = readMessage(row);
  return isRefusal(read) ? undefined : read.value;
};

/** A chat's messages in order, as `watchChatMessages` delivers them. */
export type MessagesListener = (messages: Message[]) => void;

/** The list each open feed delivered last, per database and chat (what the open chat shows). */
const delivered = new WeakMap<StudioDb, Map<string, Set<{ list: Message[] | null }>>>();

/** The list an open feed of this chat delivered last; undefined when none is open or none has delivered. */
function lastDelivered(db: StudioDb, chatId: string): Message[] | undefined {
  const holders = delivered.get(db)?.get(chatId);
  return holders ? ([...holders].find((h) => h.list !== null)?.list ?? undefined) : undefined;
}

/** The list an open feed of this chat delivered last (it may lag the latest write by a moment); null: none open. */
export function heldFeedMessages(db: StudioDb, chatId: string): Message[] | null {
  return lastDelivered(db, chatId)?.slice() ?? null;
}

/**
 * The messages an open feed of this chat holds, if it is known to be current:
 * its list has as many messages as the chat and the chat's newest change
 * (`[chatId+updatedAt]`, every write raises it) is in it. Two small reads
 * instead of reading and validating the whole chat (a reply's prompt in a
 * 10,000-message chat, issue 13 §1). null: no open feed, or it lags a write.
 * A Dexie promise chain (callers may run inside live queries).
 */
export function currentFeedMessages(db: StudioDb, chatId: string): Promise<Message[] | null> {
  const held = lastDelivered(db, chatId);
  if (!held) return Dexie.Promise.resolve(null);
  return Dexie.Promise.all([
    db.messages.where('[chatId+order]').between([chatId, -Infinity], [chatId, Infinity]).count(),
    db.messages.where('[chatId+updatedAt]').between([chatId, -Infinity], [chatId, Infinity]).reverse().limit(1).keys(),
  ]).then(([count, newestKey]) => {
    if (count !== held.length) return null;
    const newest = (newestKey[0] as unknown as [string, number] | undefined)?.[1];
    let heldNewest = -Infinity;
    for (const m of held) if (m.updatedAt > heldNewest) heldNewest = m.updatedAt;
    return newest === undefined ? (held.length === 0 ? [] : null) : newest === heldNewest ? held.slice() : null;
  });
}

/**
 * Follows a chat's messages, with a cost per change that does not grow with
 * the chat (issue 13: every streaming save re-read all 10,000 messages).
 *
 * Two live queries, each watching only what it needs (Dexie tracks the key
 * ranges a query reads and re-runs it only when a write touches them):
 * - the chat's shape: how many messages it has and the last one's id
 *   (`[chatId+order]`, a count and one key). Every change of the list
 *   (append, delete, undo of a delete, which shifts the messages after it)
 *   changes one of them; only then are the ids read in order, outside the
 *   live query. (Reading the ids inside it made Dexie track each of 10,000
 *   keys on every run, ~90 ms, and re-run it on saves: bench:scale.)
 * - the messages changed since the newest one seen (`[chatId+updatedAt]` from
 *   `since`): a save bumps its message's `updatedAt` (every write in
 *   ChatRepository does), so it re-runs on each save and reads the few
 *   messages changed since the chat was read (at most RECENT_MAX: then the
 *   range moves up).
 *
 * The list handed to `listener` keeps every unchanged message as the same
 * object, so memoised rows and per-message caches survive a save. Appends
 * read only the new messages; anything else that reorders the chat (undo of
 * a delete in the middle) reads it whole once.
 *
 * IMPORTANT: relies on every write of a message raising its `updatedAt`
 * (ChatRepository's `nextUpdatedAt`), except writes that add, delete or move
 * messages. A write that lowers it (undo puts a message back verbatim) is
 * caught when the message was in the watched range (it leaves it); an undo of
 * a message changed more than RECENT_MAX changes ago is not seen until the
 * chat is opened again; nor a write to another message in the same
 * millisecond as the newest one's last change, before the first change seen.
 *
 * @returns stop watching.
 */
export function watchChatMessages(db: StudioDb, chatId: string, listener: MessagesListener, onError: (e: unknown) => void): () => void {
  let ids: string[] | null = null;
  const byId = new Map<string, Message>();
  let since = -Infinity;
  /** Ids of the messages with updatedAt >= since (a handful): the watched range's rows. */
  let recent = new Set<string>();
  let changes: Subscription | null = null;
  let stopped = false;
  // Events are applied one after another, in the order the queries answered.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (step: () => Promise<void> | void) => {
    queue = queue.then(step).catch((e: unknown) => {
      if (!stopped) onError(e);
    });
  };

  const holder: { list: Message[] | null } = { list: null };
  const chats = delivered.get(db) ?? new Map<string, Set<{ list: Message[] | null }>>();
  delivered.set(db, chats);
  const holders = chats.get(chatId) ?? new Set();
  chats.set(chatId, holders);
  holders.add(holder);

  const emit = () => {
    if (stopped || !ids) return;
    // Sized once: a 10,000-message list grown push by push allocated it about twice over.
    const list = new Array<Message>(ids.length);
    let n = 0;
    for (const id of ids) {
      const m = byId.get(id);
      if (m) list[n++] = m;
    }
    list.length = n;
    holder.list = list;
    listener(list);
  };

  /**
   * The list delivered last with `changed` in their places: a copy and a
   * look from the end for each (a save is of a recent message), not a new
   * list built from 10,000 ids for every streamed save.
   */
  const emitReplacing = (changed: readonly Message[]) => {
    if (stopped || !ids) return;
    const list = holder.list;
    if (!list || list.length !== ids.length) return emit();
    const next = list.slice();
    for (const m of changed) {
      let i = next.length - 1;
      while (i >= 0 && next[i]!.id !== m.id) i--;
      if (i < 0) return emit();
      next[i] = m;
    }
    holder.list = next;
    listener(next);
  };

  /**
   * After a full read: watch from just above the newest message, so the
   * watched range starts empty (the newest message — a 10 MB greeting, a long
   * reply — is not read a second time).
   */
  const watchAbove = (messages: Iterable<Message>) => {
    let newest = -Infinity;
    for (const m of messages) if (m.updatedAt > newest) newest = m.updatedAt;
    recent = new Set();
    since = newest === -Infinity ? -Infinity : newest + 1;
    watchChanges();
  };

  /**
   * After a change: remember the changed messages as in the range. The range
   * moves up (one re-subscription, one more read) only when it holds more
   * than RECENT_MAX messages, so a streaming save costs one read.
   */
  const noteChanged = (messages: Iterable<Message>) => {
    for (const m of messages) if (m.updatedAt >= since) recent.add(m.id);
    if (recent.size <= RECENT_MAX) return;
    const newest = [...recent].map((id) => byId.get(id)?.updatedAt ?? -Infinity).sort((a, b) => b - a);
    since = newest[RECENT_KEEP - 1] ?? since;
    recent = new Set([...recent].filter((id) => (byId.get(id)?.updatedAt ?? -Infinity) >= since));
    watchChanges();
  };

  /**
   * The whole chat, in pages of READ_PAGE within one read transaction (one
   * consistent view): no single 4.6 MB read to deserialize in one task (a
   * 176 ms long task at 10,000 messages), and a feed stopped meanwhile (the
   * writer left the chat) stops reading instead of holding up the next one.
   */
  const readAll = async () => {
    const order: string[] = [];
    const read = new Map<string, Message>();
    await db.transaction('r', db.messages, async () => {
      let from = -Infinity;
      for (;;) {
        if (stopped) return;
        const rows: unknown[] = await db.messages
          .where('[chatId+order]')
          .between([chatId, from], [chatId, Infinity], from === -Infinity, true)
          .limit(READ_PAGE)
          .toArray();
        for (const row of rows) {
          const m = soundMessage(row);
          if (!m) continue;
          const was = byId.get(m.id);
          // Unchanged messages stay the same objects (a reorder changes only `order`, which the list does not show).
          read.set(m.id, was && was.updatedAt === m.updatedAt && was.order === m.order ? was : m);
          order.push(m.id);
        }
        if (rows.length < READ_PAGE) return;
        from = (rows[rows.length - 1] as { order: number }).order;
      }
    });
    if (stopped) return;
    byId.clear();
    for (const [id, m] of read) byId.set(id, m);
    ids = order;
    watchAbove(byId.values());
  };

  /**
   * A long chat opens at its end first: the newest FIRST_PAINT messages are
   * read and delivered, then the whole chat (bench:scale: reading 10,000
   * messages before the first paint took most of a second). The list grows
   * at its start, where the message list keeps the reader's place.
   */
  const readNewestFirst = async (): Promise<boolean> => {
    // One more than shown: a chat that fits is read whole at once, as before.
    const rows: unknown[] = await inOrder().reverse().limit(FIRST_PAINT + 1).toArray();
    if (stopped || ids || rows.length <= FIRST_PAINT) return false;
    const newest = rows.slice(0, FIRST_PAINT).flatMap((row) => soundMessage(row) ?? []).reverse();
    for (const m of newest) byId.set(m.id, m);
    ids = newest.map((m) => m.id);
    emit();
    ids = null;
    return true;
  };

  /**
   * Messages appended after the last one shown, and nothing else changed (the
   * count says so): only they are read — a send appends two to a chat of
   * 10,000. False when the chat changed otherwise (the ids are then read).
   * The count is read with the new keys, in one transaction: the shape query's
   * count may predate an append that landed since (a send's second append),
   * and comparing with it sent every such reply to the full read of the ids.
   */
  const appendedOnly = async (): Promise<boolean> => {
    if (!ids) return false;
    const last = ids.length > 0 ? byId.get(ids[ids.length - 1]!) : undefined;
    if (ids.length > 0 && !last) return false;
    const [after, count, lastKey] = await db.transaction('r', db.messages, () =>
      Dexie.Promise.all([
        db.messages
          .where('[chatId+order]')
          .between([chatId, last ? last.order : -Infinity], [chatId, Infinity], false, true)
          .primaryKeys(),
        inOrder().count(),
        inOrder().reverse().limit(1).primaryKeys(),
      ]),
    );
    // Nothing after the last message shown, as many messages and the same last
    // one: a change this list already holds (the second append of a send, read
    // with the first). Not told apart from it: a delete and an insert above the
    // last message landing together (the same count and last); no action of the
    // studio does that, and the chat is read whole when next opened.
    if (after.length === 0) return count === ids.length && (lastKey[0] ?? null) === (ids.at(-1) ?? null);
    if (ids.length + after.length !== count || after.some((id) => byId.has(id))) return false;
    const rows: unknown[] = await db.messages.bulkGet(after);
    const fresh = rows.flatMap((row) => soundMessage(row) ?? []);
    if (fresh.length !== after.length) return false;
    for (const m of fresh) byId.set(m.id, m);
    noteChanged(fresh);
    ids = [...ids, ...after];
    emit();
    return true;
  };

  const onIds = async (next: string[]) => {
    if (!ids) {
      await readAll();
      emit();
      return;
    }
    const present = new Set(next);
    const kept = ids.filter((id) => present.has(id));
    const added = next.slice(kept.length);
    // The common case: messages deleted and/or appended at the end.
    const simple = kept.every((id, i) => next[i] === id) && added.every((id) => !byId.has(id));
    if (!simple) {
      await readAll();
      emit();
      return;
    }
    for (const id of ids) {
      if (present.has(id)) continue;
      byId.delete(id);
      recent.delete(id);
    }
    if (added.length > 0) {
      const rows: unknown[] = await db.messages.bulkGet(added);
      const fresh = rows.flatMap((row) => soundMessage(row) ?? []);
      for (const m of fresh) byId.set(m.id, m);
      noteChanged(fresh);
    }
    ids = next.filter((id) => byId.has(id));
    emit();
  };

  const onChanged = (changed: Message[]) => {
    const replaced: Message[] = [];
    for (const m of changed) {
      const was = byId.get(m.id);
      // Unknown ids are new messages: the ids query adds them in their place.
      if (!was || was.updatedAt === m.updatedAt) continue;
      byId.set(m.id, m);
      replaced.push(m);
    }
    noteChanged(changed);
    if (replaced.length > 0) emitReplacing(replaced);
  };

  function watchChanges() {
    changes?.unsubscribe();
    const from = since;
    changes = liveQuery(async () => {
      const rows: unknown[] = await db.messages.where('[chatId+updatedAt]').between([chatId, from], [chatId, Infinity]).toArray();
      const fresh = rows.flatMap((row) => soundMessage(row) ?? []);
      // A message seen in the range that left it went back to an older version (undo): read it again.
      const seen = new Set(fresh.map((m) => m.id));
      const left = [...recent].filter((id) => !seen.has(id) && byId.has(id));
      if (left.length === 0) return fresh;
      const back: unknown[] = await db.messages.bulkGet(left);
      return [...fresh, ...back.flatMap((row) => soundMessage(row) ?? [])];
    }).subscribe({
      next: (changed) => enqueue(() => onChanged(changed)),
      error: (e: unknown) => enqueue(() => onError(e)),
    });
  }

  const inOrder = () => db.messages.where('[chatId+order]').between([chatId, -Infinity], [chatId, Infinity]);
  // Opening: the newest messages are asked for before anything else of the
  // chat (the count and the ids below scan all of it), and have the screen to
  // themselves for a moment before the rest arrives.
  const newestFirst = readNewestFirst();
  enqueue(async () => {
    if (await newestFirst) await new Promise((r) => setTimeout(r, FIRST_PAINT_PAUSE_MS));
  });
  let shape: string | null = null;
  /**
   * Shape changes in the order heard, and the last one a read has covered: a
   * read that starts after change k was heard sees the chat at least as it
   * was then, so the steps of changes up to k have nothing left to do. (A
   * send appends twice; the first append's step read both, and the second's
   * found nothing after the last message and read every id: bench:scale.)
   */
  let heard = 0;
  let covered = 0;
  const structure = liveQuery(async () => {
    const [count, last] = await Promise.all([inOrder().count(), inOrder().reverse().limit(1).primaryKeys()]);
    return `${count}:${last[0] ?? ''}`;
  }).subscribe({
    next: (next) => {
      // The query re-runs on other writes too (a count watches every delete): same shape, nothing to read.
      if (next === shape) return;
      const first = shape === null;
      shape = next;
      const change = ++heard;
      enqueue(async () => {
        if (change <= covered) return;
        const reading = heard;
        if (!first && (await appendedOnly())) {
          covered = reading;
          return;
        }
        // The first time there is nothing to compare the ids with: read the chat.
        if (first) {
          await readAll();
          emit();
        } else await onIds(await inOrder().primaryKeys());
        covered = reading;
      });
    },
    error: (e: unknown) => enqueue(() => onError(e)),
  });

  return () => {
    stopped = true;
    holders.delete(holder);
    if (holders.size === 0) chats.delete(chatId);
    structure.unsubscribe();
    changes?.unsubscribe();
  };
}
