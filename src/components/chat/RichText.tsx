import { Fragment, memo, useDeferredValue, useId, useRef, useState, type ReactNode } from 'react';
import type { RoleFlagKind } from '../../domain/consistency/verdict';
import { displayCut, highlightsByLine, IncrementalMarkdown, splitByHighlights, type Highlight, type InlineNode, type LineRange, type Paragraph } from '../../domain/text/markdown';
import { Button } from '../ui/Button';

/** A role flag as a sentence shows it: its kind's label, and the evidence on hover or focus. */
export interface RoleMarkFlag {
  kind: RoleFlagKind;
  label: string;
  evidence: string;
}

export interface SentenceMark extends Highlight {
  /** Shown on hover and to screen readers. */
  label: string;
  /** False when the sentence has only role flags (no contradicted statement). Default true. */
  contradiction?: boolean;
  roleFlags?: readonly RoleMarkFlag[];
}

const ROLE_TONE: Record<RoleFlagKind, string> = {
  'assistant-voice': 'bg-violet-100 text-violet-900 ring-violet-400 dark:bg-violet-900/50 dark:text-violet-100',
  echo: 'bg-sky-100 text-sky-900 ring-sky-400 dark:bg-sky-900/50 dark:text-sky-100',
  'speaks-for-user': 'bg-orange-100 text-orange-900 ring-orange-400 dark:bg-orange-900/50 dark:text-orange-100',
};

/** Tailwind's max-w-xs, the widest a tooltip gets. */
const TOOLTIP_MAX_PX = 320;

/**
 * The kind label of a flagged sentence. Focusable, so the evidence (a
 * tooltip it is described by) shows on keyboard focus as on hover. Evidence
 * is model text: rendered as a text node only.
 */
function RoleFlagChip({ flag }: { flag: RoleMarkFlag }) {
  const id = useId();
  const ref = useRef<HTMLSpanElement>(null);
  // The chat column clips what overflows it: a chip near its right edge opens its tooltip leftwards.
  const [toLeft, setToLeft] = useState(false);
  const place = () => {
    const chip = ref.current;
    const column = chip?.closest('[data-testid="message-text"]') ?? chip?.parentElement;
    if (!chip || !column) return;
    setToLeft(chip.getBoundingClientRect().left + TOOLTIP_MAX_PX > column.getBoundingClientRect().right);
  };
  return (
    <span ref={ref} onMouseEnter={place} onFocus={place} className="group/flag relative mr-1 inline-block align-baseline not-italic">
      <span
        tabIndex={0}
        data-testid="role-flag"
        data-kind={flag.kind}
        aria-describedby={id}
        className={`cursor-help rounded-full px-1.5 py-px text-[0.7rem] font-medium whitespace-nowrap focus:outline-none focus-visible:ring-2 ${ROLE_TONE[flag.kind]}`}
      >
        {flag.label}
      </span>
      <span
        role="tooltip"
        id={id}
        data-testid="role-flag-evidence"
        className={`pointer-events-none invisible absolute bottom-full z-20 mb-1 w-max max-w-xs rounded-md bg-stone-900 px-2 py-1 text-xs font-normal whitespace-normal text-white shadow-lg group-focus-within/flag:visible group-hover/flag:visible dark:bg-stone-100 dark:text-stone-900 ${toLeft ? 'right-0' : 'left-0'}`}
      >
        {flag.evidence}
      </span>
    </span>
  );
}


/**
 * How much of a long text is laid out at first, and how much more each "Show
 * more" adds (characters). A chat reply is a few KB; a 64 K slice parses in
 * milliseconds and builds a DOM the browser lays out in one frame or two,
 * where a 10 MB card greeting built whole would freeze the tab.
 */
