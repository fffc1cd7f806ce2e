import { useEffect, useRef, useState } from 'react';
import { Button } from '../ui/Button';
import { Icon } from '../ui/Icon';

const FIELD_SIZING = typeof CSS !== 'undefined' && CSS.supports('field-sizing', 'content');

/** Enter sends, Shift+Enter is a new line, Esc stops a streaming reply. */
export function Composer({
  streaming,
  disabledReason,
  onSend,
  onStop,
  placeholder,
}: {
  streaming: boolean;
  disabledReason: string | null;
  onSend: (text: string) => Promise<boolean>;
  onStop: () => void;
  placeholder: string;
}) {
  const [text, setText] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);
  // The box grows with its text through CSS (field-sizing: content) where the
  // browser has it: no measuring per key. Measuring (height auto, then read
  // scrollHeight) forced a layout of the whole screen on every key, the
  // message list included (issue 13). Browsers without it measure.
  useEffect(() => {
    const el = ref.current;
    if (!el || FIELD_SIZING) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  }, [text]);
  useEffect(() => {
    if (!streaming) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) onStop();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [streaming, onStop]);

  const submit = async () => {
    if (streaming || !text.trim()) return;
    const sent = await onSend(text);
    // Only a message that was saved leaves the box.
    if (sent) setText('');
  };

  return (
    <div className="border-t border-stone-200 bg-white/90 px-3 py-3 [contain:layout_paint] backdrop-blur dark:border-stone-800 dark:bg-stone-900/90">
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
          value={text}
          placeholder={placeholder}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              void submit();
            }
          }}
          className="max-h-60 min-h-10 flex-1 resize-none [field-sizing:content] rounded-xl border border-stone-300 bg-white px-3 py-2 text-sm leading-relaxed focus:border-accent-500 focus:outline-none focus:ring-2 focus:ring-accent-500/30 dark:border-stone-700 dark:bg-stone-950"
        />
        {streaming ? (
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
