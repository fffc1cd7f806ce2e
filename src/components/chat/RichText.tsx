import { Fragment, memo, type ReactNode } from 'react';
import { parseMessage, splitByHighlights, type Highlight, type InlineNode } from '../../domain/text/markdown';

export interface SentenceMark extends Highlight {
  /** Shown on hover and to screen readers. */
  label: string;
}

function renderNodes(nodes: InlineNode[], marks: readonly SentenceMark[], key: string): ReactNode[] {
  return nodes.map((n, i) => {
    const k = `${key}.${i}`;
    if (n.type === 'text') {
      if (marks.length === 0) return <Fragment key={k}>{n.text}</Fragment>;
      return (
        <Fragment key={k}>
          {splitByHighlights(n.text, n.start, marks).map((piece, j) =>
            piece.highlight ? (
              <mark
                key={j}
                data-testid="flagged-sentence"
                data-statement-ids={piece.highlight.id}
                title={(piece.highlight as SentenceMark).label}
                className="rounded-sm bg-red-100 text-inherit underline decoration-red-500 decoration-wavy decoration-1 underline-offset-4 dark:bg-red-900/40"
              >
                {piece.text}
              </mark>
            ) : (
              <Fragment key={j}>{piece.text}</Fragment>
            ),
          )}
        </Fragment>
      );
    }
    const children = renderNodes(n.children, marks, k);
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

/**
 * Renders message text with role-play Markdown. Only React text nodes and a
 * fixed set of elements are produced, so card or model text can never become
 * live HTML.
 */
export const RichText = memo(function RichText({ text, marks = [] }: { text: string; marks?: readonly SentenceMark[] }) {
  const paragraphs = parseMessage(text);
  return (
    <>
      {paragraphs.map((p, i) => (
        <p key={i} className="mb-2 last:mb-0">
          {p.lines.map((line, j) => (
            <Fragment key={j}>
              {j > 0 ? <br /> : null}
              {renderNodes(line, marks, `${i}.${j}`)}
            </Fragment>
          ))}
        </p>
      ))}
    </>
  );
});
