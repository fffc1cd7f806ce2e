import { useId, useState, type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes } from 'react';

const INPUT =
  'w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-sm text-stone-900 placeholder:text-stone-400 focus:border-accent-500 focus:outline-none focus:ring-2 focus:ring-accent-500/30 dark:border-stone-700 dark:bg-stone-900 dark:text-stone-100 dark:placeholder:text-stone-500';

export function Label({ htmlFor, children, hint }: { htmlFor: string; children: ReactNode; hint?: ReactNode }) {
  return (
    <div className="mb-1.5 flex items-baseline justify-between gap-2">
      <label htmlFor={htmlFor} className="text-sm font-medium text-stone-700 dark:text-stone-300">
        {children}
      </label>
      {hint ? <span className="text-xs text-stone-500 dark:text-stone-400">{hint}</span> : null}
    </div>
  );
}

export function TextField({ label, hint, className = '', ...rest }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: ReactNode }) {
  const id = useId();
  return (
    <div className={className}>
      <Label htmlFor={id} hint={hint}>
        {label}
      </Label>
      <input id={id} className={INPUT} {...rest} />
    </div>
  );
}

/**
 * Longest text a TextArea lays out without asking (characters). Chromium
 * took tens of seconds, all on the main thread, to lay out a textarea holding
 * a 10 MB card greeting; 200 K characters (a long novel chapter) is still
 * quick, and no real card field comes near it.
 */
export const HUGE_TEXTAREA_CHARS = 200_000;

const compactNumber = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

export function TextArea({ label, hint, className = '', rows = 4, ...rest }: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; hint?: ReactNode }) {
  const id = useId();
  const [editHuge, setEditHuge] = useState(false);
  const length = typeof rest.value === 'string' ? rest.value.length : 0;
  const huge = length > HUGE_TEXTAREA_CHARS && !editHuge;
  return (
    <div className={className}>
      <Label htmlFor={id} hint={hint}>
        {label}
      </Label>
      {huge ? (
        <div data-testid="huge-field" className="flex flex-wrap items-center gap-3 rounded-lg border border-dashed border-stone-300 bg-stone-50 px-3 py-2 text-sm text-stone-600 dark:border-stone-700 dark:bg-stone-900/60 dark:text-stone-400">
          <span className="min-w-0 flex-1">
            This field holds {compactNumber.format(length)} characters: laying it out for editing can freeze the tab for a while. It is kept as it is, and the chat shows it in part.
          </span>
          <button
            id={id}
            type="button"
            onClick={() => setEditHuge(true)}
            className="inline-flex h-8 shrink-0 items-center rounded-lg border border-stone-300 bg-white px-2.5 text-sm font-medium text-stone-800 hover:bg-stone-100 dark:border-stone-700 dark:bg-stone-900 dark:text-stone-100 dark:hover:bg-stone-800"
          >
            Edit anyway
          </button>
        </div>
      ) : (
        <textarea id={id} rows={rows} className={`${INPUT} resize-y leading-relaxed`} {...rest} />
      )}
    </div>
  );
}

export function Toggle({ checked, onChange, label, className = '' }: { checked: boolean; onChange: (v: boolean) => void; label: string; className?: string }) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      title={label}
      onClick={() => onChange(!checked)}
      className={`relative inline-flex h-5 w-9 shrink-0 items-center rounded-full transition-colors ${checked ? 'bg-accent-600' : 'bg-stone-300 dark:bg-stone-700'} ${className}`}
    >
      <span className={`inline-block h-4 w-4 transform rounded-full bg-white shadow transition-transform ${checked ? 'translate-x-4.5' : 'translate-x-0.5'}`} />
    </button>
  );
}

export const inputClass = INPUT;