export const INITIAL_VISIBLE_CHARS = 64_000;
export const MORE_VISIBLE_CHARS = 64_000;
/**
 * A text longer than this mounts empty and is drawn by a deferred render
 * right after. The virtualized feed mounts a row inside its synchronous
 * measuring pass, where React cannot yield: a 64 K slice's elements built
 * there held the tab for seconds (render-perf's 10 MB greeting). A deferred
 * render is interruptible, so it is built in slices between frames. Short
 * texts (every ordinary reply) draw at once, so scrolling never flickers.
 */
const DEFER_MOUNT_CHARS = 16_000;

const NO_MARKS: readonly SentenceMark[] = [];
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/**
 * `chipped` holds the marks whose role chips were already drawn in this line:
 * a sentence split over several text nodes (an *action* then speech) shows
 * its labels once, before its first piece.
 */
function renderNodes(nodes: InlineNode[], marks: readonly SentenceMark[], key: string, chipped: Set<SentenceMark>): ReactNode[] {
  return nodes.map((n, i) => {
    const k = `${key}.${i}`;
    if (n.type === 'text') {
      if (marks.length === 0) return <Fragment key={k}>{n.text}</Fragment>;
      return (
        <Fragment key={k}>
          {splitByHighlights(n.text, n.start, marks).map((piece, j) => {
            if (!piece.highlight) return <Fragment key={j}>{piece.text}</Fragment>;
            const mark = piece.highlight as SentenceMark;
            const contradiction = mark.contradiction !== false;
            const chips = mark.roleFlags && !chipped.has(mark) ? mark.roleFlags : null;
            if (chips) chipped.add(mark);
            return (
              <Fragment key={j}>
                {chips?.map((f) => <RoleFlagChip key={f.kind} flag={f} />)}
                <mark
                  data-testid={contradiction ? 'flagged-sentence' : 'role-flagged-sentence'}
                  data-statement-ids={contradiction ? mark.id : undefined}
                  data-role-kinds={mark.roleFlags?.map((f) => f.kind).join(' ') || undefined}
                  title={mark.label}
                  className={
                    contradiction
                      ? 'rounded-sm bg-red-100 text-inherit underline decoration-red-500 decoration-wavy decoration-1 underline-offset-4 dark:bg-red-900/40'
                      : 'rounded-sm bg-violet-50 text-inherit underline decoration-violet-500 decoration-dotted decoration-1 underline-offset-4 dark:bg-violet-900/30'
                  }
                >
                  {piece.text}
                </mark>
              </Fragment>
            );
          })}
        </Fragment>
      );
    }
    const children = renderNodes(n.children, marks, k, chipped);
    switch (n.type) {
      case 'em':
        return (
          <em key={k} className="text-stone-600 dark:text-stone-400">
            {children}
          </em>
        );
      case 'strong':
        return <strong key={k}>{children}</strong>;
      case 'code':
        return (
          <code key={k} className="rounded bg-stone-200 px-1 font-mono text-[0.9em] dark:bg-stone-800">
            {children}
          </code>
        );
      case 'quote':
        return (
          <span key={k} className="text-amber-800 dark:text-amber-200">
            {children}
          </span>
        );
    }
    return null;
  });
}

function sameMarks(a: readonly SentenceMark[], b: readonly SentenceMark[]): boolean {
  return a.length === b.length && a.every((m, i) => m === b[i]);
}

/**
 * One line. A finished line's nodes keep their identity while a reply streams
 * (see IncrementalMarkdown), so only the open last line renders again.
 */
const Line = memo(
  function Line({ nodes, marks, id }: { nodes: InlineNode[]; marks: readonly SentenceMark[]; id: string }) {
    return <>{renderNodes(nodes, marks, id, new Set())}</>;
  },
  (a, b) => a.nodes === b.nodes && a.id === b.id && sameMarks(a.marks, b.marks),
);

/**
 * Paragraphs are rendered in blocks of this many: a block whose paragraphs
 * are all closed is skipped by React, so a streamed piece costs one block's
 * elements, not one element per paragraph of the whole reply (in React's
 * development build that per-paragraph cost alone held a 200 KB stream to a
 * crawl).
 */
