import { useState, type ReactNode } from 'react';
import type { Message, Swipe } from '../../domain/chat';
import { Avatar } from '../ui/Avatar';
import { Button, IconButton } from '../ui/Button';
import { Icon } from '../ui/Icon';
import { RichText, type SentenceMark } from './RichText';

export interface MessageItemProps {
  message: Message;
  /** Live text while this message streams (overrides the stored swipe). */
  streamingText: string | null;
  avatar: Blob | null;
  /** Name the avatar is drawn from (the character's full name). */
  avatarName: string;
  isLast: boolean;
  busy: boolean;
  marks?: readonly SentenceMark[];
  footer?: ReactNode;
  /**
   * The reply could not be written: `text` is the reply (newer than what is
   * stored), `problem` says why, `onRetry` writes it again (absent while it streams).
   */
  unsaved?: { text: string | null; state?: Swipe['state']; problem: { summary: string; detail: string }; retrying: boolean; onRetry?: () => void } | null;
  onEdit: (text: string) => Promise<boolean>;
  onDelete: () => void;
  /** Deletes the swipe on show; offered when the message has several. */
  onDeleteSwipe: () => void;
  onSwipe: (index: number) => void;
  onRegenerate: () => void;
  onContinue: () => void;
  /** A new chat with the history up to this message (issue 13 §2); absent: not offered. */
  onBranch?: () => void;
  /** Each swipe's APC percent (null: unchecked), for a reply with several takes. */
  swipeScores?: readonly (number | null)[] | null;
  /** "Take 2 of 3…" while further takes of this reply are written in the background. */
  takesProgress?: string | null;
  /** What the guard did for this reply. */
  guardNote?: { text: string; outcome: 'clean' | 'failing' | 'stopped' } | null;
  /** Its place in the chat (0-based), for a feed that renders only some messages: aria-posinset/-setsize. */
  position?: { index: number; of: number };
  /** Pins or unpins the message (a pinned one always stays in the prompt). */
  onTogglePin?: () => void;
  /** Opens the prompt inspector on the shown swipe; absent when it has no stored prompt. */
  onInspect?: (() => void) | null;
}

const STATE_LABEL: Record<string, string> = {
  interrupted: 'Interrupted — the page closed while this streamed',
  error: 'Stopped by an error',
};

