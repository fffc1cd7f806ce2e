import type { ReactNode } from 'react';

export function EmptyState({ title, children, action, icon }: { title: string; children?: ReactNode; action?: ReactNode; icon?: ReactNode }) {
  return (
    <div className="mx-auto flex max-w-md flex-col items-center gap-3 px-6 py-12 text-center">
      {icon ? <div className="text-accent-500">{icon}</div> : null}
      <h2 className="text-lg font-semibold text-stone-800 dark:text-stone-100">{title}</h2>
      {children ? <div className="text-sm leading-relaxed text-stone-600 dark:text-stone-400">{children}</div> : null}
      {action}
    </div>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <span role="status" className="inline-flex items-center gap-2 text-sm text-stone-500 dark:text-stone-400">
      <span className="h-4 w-4 animate-spin rounded-full border-2 border-stone-300 border-t-accent-600 dark:border-stone-700 dark:border-t-accent-400" />
      {label}
    </span>
  );
}
