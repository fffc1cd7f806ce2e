import { useState, useSyncExternalStore } from 'react';

/** What a feed holds: null until the first value arrives. */
export interface FeedState<T> {
  value: T | null;
  error: unknown;
}

/**
 * One live query shared by every screen that shows it (the library is shown
 * by the sidebar, the home page and two dialogs at once), started before
 * React's first render by {@link SharedFeed.start} so the read overlaps
 * the render instead of following it.
 */
export interface SharedFeed<T> {
  /** Starts following now (again, after an error). Idempotent. */
  start(): void;
  /** For useSyncExternalStore: follows the feed; never stops the query (the studio shows it all the time). */
  subscribe(listener: () => void): () => void;
  /** The same object until a value or an error arrives. */
  get(): FeedState<T>;
}

/** `watch` is a repository's follow method: it calls `next` now and after each change, `error` once and stops. */
export type Watch<T> = (next: (value: T) => void, error: (e: unknown) => void) => () => void;

/** `initial`, read when the feed starts, is what it holds until the first value (e.g. a snapshot of the last one). */
export function sharedFeed<T>(watch: Watch<T>, initial: () => T | null = () => null): SharedFeed<T> {
  let state: FeedState<T> = { value: null, error: undefined };
  let seeded = false;
  let stop: (() => void) | null = null;
  const listeners = new Set<() => void>();
  const emit = (next: FeedState<T>) => {
    state = next;
    for (const l of [...listeners]) l();
  };
  const start = () => {
    if (stop) return;
    if (!seeded) {
      seeded = true;
      if (state.value === null) state = { value: initial(), error: undefined };
    }
    // Back from an error: wait for a fresh value (keep the last good one shown).
    if (state.error !== undefined) state = { value: state.value, error: undefined };
    let failed = false;
    const unsubscribe = watch(
      (value) => emit({ value, error: undefined }),
      (error) => {
        failed = true;
        stop = null;
        emit({ value: state.value, error });
      },
    );
    // An error reported synchronously has already cleared `stop`.
    if (!failed) stop = unsubscribe;
  };
  return {
    start,
    subscribe(listener) {
      listeners.add(listener);
      start();
      return () => listeners.delete(listener);
    },
    get: () => state,
  };
}

/**
 * The feed's value (null while loading).
 * @throws the feed's error, for the screen's error boundary. Its retry mounts
 * the screen again, and a mount restarts a failed feed (an update never
 * does, so a feed that keeps failing shows the error instead of looping).
 */
export function useFeed<T>(feed: SharedFeed<T>): T | null {
  useState(() => feed.get().error !== undefined && feed.start());
  const state = useSyncExternalStore(feed.subscribe, feed.get);
  if (state.error !== undefined) throw state.error;
  return state.value;
}
