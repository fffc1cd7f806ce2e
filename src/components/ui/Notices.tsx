import { useUi } from '../../stores/ui';
import { Icon } from './Icon';

const KIND = {
  info: 'border-stone-200 dark:border-stone-700',
  success: 'border-emerald-300 dark:border-emerald-800',
  error: 'border-red-300 dark:border-red-800',
} as const;

/** Toasts. role=alert for errors so screen readers announce them. */
export function Notices() {
  const notices = useUi((s) => s.notices);
  const dismiss = useUi((s) => s.dismiss);
  return (
    <div className="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex flex-col items-center gap-2 p-4 sm:items-end">
      {notices.map((n) => (
        <div
          key={n.id}
          role={n.kind === 'error' ? 'alert' : 'status'}
          data-testid={`notice-${n.kind}`}
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
              type="button"
              className="rounded-md px-2 py-1 font-medium text-accent-700 hover:bg-accent-50 dark:text-accent-300 dark:hover:bg-accent-900/40"
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
      ))}
    </div>
  );
}
