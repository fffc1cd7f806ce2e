import { useState } from 'react';
import type { Lorebook } from '../../domain/character';
import { entryName } from '../../domain/library';
import { useLibraryEntries } from '../../hooks/useLibrary';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { inputClass } from '../ui/Field';

/** Asks which character a world-info file belongs to. */
export function ImportTargetDialog({
  pending,
  onAttach,
  onCancel,
}: {
  pending: { fileName: string; lorebook: Lorebook } | null;
  onAttach: (characterId: string) => void;
  onCancel: () => void;
}) {
  const characters = useLibraryEntries();
  const [target, setTarget] = useState('');
  const chosen = target || characters?.[0]?.id || '';
  return (
    <Dialog
      open={pending !== null}
      onClose={onCancel}
      title="Add world info to a character"
      footer={
        <>
          <Button onClick={onCancel}>Cancel</Button>
          <Button variant="primary" disabled={!chosen} onClick={() => onAttach(chosen)}>
            Add entries
          </Button>
        </>
      }
    >
      {pending ? (
        <div className="flex flex-col gap-3">
          <p>
            “{pending.fileName}” is a lorebook with {pending.lorebook.entries.length} entries. Which character should it belong to?
          </p>
          {characters && characters.length > 0 ? (
            <select aria-label="Character" className={inputClass} value={chosen} onChange={(e) => setTarget(e.target.value)}>
              {characters.map((c) => (
                <option key={c.id} value={c.id}>
                  {entryName(c)}
                </option>
              ))}
            </select>
          ) : (
            <p className="text-stone-500">Create or import a character first.</p>
          )}
        </div>
      ) : null}
    </Dialog>
  );
}