export function MessageItem({
  message,
  streamingText,
  avatar,
  avatarName,
  isLast,
  busy,
  marks,
  footer,
  unsaved,
  onEdit,
  onDelete,
  onDeleteSwipe,
  onSwipe,
  onRegenerate,
  onContinue,
  onBranch,
  swipeScores,
  takesProgress,
  guardNote,
  position,
  onTogglePin,
  onInspect,
}: MessageItemProps) {
  const [editing, setEditing] = useState<string | null>(null);
  const swipe = message.swipes[message.swipeIndex];
  // Never older stored text over a newer reply that could not be written.
  const text = streamingText ?? unsaved?.text ?? swipe?.text ?? '';
  const isUser = message.role === 'user';
  const streaming = streamingText !== null;
  const total = message.swipes.length;

  return (
    <article
      data-testid="message"
      data-role={message.role}
      data-state={streaming ? 'streaming' : (unsaved?.state ?? swipe?.state ?? 'done')}
      data-saved={unsaved ? 'no' : 'yes'}
      aria-label={`${message.name}${streaming ? ' (writing…)' : ''}`}
      {...(position ? { 'aria-posinset': position.index + 1, 'aria-setsize': position.of, tabIndex: 0, 'data-feed-item': '' } : {})}
      className={`group flex outline-none focus-visible:ring-2 focus-visible:ring-accent-500/60 gap-3 px-3 py-3 sm:px-4 ${isUser ? '' : 'bg-white/60 dark:bg-stone-900/40'} rounded-2xl`}
    >
      {isUser ? (
        <span className="inline-flex h-8 w-8 shrink-0 items-center justify-center rounded-full bg-stone-300 text-xs font-semibold text-stone-700 dark:bg-stone-700 dark:text-stone-200">
          {message.name.slice(0, 1).toUpperCase() || 'Y'}
        </span>
      ) : (
        <Avatar blob={avatar} name={avatarName} size="sm" />
      )}
      <div className="min-w-0 flex-1">
        <div className="mb-1 flex flex-wrap items-center gap-2">
          <span className="text-sm font-semibold text-stone-900 dark:text-stone-100">{message.name}</span>
          {unsaved ? (
            <span data-testid="message-unsaved" className="rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800 dark:bg-red-900/40 dark:text-red-200">
              Not saved · {unsaved.problem.summary}
            </span>
          ) : null}
          {!unsaved && !streaming && (swipe?.state === 'interrupted' || swipe?.state === 'error') ? (
            <span data-testid="message-state" className="rounded-full bg-amber-100 px-2 py-0.5 text-xs text-amber-800 dark:bg-amber-900/40 dark:text-amber-200">
              {STATE_LABEL[swipe.state]}
            </span>
          ) : null}
          {message.pinned ? (
            <span data-testid="message-pinned" className="inline-flex items-center gap-1 rounded-full bg-accent-100 px-2 py-0.5 text-xs text-accent-800 dark:bg-accent-900/40 dark:text-accent-200">
              <Icon name="pin" className="h-3 w-3" />
              pinned
            </span>
          ) : null}
          {swipe?.inCharacterOf?.length ? (
            <span className="rounded-full bg-accent-100 px-2 py-0.5 text-xs text-accent-800 dark:bg-accent-900/40 dark:text-accent-200" title={swipe.inCharacterOf.join('\n')}>
              in character
            </span>
          ) : null}
          <div className="flex-1" />
          {!editing && !streaming && !unsaved ? (
            <div className="flex items-center gap-0.5 opacity-100 transition-opacity sm:opacity-0 sm:group-focus-within:opacity-100 sm:group-hover:opacity-100">
              <IconButton label="Edit message" onClick={() => setEditing(text)} disabled={busy}>
                <Icon name="edit" />
              </IconButton>
              {onInspect ? (
                <IconButton label="Inspect prompt" onClick={onInspect}>
                  <Icon name="search" />
                </IconButton>
              ) : null}
              {onTogglePin ? (
                <IconButton label={message.pinned ? 'Unpin message' : 'Pin message'} aria-pressed={message.pinned === true} onClick={onTogglePin}>
                  <Icon name="pin" />
                </IconButton>
              ) : null}
              {!isUser && isLast ? (
                <>
                  <IconButton label="Continue this reply" onClick={onContinue} disabled={busy}>
                    <Icon name="chevronRight" />
                  </IconButton>
                  <IconButton label="Regenerate" onClick={onRegenerate} disabled={busy}>
                    <Icon name="refresh" />
                  </IconButton>
                </>
              ) : null}
              {onBranch ? (
                <IconButton label="Branch here" title="Branch here: a new chat with the story up to this message" onClick={onBranch} disabled={busy}>
                  <Icon name="branch" />
                </IconButton>
              ) : null}
              <IconButton label="Delete message" onClick={onDelete} disabled={busy}>
                <Icon name="trash" />
              </IconButton>
            </div>
          ) : null}
        </div>
        {editing !== null ? (
          <form
            className="flex flex-col gap-2"
            onSubmit={async (e) => {
              e.preventDefault();
              if (await onEdit(editing)) setEditing(null);
            }}
          >
            <textarea
              aria-label="Edit message text"
              autoFocus
              value={editing}
              rows={Math.min(12, Math.max(3, editing.split('\n').length + 1))}
              onChange={(e) => setEditing(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  e.preventDefault();
                  e.stopPropagation();
                  setEditing(null);
                }
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  void onEdit(editing).then((ok) => ok && setEditing(null));
                }
              }}
              className="w-full rounded-xl border border-stone-300 bg-white px-3 py-2 text-sm leading-relaxed dark:border-stone-700 dark:bg-stone-950"
            />
            <div className="flex gap-2">
              <Button type="submit" size="sm" variant="primary">
                Save
              </Button>
              <Button size="sm" onClick={() => setEditing(null)}>
                Cancel
              </Button>
            </div>
          </form>
        ) : (
          <div data-testid="message-text" className="text-[0.95rem] leading-relaxed break-words text-stone-800 dark:text-stone-200">
            {text ? (
              <RichText key={message.swipeIndex} text={text} marks={marks} streaming={streaming} />
            ) : streaming ? null : (
              <span className="text-stone-400 italic">{swipe?.finishReason === 'abort' ? 'Stopped before the first word.' : '(empty)'}</span>
            )}
            {streaming ? <span aria-hidden="true" className="ml-0.5 inline-block h-4 w-1.5 rounded-sm bg-accent-500 align-middle" /> : null}
          </div>
        )}
        {unsaved ? (
          <div role="alert" className="mt-2 flex flex-wrap items-start gap-2 rounded-xl border border-red-200 bg-red-50 px-3 py-2 text-xs text-red-900 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-100">
            <p className="min-w-0 flex-1">{unsaved.problem.detail}</p>
            {unsaved.onRetry ? (
              <Button size="sm" onClick={unsaved.onRetry} disabled={unsaved.retrying}>
                {unsaved.retrying ? 'Saving…' : 'Retry'}
              </Button>
            ) : null}
          </div>
        ) : null}
        {total > 1 && editing === null ? (
          <div className="mt-2 flex items-center gap-1 text-xs text-stone-500 dark:text-stone-400">
            <IconButton label="Previous swipe" className="h-6 w-6" disabled={busy || !!unsaved || message.swipeIndex === 0} onClick={() => onSwipe(message.swipeIndex - 1)}>
              <Icon name="chevronLeft" className="h-3.5 w-3.5" />
            </IconButton>
            <span data-testid="swipe-counter" aria-live="polite">
              {message.swipeIndex + 1} / {total}
            </span>
            <IconButton label="Next swipe" className="h-6 w-6" disabled={busy || !!unsaved || message.swipeIndex === total - 1} onClick={() => onSwipe(message.swipeIndex + 1)}>
              <Icon name="chevronRight" className="h-3.5 w-3.5" />
            </IconButton>
            {swipeScores && swipeScores.length === total && swipeScores.some((x) => x !== null) ? (
              <span className="ml-1 flex flex-wrap items-center gap-1" aria-label="APC of each swipe">
                {swipeScores.map((score, i) => (
                  <button
                    key={i}
                    type="button"
                    data-testid="swipe-score"
                    data-score={score === null ? '' : score.toFixed(1)}
                    aria-current={i === message.swipeIndex ? 'true' : undefined}
                    aria-label={`Swipe ${i + 1}: ${score === null ? 'not checked' : `APC ${score.toFixed(0)}%`}`}
                    disabled={busy || !!unsaved}
                    onClick={() => onSwipe(i)}
                    className={`rounded-full px-1.5 py-0.5 tabular-nums transition-colors disabled:cursor-default ${
                      i === message.swipeIndex
                        ? 'bg-accent-100 font-semibold text-accent-900 dark:bg-accent-900/50 dark:text-accent-100'
                        : 'bg-stone-100 text-stone-600 hover:bg-stone-200 dark:bg-stone-800 dark:text-stone-300 dark:hover:bg-stone-700'
                    }`}
                  >
                    {score === null ? '–' : `${score.toFixed(0)}%`}
                  </button>
                ))}
              </span>
            ) : null}
            {/* An unsaved reply stays in view until Retry stores it: no leaving or deleting it. */}
            {!streaming && !unsaved ? (
              <IconButton label={`Delete swipe ${message.swipeIndex + 1}`} className="ml-1 h-6 w-6" disabled={busy} onClick={onDeleteSwipe}>
                <Icon name="trash" className="h-3.5 w-3.5" />
              </IconButton>
            ) : null}
          </div>
        ) : null}
        {takesProgress ? (
          <p data-testid="takes-progress" role="status" className="mt-2 flex items-center gap-2 text-xs text-stone-500 dark:text-stone-400">
            <span aria-hidden="true" className="inline-block h-3 w-3 animate-spin rounded-full border-2 border-accent-500 border-t-transparent" />
            {takesProgress}
          </p>
        ) : null}
        {guardNote && !takesProgress ? (
          <p
            data-testid="guard-note"
            data-outcome={guardNote.outcome}
            className={`mt-2 inline-flex items-start gap-1.5 rounded-lg px-2 py-1 text-xs ${
              guardNote.outcome === 'clean'
                ? 'bg-sky-50 text-sky-900 dark:bg-sky-950/50 dark:text-sky-100'
                : 'bg-amber-50 text-amber-900 dark:bg-amber-950/40 dark:text-amber-100'
            }`}
          >
            <Icon name={guardNote.outcome === 'clean' ? 'check' : 'warning'} className="mt-px h-3.5 w-3.5 shrink-0" />
            <span>{guardNote.text}</span>
          </p>
        ) : null}
        {footer}
      </div>
    </article>
  );
}
