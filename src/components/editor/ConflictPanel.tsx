import { useState } from 'react';
import type { FieldConflict } from '../../domain/characterMerge';
import { Button } from '../ui/Button';
import { Icon } from '../ui/Icon';

function Version({ title, text, full }: { title: string; text: string; full: boolean }) {
  return (
    <div className="min-w-0 flex-1 rounded-lg border border-amber-200 bg-white p-2.5 dark:border-amber-900/60 dark:bg-stone-900">
      <p className="mb-1 text-xs font-semibold uppercase tracking-wide text-stone-500 dark:text-stone-400">{title}</p>
      <p className={`whitespace-pre-wrap break-words text-sm text-stone-800 dark:text-stone-200 ${full ? '' : 'line-clamp-4'}`}>{text || <span className="italic text-stone-400">(empty)</span>}</p>
    </div>
  );
}

function ConflictRow({ conflict, onResolve }: { conflict: FieldConflict; onResolve: (choice: 'mine' | 'theirs') => void }) {
  const [full, setFull] = useState(false);
  return (
    <li data-testid="conflict" data-key={conflict.key} className="flex flex-col gap-2 rounded-xl border border-amber-200 bg-amber-50/60 p-3 dark:border-amber-900/60 dark:bg-amber-950/20">
      <p className="text-sm font-medium text-stone-900 dark:text-stone-100">{conflict.label}</p>
      <div className="flex flex-col gap-2 sm:flex-row">
        <Version title="This tab (not saved)" text={conflict.mineText} full={full} />
        <Version title="Saved from another tab" text={conflict.theirsText} full={full} />
      </div>
      <div className="flex flex-wrap gap-2">
        <Button size="sm" variant="primary" onClick={() => onResolve('mine')} aria-label={`Keep mine: ${conflict.label}`}>
          Keep mine
        </Button>
        <Button size="sm" onClick={() => onResolve('theirs')} aria-label={`Take theirs: ${conflict.label}`}>
          Take theirs
        </Button>
        <Button size="sm" variant="ghost" aria-expanded={full} onClick={() => setFull(!full)}>
          {full ? 'Shorten' : 'See both in full'}
        </Button>
      </div>
    </li>
  );
}

/**
 * Fields changed here and in another tab since this editor last saw them.
 * Nothing is overwritten until the user picks a side.
 */
export function ConflictPanel({ conflicts, onResolve }: { conflicts: FieldConflict[]; onResolve: (key: string, choice: 'mine' | 'theirs') => void }) {
  if (conflicts.length === 0) return null;
  return (
    <section role="region" aria-labelledby="conflicts-title" data-testid="conflicts" className="rounded-2xl border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950/30">
      <h2 id="conflicts-title" className="flex items-center gap-2 text-sm font-semibold text-amber-900 dark:text-amber-200">
        <Icon name="warning" className="h-4 w-4" />
        {conflicts.length === 1 ? 'One field was also changed in another tab' : `${conflicts.length} fields were also changed in another tab`}
      </h2>
      <p className="mt-1 mb-3 text-sm text-amber-900/80 dark:text-amber-200/80">
        Your version is kept here but not saved until you choose. Everything else you changed is saved.
      </p>
      <ul className="flex flex-col gap-3">
        {conflicts.map((c) => (
          <ConflictRow key={c.key} conflict={c} onResolve={(choice) => onResolve(c.key, choice)} />
        ))}
      </ul>
    </section>
  );
}
