import { useState } from 'react';
import { emptyLorebook, emptyLorebookEntry, type Character, type LorebookEntry } from '../../domain/character';
import { Button, IconButton } from '../ui/Button';
import { Icon } from '../ui/Icon';
import { TextArea, TextField, Toggle } from '../ui/Field';
import { Section } from './Section';
import { sameList, splitList, useFieldText } from './useFieldText';

type Update = (change: (c: Character) => Character) => void;

function KeysField({ label, keys, onCommit, hint }: { label: string; keys: string[]; onCommit: (keys: string[]) => void; hint?: string }) {
  // Typed as text and stored as a list, so a trailing comma isn't eaten mid-typing.
  const [text, setText] = useFieldText(keys.join(', '), sameList);
  return (
    <TextField
      label={label}
      hint={hint}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        const next = splitList(e.target.value);
        if (next.join('\u0000') !== keys.join('\u0000')) onCommit(next);
      }}
    />
  );
}

function EntryCard({ entry, index, update }: { entry: LorebookEntry; index: number; update: Update }) {
  const [open, setOpen] = useState(false);
  const patch = (p: Partial<LorebookEntry>) =>
    update((c) => {
      const book = c.card.character_book ?? emptyLorebook();
      return { ...c, card: { ...c.card, character_book: { ...book, entries: book.entries.map((e) => (e.id === entry.id ? { ...e, ...p } : e)) } } };
    });
  const remove = () =>
    update((c) => {
      const book = c.card.character_book ?? emptyLorebook();
      return { ...c, card: { ...c.card, character_book: { ...book, entries: book.entries.filter((e) => e.id !== entry.id) } } };
    });
  const title = entry.name || entry.comment || entry.keys.join(', ') || `Entry ${index + 1}`;
  return (
    <li data-testid="lorebook-entry" className="rounded-xl border border-stone-200 dark:border-stone-800">
      <div className="flex items-center gap-2 px-3 py-2">
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)} className="flex min-w-0 flex-1 items-center gap-2 text-left">
          <Icon name={open ? 'down' : 'chevronRight'} className="h-4 w-4 shrink-0 text-stone-400" />
          <span className={`truncate text-sm font-medium ${entry.enabled ? '' : 'text-stone-400 line-through'}`}>{title}</span>
          {entry.constant ? <span className="rounded bg-amber-100 px-1.5 text-xs text-amber-800 dark:bg-amber-900/40 dark:text-amber-200">constant</span> : null}
          {entry.use_regex ? <span className="rounded bg-sky-100 px-1.5 text-xs text-sky-800 dark:bg-sky-900/40 dark:text-sky-200">regex</span> : null}
        </button>
        <Toggle checked={entry.enabled} label={`${entry.enabled ? 'Disable' : 'Enable'} entry “${title}”`} onChange={(enabled) => patch({ enabled })} />
        <IconButton label={`Delete entry “${title}”`} onClick={remove}>
          <Icon name="trash" />
        </IconButton>
      </div>
      {open ? (
        <div className="flex flex-col gap-3 border-t border-stone-200 px-3 py-3 dark:border-stone-800">
          <TextField label="Name" value={entry.name} onChange={(e) => patch({ name: e.target.value })} />
          <KeysField label="Keys" hint="comma-separated; any one triggers the entry" keys={entry.keys} onCommit={(keys) => patch({ keys })} />
          <KeysField label="Secondary keys" hint="with “selective”, one of these must match too" keys={entry.secondary_keys} onCommit={(secondary_keys) => patch({ secondary_keys })} />
          <TextArea label="Content" rows={4} value={entry.content} onChange={(e) => patch({ content: e.target.value })} />
          <div className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
            {(
              [
                ['constant', 'Always included'],
                ['use_regex', 'Keys are regular expressions'],
                ['selective', 'Selective (needs a secondary key)'],
                ['case_sensitive', 'Case-sensitive'],
              ] as const
            ).map(([key, label]) => (
              <label key={key} className="flex items-center gap-2">
                <Toggle checked={entry[key]} label={label} onChange={(v) => patch({ [key]: v })} />
                <span>{label}</span>
              </label>
            ))}
          </div>
        </div>
      ) : null}
    </li>
  );
}

export function LorebookSection({ character, update, onImportWorldInfo }: { character: Character; update: Update; onImportWorldInfo: () => void }) {
  const entries = character.card.character_book?.entries ?? [];
  const add = () =>
    update((c) => {
      const book = c.card.character_book ?? emptyLorebook();
      const id = book.entries.reduce((m, e) => Math.max(m, e.id), -1) + 1;
      return { ...c, card: { ...c.card, character_book: { ...book, entries: [...book.entries, emptyLorebookEntry(id)] } } };
    });
  return (
    <Section
      id="lorebook"
      title={`Lorebook (${entries.length})`}
      description="World facts added to the prompt when their keys come up in the conversation."
      actions={
        <>
          <Button size="sm" icon={<Icon name="upload" />} onClick={onImportWorldInfo}>
            Import world info
          </Button>
          <Button size="sm" icon={<Icon name="plus" />} onClick={add}>
            Add entry
          </Button>
        </>
      }
    >
      {entries.length === 0 ? (
        <p className="rounded-xl border border-dashed border-stone-300 px-4 py-6 text-center text-sm text-stone-500 dark:border-stone-700 dark:text-stone-400">
          No lorebook entries. Add one, or import a SillyTavern world-info file.
        </p>
      ) : (
        <ul className="flex flex-col gap-2" data-testid="lorebook-entries">
          {entries.map((e, i) => (
            <EntryCard key={e.id} entry={e} index={i} update={update} />
          ))}
        </ul>
      )}
    </Section>
  );
}
