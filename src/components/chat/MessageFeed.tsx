import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

/** px from the bottom within which the view counts as "at the latest message" and follows new text. */
const STICK_THRESHOLD_PX = 48;
/**
 * A first guess at a message's height before it is measured: a short reply.
 * Only the scrollbar's length depends on it; every message on screen is measured.
 */
const ESTIMATED_MESSAGE_PX = 120;
/** Messages rendered beyond each edge of the view, so a scroll by a screen or a Tab finds them ready. */
const OVERSCAN = 8;
/** Room above the first and below the last message (was the list's py-4). */
const EDGE_PADDING_PX = 16;
/** How long after a wheel, key, touch or pointer event scrolls count as the reader's. */
const USER_SCROLL_MS = 800;
/** Space between messages (was the list's gap-1); inside each measured row, so it is part of its height. */
const GAP_PX = 4;

/**
 * The chat's messages, virtualized (@tanstack/react-virtual): only those on
 * screen and a few either side are in the DOM, so opening, scrolling and a
 * streamed piece cost the same at 10 or 10,000 messages.
 *
 * Anchored at the end, as a chat reads: it opens at the latest message
 * without laying out the others; a reply that grows (streaming) or a new
 * message keeps the view at the bottom only when the reader was there; a
 * message above the view that changes height does not move what is read.
 *
 * Accessibility: an ARIA feed — each message carries its place
 * (aria-posinset / aria-setsize, set by `renderItem`), the DOM order is the
 * chat's order, so Tab walks the messages in order, and Page Down / Page Up
 * on a focused message move to the next / previous one, rendering it first.
 */
export function MessageFeed({
  count,
  getKey,
  renderItem,
  busy,
  before,
  after,
}: {
  count: number;
  getKey: (index: number) => string;
  /** One message; receives its index. Must render a focusable element with `data-feed-item`. */
  renderItem: (index: number) => ReactNode;
  /** A reply is being written (aria-busy on the feed). */
  busy: boolean;
  /** Shown above the messages (e.g. the empty state). */
  before?: ReactNode;
  /** Shown below the messages (e.g. the Reply button). */
  after?: ReactNode;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [atEnd, setAtEnd] = useState(true);
  // Whether the view follows the end. Rows measured after the open (their
  // real height differs from the estimate) and a streaming reply move the end;
  // only the reader scrolling away unpins it, not those moves.
  const stick = useRef(true);
  const userUntil = useRef(0);
  const follow = useRef(0);
  // eslint-disable-next-line react-hooks/incompatible-library -- no React Compiler in this build; the virtualizer re-renders this component itself
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_MESSAGE_PX,
    getItemKey: getKey,
    overscan: OVERSCAN,
    paddingStart: EDGE_PADDING_PX,
    paddingEnd: EDGE_PADDING_PX,
    // A streaming reply resizes its row on every piece: measure once a frame,
    // and re-render with React's batching rather than a flushSync per change.
    useAnimationFrameWithResizeObserver: true,
    useFlushSync: false,
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: STICK_THRESHOLD_PX,
    onChange: (instance) => {
      const end = instance.isAtEnd(STICK_THRESHOLD_PX);
      // A scroll the reader made (wheel, keys, touch, the scrollbar) decides whether the view follows the end.
      if (performance.now() < userUntil.current) stick.current = end;
      if (stick.current && !instance.isAtEnd(1) && !follow.current) {
        follow.current = requestAnimationFrame(() => {
          follow.current = 0;
          if (stick.current) instance.scrollToEnd();
        });
      }
      // Only the jump button depends on this: a state change when it flips, not per scroll frame.
      const shown = end || stick.current;
      setAtEnd((was) => (was === shown ? was : shown));
    },
  });

  // Open at the latest message. Only the messages near the end are rendered
  // and measured; the rest keep their estimate until scrolled to.
  useLayoutEffect(() => {
    virtualizer.scrollToEnd();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per mount: the feed is keyed by chat
  }, []);

  useEffect(() => () => cancelAnimationFrame(follow.current), []);

  const jump = useCallback(() => {
    stick.current = true;
    virtualizer.scrollToEnd();
  }, [virtualizer]);
  /** The reader is about to scroll: the next scroll events are theirs for a moment. */
  const userIntent = useCallback(() => {
    userUntil.current = performance.now() + USER_SCROLL_MS;
  }, []);

  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLDivElement>) => {
      if (e.key !== 'PageDown' && e.key !== 'PageUp') return;
      const item = (e.target as HTMLElement).closest<HTMLElement>('[data-feed-item]');
      // Only from a focused message itself: a text field inside one keeps its keys.
      if (!item || item !== e.target) return;
      const index = Number(item.closest<HTMLElement>('[data-index]')?.dataset.index);
      const next = index + (e.key === 'PageDown' ? 1 : -1);
      if (!Number.isInteger(index) || next < 0 || next >= count) return;
      e.preventDefault();
      virtualizer.scrollToIndex(next, { align: 'auto' });
      // Rendered on the next frame at the latest; focus it then.
      const focusNext = (tries: number) => {
        const el = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${next}"] [data-feed-item]`);
        if (el) el.focus();
        else if (tries > 0) requestAnimationFrame(() => focusNext(tries - 1));
      };
      requestAnimationFrame(() => focusNext(10));
    },
    [count, virtualizer],
  );

  const items = virtualizer.getVirtualItems();
  return (
    <div
      ref={scrollRef}
      className="scroll-thin relative min-h-0 flex-1 overflow-y-auto [overflow-anchor:none]"
      data-testid="message-list"
      onWheel={userIntent}
      onTouchMove={userIntent}
      onPointerDown={userIntent}
      onKeyDown={userIntent}
    >
      <div className="mx-auto max-w-3xl px-2 sm:px-4">
        {before}
        <div role="feed" aria-label="Messages" aria-busy={busy} className="relative w-full" style={{ height: virtualizer.getTotalSize() }} onKeyDown={onKeyDown}>
          <div className="absolute top-0 left-0 w-full" style={{ transform: `translateY(${items[0]?.start ?? 0}px)` }}>
            {items.map((item) => (
              <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} style={{ paddingBottom: item.index < count - 1 ? GAP_PX : 0 }}>
                {renderItem(item.index)}
              </div>
            ))}
          </div>
        </div>
        {after}
      </div>
      {!atEnd ? (
        <button type="button" onClick={jump} className="sticky bottom-3 left-full mr-3 block rounded-full bg-accent-600 px-3 py-1.5 text-xs font-medium text-white shadow-lg">
          ↓ Latest
        </button>
      ) : null}
    </div>
  );
}
