/**
 * Replies whose final write IndexedDB refused (a full disk, a closed
 * database) are also kept in localStorage, which browsers budget apart from
 * IndexedDB's quota (about 5 MB per site in Chromium), so a reload does not
 * lose them: start-up writes them where they belong, or shows them again as
 * not saved, with Retry. Best effort — when localStorage is full or blocked
 * too, the reply lives only in the open tab (the page asks before closing).
 */
import type { Verdict } from '../domain/consistency';
import { migrateVerdict } from '../domain/consistency';
import type { SwipePatch, TurnTarget } from './chatTurn';
import { dropLibrarySnapshot } from './librarySnapshot';

export interface StashedReply {
  target: TurnTarget;
  patch: SwipePatch;
  verdict: Verdict | null;
}

const PREFIX = 'in-character.unsaved:';

const keyOf = (t: TurnTarget) => `${PREFIX}${t.messageId}:${t.swipeIndex}`;

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** @returns whether the reply is now kept across a reload. */
export function stashUnsaved(reply: StashedReply): boolean {
  const text = JSON.stringify(reply);
  try {
    storage()?.setItem(keyOf(reply.target), text);
    return storage() !== null;
  } catch {
    // The library's snapshot is only a cache: its room goes to the reply.
    dropLibrarySnapshot();
    try {
      storage()?.setItem(keyOf(reply.target), text);
      return storage() !== null;
    } catch {
      return false;
    }
  }
}

export function dropStashed(target: TurnTarget): void {
  try {
    storage()?.removeItem(keyOf(target));
  } catch {
    /* blocked: nothing was stashed either */
  }
}

const isStr = (x: unknown): x is string => typeof x === 'string';

/** Every stashed reply that still reads as one (anything else is removed). */
export function readStashed(): StashedReply[] {
  const store = storage();
  if (!store) return [];
  const out: StashedReply[] = [];
  for (let i = store.length - 1; i >= 0; i--) {
    const key = store.key(i);
    if (!key?.startsWith(PREFIX)) continue;
    try {
      const value = JSON.parse(store.getItem(key) ?? 'null') as Partial<StashedReply> | null;
      const t = value?.target;
      const p = value?.patch;
      if (!t || !isStr(t.chatId) || !isStr(t.messageId) || typeof t.swipeIndex !== 'number' || !isStr(t.prefix) || !p || !isStr(p.text)) throw new Error('not a reply');
      const patch: SwipePatch = { text: p.text, state: p.state === 'error' ? 'error' : 'done', finishReason: p.finishReason ?? null, ...(p.usage ? { usage: p.usage } : {}) };
      out.push({ target: { chatId: t.chatId, messageId: t.messageId, swipeIndex: t.swipeIndex, prefix: t.prefix }, patch, verdict: migrateVerdict(value?.verdict) });
    } catch {
      store.removeItem(key);
    }
  }
  return out;
}

/**
 * Writes every stashed reply to IndexedDB (start-up).
 * @returns the ones that still could not be written.
 */
export async function recoverStashed(write: (reply: StashedReply) => Promise<void>): Promise<{ recovered: number; pending: StashedReply[]; error: unknown }> {
  const pending: StashedReply[] = [];
  let recovered = 0;
  let error: unknown = null;
  for (const reply of readStashed()) {
    try {
      await write(reply);
      dropStashed(reply.target);
      recovered++;
    } catch (e) {
      pending.push(reply);
      error = e;
    }
  }
  return { recovered, pending, error };
}
