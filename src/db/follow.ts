import { liveQuery } from 'dexie';

/**
 * Runs `query` now and after every change to what it read (a Dexie live
 * query): `listener` gets each result, `onError` the first failure, after
 * which nothing more comes.
 * @returns stop following.
 */
export function follow<T>(query: () => Promise<T>, listener: (value: T) => void, onError: (e: unknown) => void): () => void {
  const subscription = liveQuery(query).subscribe({ next: listener, error: onError });
  return () => subscription.unsubscribe();
}
