/**
 * Marks the messages that have a swipe still streaming, so start-up finds
 * the replies a closed page cut off through an index instead of reading every
 * message of every chat (10,000 of them in one long story). A Dexie DBCore
 * middleware: every message written gets field `streaming` = 1 while one of
 * its swipes streams and loses it otherwise. IndexedDB leaves rows without
 * the field out of the index, so the index holds the live replies alone.
 */
import type { DBCore, Middleware } from 'dexie';
import { isRecord } from '../domain/cards/coerce';

export const MESSAGES = 'messages';
export const STREAMING = 'streaming';

/** The row as it is stored: with `streaming: 1` exactly when a swipe streams (the same object when already so). */
export function withStreamingMark(row: unknown): unknown {
  if (!isRecord(row)) return row;
  const streaming = Array.isArray(row.swipes) && row.swipes.some((s: unknown) => isRecord(s) && s.state === 'streaming');
  if (streaming) return row[STREAMING] === 1 ? row : { ...row, [STREAMING]: 1 };
  if (!(STREAMING in row)) return row;
  const { [STREAMING]: _mark, ...rest } = row;
  return rest;
}

export const streamingMessagesMiddleware: Middleware<DBCore> = {
  stack: 'dbcore',
  name: 'StreamingMessages',
  create(core) {
    return {
      ...core,
      table(name) {
        const table = core.table(name);
        if (name !== MESSAGES) return table;
        return {
          ...table,
          mutate(req) {
            if (req.type !== 'add' && req.type !== 'put') return table.mutate(req);
            return table.mutate({ ...req, values: req.values.map(withStreamingMark) });
          },
        };
      },
    };
  },
};
