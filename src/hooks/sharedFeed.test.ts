import { describe, expect, it } from 'vitest';
import { sharedFeed, type Watch } from './sharedFeed';

/** A test double of a repository's follow method: records each start and lets the test push values and errors. */
function scriptedWatch<T>() {
  const runs: { next: (v: T) => void; error: (e: unknown) => void; stopped: boolean }[] = [];
  const watch: Watch<T> = (next, error) => {
    const run = { next, error, stopped: false };
    runs.push(run);
    return () => {
      run.stopped = true;
    };
  };
  return { watch, runs };
}

describe('sharedFeed', () => {
  it('starts one watch however many screens subscribe, and starting early does not start a second', () => {
    const { watch, runs } = scriptedWatch<number[]>();
    const feed = sharedFeed(watch);
    feed.start();
    const seen: number[] = [];
    feed.subscribe(() => seen.push(1));
    feed.subscribe(() => seen.push(2));
    feed.start();
    expect(runs).toHaveLength(1);
    expect(feed.get()).toEqual({ value: null, error: undefined });
    runs[0]!.next([1, 2, 3]);
    expect(feed.get().value).toEqual([1, 2, 3]);
    expect(seen).toEqual([1, 2]);
  });

  it('keeps the same state object until something arrives (useSyncExternalStore needs it)', () => {
    const { watch, runs } = scriptedWatch<string>();
    const feed = sharedFeed(watch);
    feed.start();
    runs[0]!.next('a');
    const first = feed.get();
    expect(feed.get()).toBe(first);
    runs[0]!.next('b');
    expect(feed.get()).not.toBe(first);
    expect(feed.get().value).toBe('b');
  });

  it('a listener that unsubscribes hears nothing more, and the watch keeps running for the others', () => {
    const { watch, runs } = scriptedWatch<number>();
    const feed = sharedFeed(watch);
    let heard = 0;
    const stop = feed.subscribe(() => heard++);
    runs[0]!.next(1);
    stop();
    runs[0]!.next(2);
    expect(heard).toBe(1);
    expect(runs[0]!.stopped).toBe(false);
    expect(feed.get().value).toBe(2);
  });

  it('after an error, keeps the last good value with the error, and a restart clears the error and watches again', () => {
    const { watch, runs } = scriptedWatch<string>();
    const feed = sharedFeed(watch);
    feed.start();
    runs[0]!.next('library');
    const boom = new Error('IndexedDB went away');
    runs[0]!.error(boom);
    expect(feed.get()).toEqual({ value: 'library', error: boom });
    feed.start();
    expect(runs).toHaveLength(2);
    expect(feed.get()).toEqual({ value: 'library', error: undefined });
    runs[1]!.next('library, read again');
    expect(feed.get().value).toBe('library, read again');
  });

  it('an error reported at once (while starting) leaves the feed restartable', () => {
    let calls = 0;
    const feed = sharedFeed<number>((next, error) => {
      calls++;
      if (calls === 1) error(new Error('closed'));
      else next(7);
      return () => undefined;
    });
    feed.start();
    expect(feed.get().error).toBeInstanceOf(Error);
    feed.start();
    expect(calls).toBe(2);
    expect(feed.get()).toEqual({ value: 7, error: undefined });
  });

  it('holds its initial value (a snapshot) until the first value replaces it; the initial is read once, at start', () => {
    const { watch, runs } = scriptedWatch<string[]>();
    let reads = 0;
    const feed = sharedFeed(watch, () => {
      reads++;
      return ['from the snapshot'];
    });
    expect(feed.get().value).toBeNull();
    feed.start();
    expect(feed.get().value).toEqual(['from the snapshot']);
    runs[0]!.next(['from IndexedDB']);
    expect(feed.get().value).toEqual(['from IndexedDB']);
    runs[0]!.error(new Error('closed'));
    feed.start();
    expect(reads).toBe(1);
    expect(feed.get().value).toEqual(['from IndexedDB']);
  });
});
