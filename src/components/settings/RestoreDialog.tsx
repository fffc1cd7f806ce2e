import { useState } from 'react';
import type { ReadBackup, RecordPlan, SettingChange, SettingKey } from '../../hooks/useBackup';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Icon } from '../ui/Icon';

/** How many names or notes a list shows before "and N more". */
const LIST_LIMIT = 8;
const NOTES_LIMIT = 50;

function names(list: string[]): string {
  const shown = list.slice(0, LIST_LIMIT).map((n) => `“${n || 'Unnamed'}”`);
  return list.length > LIST_LIMIT ? `${shown.join(', ')} and ${list.length - LIST_LIMIT} more` : shown.join(', ');
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function RecordRow({ label, plan }: { label: string; plan: RecordPlan }) {
  return (
    <tr className="border-t border-stone-200 dark:border-stone-800">
      <th scope="row" className="py-1.5 pr-3 text-left font-medium">
        {label}
      </th>
      <td className="px-2 text-right tabular-nums">{plan.added}</td>
      <td className="px-2 text-right tabular-nums">{plan.overwritten}</td>
      <td className="pl-2 text-right tabular-nums">{plan.onlyInLibrary}</td>
    </tr>
  );
}

function SettingRow({ change, checked, onChange }: { change: SettingChange; checked: boolean; onChange: (on: boolean) => void }) {
  return (
    <li>
      <label className="flex cursor-pointer items-start gap-2.5 rounded-lg px-2 py-1.5 hover:bg-stone-100 dark:hover:bg-stone-800/70">
        <input type="checkbox" className="mt-0.5 h-4 w-4 accent-accent-600" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-label={`Take “${change.label}” from the backup`} />
        <span className="min-w-0 flex-1">
          <span className="font-medium">{change.label}</span>
          <span className="block break-all text-xs text-stone-600 dark:text-stone-400" data-testid={`setting-change-${change.key}`}>
            {change.from} → {change.to}
          </span>
        </span>
      </label>
    </li>
  );
}

/**
 * Before a restore: what Merge and Replace would change (records added,
 * overwritten, deleted), which settings differ — each left as it is unless
 * ticked, the model source and secrets apart with their own tick — and what
 * validation repaired or left out.
 */
export function RestoreDialog({
  pending,
  onCancel,
  onRestore,
}: {
  pending: { read: ReadBackup; name: string } | null;
  onCancel: () => void;
  onRestore: (mode: 'merge' | 'replace', settings: SettingKey[]) => void;
}) {
  const [ticked, setTicked] = useState<ReadonlySet<SettingKey>>(new Set());
  const close = () => {
    setTicked(new Set());
    onCancel();
  };
  const run = (mode: 'merge' | 'replace') => {
    const keys = [...ticked];
    setTicked(new Set());
    onRestore(mode, keys);
  };
  const toggle = (key: SettingKey, on: boolean) =>
    setTicked((t) => {
      const next = new Set(t);
      if (on) next.add(key);
      else next.delete(key);
      return next;
    });
  const plan = pending?.read.plan;
  const backup = pending?.read.backup;
  const offered = plan?.settings.changes.filter((c) => c.restore === 'offer') ?? [];
  const guarded = plan?.settings.changes.filter((c) => c.restore === 'guarded') ?? [];
  const made = backup?.exportedAt ? new Date(backup.exportedAt) : null;

  return (
    <Dialog
      open={pending !== null}
      onClose={close}
      title="Restore this backup?"
      wide
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button onClick={() => run('merge')}>Merge</Button>
          <Button variant="danger" onClick={() => run('replace')}>
            Replace library
          </Button>
        </>
      }
    >
      {pending && plan && backup ? (
        <div className="flex flex-col gap-4" data-testid="restore-summary">
          <p>
            “{pending.name}” holds {plural(backup.characters.length, 'character')}, {plural(backup.chats.length, 'chat')} and {plural(backup.messages.length, 'message')}
            {made && !Number.isNaN(made.getTime()) ? ` (made ${made.toLocaleString()})` : ''}.
          </p>

          <section aria-labelledby="restore-library">
            <h3 id="restore-library" className="mb-1 font-semibold">
              Your library
            </h3>
            <table className="w-full text-sm">
              <thead className="text-xs text-stone-500 dark:text-stone-400">
                <tr>
                  <th />
                  <th className="px-2 text-right font-medium">New</th>
                  <th className="px-2 text-right font-medium">Overwritten</th>
                  <th className="pl-2 text-right font-medium">Only in your library</th>
                </tr>
              </thead>
              <tbody>
                <RecordRow label="Characters" plan={plan.characters} />
                <RecordRow label="Chats" plan={plan.chats} />
                <RecordRow label="Messages" plan={plan.messages} />
                <RecordRow label="Consistency verdicts" plan={plan.verdicts} />
                <RecordRow label="Audit runs" plan={plan.audits} />
                <RecordRow label="Interview drafts" plan={plan.interviews} />
              </tbody>
            </table>
            <ul className="mt-2 flex list-disc flex-col gap-1 pl-5 text-stone-700 dark:text-stone-300">
              {plan.characters.addedNames.length > 0 ? <li>New: {names(plan.characters.addedNames)}.</li> : null}
              {plan.characters.overwrittenNames.length > 0 ? (
                <li>
                  <strong>Merge</strong> and <strong>Replace</strong> overwrite {names(plan.characters.overwrittenNames)} with the backup’s copy.
                </li>
              ) : null}
              <li>
                {plan.characters.onlyInLibrary > 0 ? (
                  <>
                    <strong>Merge</strong> keeps {names(plan.characters.onlyInLibraryNames)}; <strong>Replace</strong> deletes{' '}
                    {plural(plan.characters.onlyInLibrary, 'character')} and {plural(plan.chats.onlyInLibrary, 'chat')} that are not in the backup.
                  </>
                ) : (
                  <>Every character in your library is in the backup.</>
                )}
              </li>
            </ul>
          </section>

          <section aria-labelledby="restore-settings">
            <h3 id="restore-settings" className="mb-1 font-semibold">
              Settings
            </h3>
            {offered.length + guarded.length === 0 ? (
              <p className="text-stone-600 dark:text-stone-400">The backup’s settings match yours: none will change.</p>
            ) : (
              <>
                <p className="mb-1 text-stone-600 dark:text-stone-400">Your settings stay as they are. Tick the ones to take from the backup.</p>
                {offered.length > 0 ? (
                  <ul className="flex flex-col" aria-label="Settings in the backup">
                    {offered.map((c) => (
                      <SettingRow key={c.key} change={c} checked={ticked.has(c.key)} onChange={(on) => toggle(c.key, on)} />
                    ))}
                  </ul>
                ) : null}
                {guarded.length > 0 ? (
                  <div className="mt-2 rounded-xl border border-amber-300 bg-amber-50 p-3 dark:border-amber-800/70 dark:bg-amber-950/40">
                    <p className="mb-1 flex items-center gap-1.5 font-medium text-amber-900 dark:text-amber-200">
                      <Icon name="warning" className="h-4 w-4" /> Sources and secrets
                    </p>
                    <p className="mb-1 text-xs text-amber-900/90 dark:text-amber-200/90">
                      These decide where the studio downloads models and their code from, or hold keys. Take them only from a backup you made yourself.
                    </p>
                    <ul className="flex flex-col" aria-label="Sources and secrets in the backup">
                      {guarded.map((c) => (
                        <SettingRow key={c.key} change={c} checked={ticked.has(c.key)} onChange={(on) => toggle(c.key, on)} />
                      ))}
                    </ul>
                  </div>
                ) : null}
              </>
            )}
            {plan.settings.ignored.length > 0 ? (
              <p className="mt-1 text-xs text-stone-500 dark:text-stone-400">Ignored: {plan.settings.ignored.slice(0, LIST_LIMIT).join('; ')}{plan.settings.ignored.length > LIST_LIMIT ? '; …' : ''}.</p>
            ) : null}
          </section>

          {plan.notes.length > 0 ? (
            <details className="rounded-xl border border-stone-200 p-3 dark:border-stone-800" data-testid="restore-notes" open={plan.notes.length <= 5}>
              <summary className="cursor-pointer font-medium">{plural(plan.notes.length, 'thing')} in the backup had to be repaired or left out</summary>
              <ul className="mt-2 flex list-disc flex-col gap-0.5 pl-5 text-xs text-stone-700 dark:text-stone-300">
                {plan.notes.slice(0, NOTES_LIMIT).map((note, i) => (
                  <li key={i} className="break-words">
                    {note}
                  </li>
                ))}
                {plan.notes.length > NOTES_LIMIT ? <li>… and {plan.notes.length - NOTES_LIMIT} more.</li> : null}
              </ul>
            </details>
          ) : null}
        </div>
      ) : null}
    </Dialog>
  );
}
