import { useState } from 'react';
import { useCharacterProblems, useLibraryActions } from '../../hooks/useLibrary';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Icon } from '../ui/Icon';

const SHOWN = 12;

/**
 * Shown above a character whose stored record is damaged (written by an older
 * version or a bug, past today's schema). The screen shows it repaired; this
 * says what was wrong and offers to store the repaired version, or to delete
 * just this record.
 */
export function RecordProblems({ characterId, name }: { characterId: string; name: string }) {
  const problems = useCharacterProblems(characterId);
  const { repair, remove } = useLibraryActions();
  const [confirm, setConfirm] = useState(false);
  if (!problems || problems.length === 0) return null;
  return (
    <section
      aria-labelledby="record-problems-title"
      data-testid="record-problems"
      className="mx-auto mt-3 w-full max-w-3xl rounded-xl border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950 sm:mx-6 md:mx-auto dark:border-amber-800/70 dark:bg-amber-950/40 dark:text-amber-100"
    >
      <h2 id="record-problems-title" className="flex items-center gap-2 font-semibold">
        <Icon name="warning" className="h-4 w-4 shrink-0" />
        This character’s stored record was damaged
      </h2>
      <p className="mt-1">It is shown repaired below. Nothing has been changed in storage yet.</p>
      <ul className="mt-1 list-disc pl-5 text-xs">
        {problems.slice(0, SHOWN).map((p) => (
          <li key={p} className="break-words">
            {p}
          </li>
        ))}
        {problems.length > SHOWN ? <li>… and {problems.length - SHOWN} more.</li> : null}
      </ul>
      <div className="mt-2 flex flex-wrap gap-2">
        <Button size="sm" variant="primary" onClick={() => void repair(characterId)}>
          Save the repaired version
        </Button>
        <Button size="sm" variant="ghost" icon={<Icon name="trash" />} onClick={() => setConfirm(true)}>
          Delete this record…
        </Button>
      </div>
      <Dialog
        open={confirm}
        onClose={() => setConfirm(false)}
        title={`Delete “${name || 'Unnamed'}”?`}
        footer={
          <>
            <Button onClick={() => setConfirm(false)}>Cancel</Button>
            <Button
              variant="danger"
              onClick={() => {
                setConfirm(false);
                void remove(characterId);
              }}
            >
              Delete
            </Button>
          </>
        }
      >
        Only this character and its chats are deleted; you can undo it for a few seconds afterwards.
      </Dialog>
    </section>
  );
}
