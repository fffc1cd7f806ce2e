import { useEffect, useRef, useState } from 'react';
import { useUi, type Notice } from '../../stores/ui';
import { Icon } from './Icon';

const KIND = {
  info: 'border-stone-200 dark:border-stone-700',
  success: 'border-emerald-300 dark:border-emerald-800',
  error: 'border-red-300 dark:border-red-800',
} as const;

function NoticeItem({ notice: n }: { notice: Notice }) {
  const dismiss = useUi((s) => s.dismiss);
  const hold = useUi((s) => s.hold);
  const action = useRef<HTMLButtonElement>(null);
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  // The countdown waits while the notice is pointed at or focused: reaching
  // Undo from the keyboard must not race the clock.
  useEffect(() => hold(n.id, hovered || focused), [hold, n.id, hovered, focused]);
  useEffect(() => {
    if (n.focusAction) action.current?.focus();
  }, [n.focusAction]);
  return (
    <div
      role={n.kind === 'error' ? 'alert' : 'status'}
      data-testid={`notice-${n.kind}`}
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
      onFocus={() => setFocused(true)}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget)) setFocused(false);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') dismiss(n.id);
      }}
      className={`pointer-events-auto flex w-full max-w-sm items-start gap-3 rounded-xl border bg-white p-3 text-sm shadow-lg dark:bg-stone-900 ${KIND[n.kind]}`}
    >
      <span className={n.kind === 'error' ? 'text-red-600 dark:text-red-400' : n.kind === 'success' ? 'text-emerald-600 dark:text-emerald-400' : 'text-accent-600 dark:text-accent-400'}>
        <Icon name={n.kind === 'error' ? 'warning' : n.kind === 'success' ? 'check' : 'info'} className="mt-0.5 h-4 w-4" />
      </span>
      <div className="min-w-0 flex-1">
        <p className="font-medium text-stone-900 dark:text-stone-100">{n.title}</p>
        {n.detail ? <p className="mt-0.5 whitespace-pre-line break-words text-stone-600 dark:text-stone-400">{n.detail}</p> : null}
      </div>
      {n.action ? (
        <button
          ref={action}
          type="button"
          className="rounded-md px-2 py-1 font-medium text-accent-700 hover:bg-accent-50 focus-visible:outline-2 focus-visible:outline-accent-500 dark:text-accent-300 dark:hover:bg-accent-900/40"
          onClick={() => {
            void n.action!.run();
            dismiss(n.id);
          }}
        >
          {n.action.label}
        </button>
      ) : null}
      <button type="button" aria-label="Dismiss" className="rounded-md p-1 text-stone-400 hover:text-stone-700 dark:hover:text-stone-200" onClick={() => dismiss(n.id)}>
        <Icon name="x" className="h-3.5 w-3.5" />
      </button>
    </div>
  );
}

/** Toasts. role=alert for errors so screen readers announce them. */
export function Notices() {
  const notices = useUi((s) => s.notices);
  return (
    <section aria-label="Notifications" className="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex flex-col items-center gap-2 p-4 sm:items-end">
      {notices.map((n) => (
        <NoticeItem key={n.id} notice={n} />
      ))}
    </section>
  );
}