const PARAGRAPHS_PER_BLOCK = 32;

function sameParagraphs(a: readonly Paragraph[], b: readonly Paragraph[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

const Block = memo(
  function Block({ paragraphs, first, marks }: { paragraphs: Paragraph[]; first: number; marks: readonly SentenceMark[] }) {
    const ranges: LineRange[] = [];
    if (marks.length) for (const p of paragraphs) for (const r of p.lineRanges) ranges.push(r);
    const buckets = marks.length ? highlightsByLine(ranges, marks) : null;
    let lineIndex = 0;
    return (
      <>
        {paragraphs.map((p, i) => (
          <p key={first + i} className="mb-2 last:mb-0">
            {p.lines.map((nodes, j) => {
              const marksHere = buckets ? buckets[lineIndex]! : NO_MARKS;
              lineIndex++;
              return (
                <Fragment key={j}>
                  {j > 0 ? <br /> : null}
                  <Line nodes={nodes} marks={marksHere} id={`${first + i}.${j}`} />
                </Fragment>
              );
            })}
          </p>
        ))}
      </>
    );
  },
  (a, b) => a.first === b.first && a.marks === b.marks && sameParagraphs(a.paragraphs, b.paragraphs),
);

/**
 * Renders message text with role-play Markdown. Only React text nodes and a
 * fixed set of elements are produced, so card or model text can never become
 * live HTML.
 *
 * Cost: parsing is linear and incremental (finished lines are parsed once
 * while `streaming`, closed paragraphs keep their identity and their blocks
 * are skipped), renders of a changing text are deferred so a fast stream is
 * drawn as often as the machine keeps up rather than once per piece, and a
 * text longer than {@link INITIAL_VISIBLE_CHARS} shows its start with "Show
 * more" instead of one giant DOM. A streamed reply is never cut while it
 * grows, nor when it ends.
 */
export const RichText = memo(function RichText({
  text,
  marks = NO_MARKS,
  streaming = false,
  deferLong = true,
}: {
  text: string;
  marks?: readonly SentenceMark[];
  streaming?: boolean;
  /** A text over {@link DEFER_MOUNT_CHARS} mounts empty and draws right after (false: at once, for a render that cannot wait). */
  deferLong?: boolean;
}) {
  const [parser] = useState(() => new IncrementalMarkdown());
  const [limit, setLimit] = useState(INITIAL_VISIBLE_CHARS);
  // A reply that streamed here is never cut: what was on screen while it
  // grew stays (its stored text may land a moment after the stream ends).
  // The caller keys RichText by swipe, so another swipe starts capped again.
  const [streamed, setStreamed] = useState(streaming);
  if (streaming && !streamed) setStreamed(true);
  const shown = useDeferredValue(text, deferLong && text.length > DEFER_MOUNT_CHARS ? '' : undefined);
  const cut = streamed ? shown.length : displayCut(shown, limit);
  const paragraphs = parser.update(cut === shown.length ? shown : shown.slice(0, cut));

  const blocks: ReactNode[] = [];
  for (let b = 0; b < paragraphs.length; b += PARAGRAPHS_PER_BLOCK) {
    blocks.push(<Block key={b} first={b} paragraphs={paragraphs.slice(b, b + PARAGRAPHS_PER_BLOCK)} marks={marks} />);
  }
  return (
    <>
      {blocks}
      {cut < shown.length ? (
        <div data-testid="text-truncated" className="mt-2 flex flex-wrap items-center gap-2 text-xs text-stone-500 dark:text-stone-400">
          <span>
            Showing the first {compact.format(cut)} of {compact.format(shown.length)} characters.
          </span>
          <Button size="sm" onClick={() => setLimit(cut + MORE_VISIBLE_CHARS)}>
            Show more
          </Button>
        </div>
      ) : null}
    </>
  );
});
