import { useEffect, useRef, useState } from 'react';
import { useSession } from '../../stores/session';
import { Button } from '../ui/Button';
import { Icon } from '../ui/Icon';

/** Why the message box is closed for the engine's state, or null when it is open (`what`: "chat", "scene"). */
export function composerBlockedReason(state: string, what: string): string | null {
  if (state === 'ready' || state === 'busy') return null;
  if (state === 'error') return `The model stopped working. Reload it under Models — this ${what} is safe.`;
  if (state === 'absent') return 'No model is loaded: open Models to download or load one.';
  return 'The model is loading…';
}

const FIELD_SIZING = typeof CSS !== 'undefined' && CSS.supports('field-sizing', 'content');

/**
 * Enter sends, Shift+Enter is a new line, Esc stops a streaming reply (or a
 * draft). Impersonate streams the model's draft of the user's next line into
 * the box (read-only while it streams, editable after); it is never sent by itself.
 */
export function Composer({
  chatId,
  streaming,
  disabledReason,
  onSend,
  onStop,
  onImpersonate,
  personaName,
  placeholder,
}: {
  /** Whose drafts (Impersonate) this box shows. */
  chatId: string;
  streaming: boolean;
  disabledReason: string | null;
  onSend: (text: string) => Promise<boolean>;
  onStop: () => void;
  /** Drafts the user's next line; resolves with the draft (null: none). */
  onImpersonate?: () => Promise<string | null>;
  /** Who the draft is written as (the chat's persona), for the button's title. */
  personaName?: string;
  placeholder: string;
}) {
  const [text, setText] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);
  // The box grows with its text through CSS (field-sizing: content) where the
  // browser has it: no measuring per key. Measuring (height auto, then read
  // scrollHeight) forced a layout of the whole screen on every key, the
  // message list included (issue 13). Browsers without it measure.
  // Only this box re-renders per drafted piece, not the chat.
  const draft = useSession((s) => (s.drafting?.chatId === chatId ? s.drafting.text : null));
  const drafting = draft !== null;
  // What was in the box stays until the draft's first words arrive (and comes back if none do).
  const shown = draft ? draft : text;
  // The box grows with its text through CSS (field-sizing: content) where the
  // browser has it: no measuring per key. Measuring (height auto, then read
  // scrollHeight) forced a layout of the whole screen on every key, the
  // message list included (issue 13). Browsers without it measure.
  useEffect(() => {
    const el = ref.current;
    if (!el || FIELD_SIZING) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  }, [shown]);
  const busy = streaming || drafting;
  useEffect(() => {
    if (!busy) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) onStop();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [busy, onStop]);

  const submit = async () => {
    if (busy || !text.trim()) return;
    const sent = await onSend(text);
    // Only a message that was saved leaves the box.
    if (sent) setText('');
  };

  return (
    <div className="@container border-t border-stone-200 bg-white/90 px-3 py-3 [contain:layout_paint] backdrop-blur dark:border-stone-800 dark:bg-stone-900/90">
      {disabledReason ? <p className="mb-2 text-xs text-amber-700 dark:text-amber-300">{disabledReason}</p> : null}
      <form
        className="mx-auto flex max-w-3xl items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <textarea
          ref={ref}
          aria-label="Message"
          rows={1}
          value={shown}
          readOnly={drafting}
          aria-busy={drafting}
          data-drafting={drafting ? 'yes' : 'no'}
          placeholder={drafting ? 'Drafting your line…' : placeholder}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              void submit();
            }
          }}
          className="max-h-60 min-h-10 flex-1 resize-none [field-sizing:content] rounded-xl border border-stone-300 bg-white px-3 py-2 text-sm leading-relaxed focus:border-accent-500 focus:outline-none focus:ring-2 focus:ring-accent-500/30 dark:border-stone-700 dark:bg-stone-950"
        />
        {onImpersonate && !busy ? (
          <Button
            icon={<Icon name="user" />}
            aria-label="Impersonate"
            disabled={disabledReason !== null}
            title={`Impersonate: the model drafts ${personaName ? `${personaName}’s` : 'your'} next line here, for you to edit and send (replaces what is in the box)`}
            onClick={() => {
              const before = text;
              void onImpersonate().then((final) => {
                setText(final ? final : before);
                ref.current?.focus();
              });
            }}
          >
            {/* By the chat column's width, not the window's: beside the panels the column is narrow. */}
            <span className="hidden @xl:inline">Impersonate</span>
          </Button>
        ) : null}
        {busy ? (
          <Button variant="danger" icon={<Icon name="stop" />} onClick={onStop} title="Stop (Esc)">
            Stop
          </Button>
        ) : (
          <Button type="submit" variant="primary" icon={<Icon name="send" />} disabled={!text.trim()}>
            Send
          </Button>
        )}
      </form>
    </div>
  );
}
