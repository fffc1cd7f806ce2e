import type { Message } from '../chat';

/**
 * The ids of `messages` in order, as the same array as `prev` when they are
 * the same ids (a streamed save replaces a message object, not its id). The
 * message list's virtualizer re-measures the whole chat when its keys change,
 * so it is handed this, not a new key function per save.
 */
export function followIds(prev: readonly string[] | null, messages: readonly Message[]): readonly string[] {
  if (prev && prev.length === messages.length) {
    let i = 0;
    while (i < messages.length && prev[i] === messages[i]!.id) i++;
    if (i === messages.length) return prev;
  }
  return messages.map((m) => m.id);
}

/** A follower of one list's ids (see `followIds`). */
export function createIdsFollower() {
  let ids: readonly string[] | null = null;
  return (messages: readonly Message[]): readonly string[] => (ids = followIds(ids, messages));
}
