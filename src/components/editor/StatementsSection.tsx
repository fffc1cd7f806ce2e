import { useRef, useState } from 'react';
import { newStatement, type Character, type PersonaStatement } from '../../domain/character';
import type { Conflict, ConflictSource } from '../../domain/persona/conflicts';
import type { StatementConflicts } from '../../hooks/useStatementConflicts';
import { Button, IconButton } from '../ui/Button';
import { Icon } from '../ui/Icon';
import { Toggle, inputClass } from '../ui/Field';
import { Section } from './Section';
import { useFieldText } from './useFieldText';

type Update = (change: (c: Character) => Character) => void;

function move<T>(list: T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length) return list;
  const copy = list.slice();
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item!);
  return copy;
}

/** One warning under a statement row: what it contradicts, and what to do about it. */
function ConflictWarning({ other, onKeep, onEdit, onDisable }: { other: ConflictSource; onKeep: () => void; onEdit: () => void; onDisable: () => void }) {
  return (
    <div
      role="alert"
      data-testid="statement-conflict"
      className="ml-8 mr-1 flex flex-wrap items-center gap-x-3 gap-y-1.5 rounded-lg border border-amber-300 bg-amber-50 px-2.5 py-1.5 text-sm text-amber-950 dark:border-amber-800/70 dark:bg-amber-950/40 dark:text-amber-100"
    >
      <p className="flex min-w-0 flex-1 basis-64 items-start gap-1.5">
        <Icon name="warning" className="mt-0.5 h-4 w-4 shrink-0 text-amber-600 dark:text-amber-400" />
        <span>
          {other.kind === 'card' ? 'Contradicts the card’s text: ' : 'Contradicts '}
          <q data-testid="conflict-other" className="font-medium">
            {other.text}
          </q>
        </span>
      </p>
      <span className="flex gap-1">
        <Button size="sm" variant="ghost" onClick={onKeep} title="Both are true of this character; don't warn about this pair again until one changes">
          Keep both
        </Button>
        <Button size="sm" variant="ghost" onClick={onEdit}>
          Edit
        </Button>
        <Button size="sm" variant="ghost" onClick={onDisable} title="Disable this statement; the other stays">
          Disable one
        </Button>
      </span>
    </div>
  );
}

function StatementRow({
  statement,
  index,
  count,
  update,
  conflicts = [],
  onKeep,
}: {
  statement: PersonaStatement;
  index: number;
  count: number;
  update: Update;
  conflicts?: Conflict[];
  onKeep?: (c: Conflict) => void;
}) {
  const input = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useFieldText(statement.text, (t, v) => t.trim() === v);
  const setStatements = (fn: (s: PersonaStatement[]) => PersonaStatement[]) => update((c) => ({ ...c, statements: fn(c.statements) }));
  // Typing goes into the draft at once (so it autosaves), but the version bumps
  // once per edit, not per keystroke: verdicts made against the old wording
  // become stale (issue #4). `start` is the statement as the edit found it.
  const start = useRef<{ text: string; version: number } | null>(null);
  const begin = () => {
    start.current ??= { text: statement.text, version: statement.version };
    return start.current;
  };
  const write = (value: string) => {
    const from = begin();
    const t = value.trim();
    // An emptied statement keeps its last wording until it is typed again.
    if (!t) return;
    const version = t === from.text ? from.version : from.version + 1;
    if (t === statement.text && version === statement.version) return;
    setStatements((all) => all.map((s) => (s.id === statement.id ? { ...s, text: t, version } : s)));
  };
  const end = () => {
    start.current = null;
    if (!text.trim()) setText(statement.text);
  };
  const setEnabled = (enabled: boolean) => setStatements((all) => all.map((s) => (s.id === statement.id ? { ...s, enabled } : s)));
  return (
    <li
      data-testid="statement-row"
      data-conflicts={conflicts.length}
      className={`group flex flex-col gap-1.5 rounded-xl border bg-stone-50 px-2 py-1.5 dark:bg-stone-950/50 ${conflicts.length > 0 ? 'border-amber-300 dark:border-amber-800/70' : 'border-stone-200 dark:border-stone-800'}`}
    >
      <div className="flex items-center gap-2">
      <div className="flex flex-col">
        <IconButton label={`Move statement ${index + 1} up`} disabled={index === 0} onClick={() => setStatements((all) => move(all, index, index - 1))} className="h-5 w-6">
          <Icon name="up" className="h-3.5 w-3.5" />
        </IconButton>
        <IconButton label={`Move statement ${index + 1} down`} disabled={index === count - 1} onClick={() => setStatements((all) => move(all, index, index + 1))} className="h-5 w-6">
          <Icon name="down" className="h-3.5 w-3.5" />
        </IconButton>
      </div>
      <textarea
        ref={input}
        aria-label={`Statement ${index + 1}`}
        rows={1}
        value={text}
        onChange={(e) => {
          const value = e.target.value.replace(/\n/g, ' ');
          setText(value);
          write(value);
        }}
        onFocus={begin}
        onBlur={end}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            e.currentTarget.blur();
          }
          if (e.key === 'Escape' && start.current) {
            // Back to the wording (and version) the edit started from.
            const from = start.current;
            setText(from.text);
            setStatements((all) => all.map((s) => (s.id === statement.id ? { ...s, text: from.text, version: from.version } : s)));
          }
        }}
        className={`field-sizing-content min-w-0 flex-1 resize-none rounded-md border-0 bg-transparent px-1.5 py-1 text-sm leading-snug focus:bg-white focus:ring-2 focus:ring-accent-500/30 dark:focus:bg-stone-900 ${statement.enabled ? '' : 'text-stone-400 line-through dark:text-stone-600'}`}
      />
      <span className="hidden text-xs text-stone-400 sm:inline" title="Where this statement came from">
        {statement.origin}
      </span>
      <Toggle
        checked={statement.enabled}
        label={statement.enabled ? `Disable statement ${index + 1}` : `Enable statement ${index + 1}`}
        onChange={setEnabled}
      />
      <IconButton label={`Delete statement ${index + 1}`} onClick={() => setStatements((all) => all.filter((s) => s.id !== statement.id))}>
        <Icon name="trash" />
      </IconButton>
      </div>
      {conflicts.map((c) => {
        const other = c.a.ref === statement.id ? c.b : c.a;
        return (
          <ConflictWarning
            key={other.ref}
            other={other}
            onKeep={() => onKeep?.(c)}
            onEdit={() => input.current?.focus()}
            onDisable={() => setEnabled(false)}
          />
        );
      })}
    </li>
  );
}

/** The names the writer may have facts phrased with: the card's name and its nickname. */
function nameChoices(character: Character): string[] {
  const names = [character.card.name.trim(), character.card.nickname.trim()].filter((n) => n.length > 0);
  return [...new Set(names)];
}

function CheckStatus({ checks, count }: { checks: StatementConflicts; count: number }) {
  let text: string;
  if (checks.availability === 'off') text = 'Contradiction checks are off: load the checker (Models page) to test statements against each other.';
  else if (checks.error) text = `The contradiction check failed: ${checks.error}`;
  else if (checks.checking) text = 'Checking for contradictions…';
  else if (checks.cardChecked) text = count === 0 ? 'Card checked: no statement contradicts another or the card’s text.' : `Card checked: ${count} contradiction${count === 1 ? '' : 's'}, marked below.`;
  else text = count > 0 ? `${count} contradiction${count === 1 ? '' : 's'}, marked below.` : 'New and edited statements are checked against the others.';
  return (
    <p data-testid="conflict-status" data-state={checks.availability === 'off' ? 'off' : checks.checking ? 'checking' : 'idle'} className="text-xs text-stone-500 dark:text-stone-400" aria-live="polite">
      {text}
    </p>
  );
}

export function StatementsSection({
  character,
  update,
  propose,
  checks,
}: {
  character: Character;
  update: Update;
  propose: (name?: string) => string[];
  checks: StatementConflicts;
}) {
  const [newText, setNewText] = useState('');
  const [proposals, setProposals] = useState<string[] | null>(null);
  const names = nameChoices(character);
  const [nameChoice, setNameChoice] = useState<string | null>(null);
  const chosenName = nameChoice !== null && names.includes(nameChoice) ? nameChoice : names[0];
  const conflictsOf = (id: string) => checks.conflicts.filter((c) => c.a.ref === id || c.b.ref === id);
  const add = (texts: string[], origin: PersonaStatement['origin']) =>
    update((c) => ({ ...c, statements: [...c.statements, ...texts.map((t) => newStatement(t, origin))] }));

  return (
    <Section
      id="statements"
      title={`Persona statements (${character.statements.length})`}
      description="Short, atomic facts the consistency checker holds every reply to. One fact per line works best: “Maren is afraid of deep water.”"
      actions={
        <>
          <Button
            size="sm"
            icon={<Icon name="check" />}
            disabled={checks.availability === 'off' || checks.checking}
            title={checks.availability === 'off' ? 'Load the checker first (Models page)' : 'Test every statement against the others and against the description, personality and scenario'}
            onClick={checks.checkCard}
          >
            Check card
          </Button>
          <Button size="sm" icon={<Icon name="sparkle" />} onClick={() => setProposals(propose(chosenName))}>
            Extract from description
          </Button>
        </>
      }
    >
      {proposals !== null ? (
        <div className="rounded-xl border border-accent-200 bg-accent-50 p-3 dark:border-accent-900 dark:bg-accent-950/40" data-testid="proposals">
          <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
            <p className="text-sm font-medium text-accent-900 dark:text-accent-200">
              {proposals.length === 0 ? 'No new statements found in the description, personality or scenario.' : `${proposals.length} proposed — accept the ones that are true of this character.`}
            </p>
            <div className="flex flex-wrap items-center gap-2">
              {names.length > 1 ? (
                <label className="flex items-center gap-1.5 text-xs text-accent-900 dark:text-accent-200">
                  Call the character
                  <select
                    aria-label="Name used in the proposed statements"
                    value={chosenName}
                    onChange={(e) => {
                      setNameChoice(e.target.value);
                      setProposals(propose(e.target.value));
                    }}
                    className="rounded-md border border-accent-200 bg-white px-1.5 py-1 text-xs text-stone-800 dark:border-accent-900 dark:bg-stone-900 dark:text-stone-100"
                  >
                    {names.map((n) => (
                      <option key={n} value={n}>
                        {n}
                      </option>
                    ))}
                  </select>
                </label>
              ) : null}
              {proposals.length > 1 ? (
                <Button
                  size="sm"
                  variant="primary"
                  onClick={() => {
                    add(proposals, 'extracted');
                    setProposals(null);
                  }}
                >
                  Accept all
                </Button>
              ) : null}
              <Button size="sm" variant="ghost" onClick={() => setProposals(null)}>
                Close
              </Button>
            </div>
          </div>
          <ul className="flex flex-col gap-1">
            {proposals.map((p) => (
              <li key={p} data-testid="proposal" className="flex items-center gap-2 rounded-lg bg-white px-2.5 py-1.5 text-sm dark:bg-stone-900">
                <span className="min-w-0 flex-1">{p}</span>
                <Button
                  size="sm"
                  variant="primary"
                  aria-label={`Accept: ${p}`}
                  onClick={() => {
                    add([p], 'extracted');
                    setProposals((ps) => ps!.filter((x) => x !== p));
                  }}
                >
                  Accept
                </Button>
                <Button size="sm" variant="ghost" aria-label={`Reject: ${p}`} onClick={() => setProposals((ps) => ps!.filter((x) => x !== p))}>
                  Reject
                </Button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {character.statements.length === 0 ? (
        <p className="rounded-xl border border-dashed border-stone-300 px-4 py-6 text-center text-sm text-stone-500 dark:border-stone-700 dark:text-stone-400">
          No statements yet. Add facts below, or extract them from the description — the checker needs them to tell when a reply breaks character.
        </p>
      ) : (
        <ul className="flex flex-col gap-1.5" data-testid="statements">
          {character.statements.map((s, i) => (
            <StatementRow key={s.id} statement={s} index={i} count={character.statements.length} update={update} conflicts={conflictsOf(s.id)} onKeep={checks.keepBoth} />
          ))}
        </ul>
      )}
      <CheckStatus checks={checks} count={checks.conflicts.length} />
      <form
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          const lines = newText.split('\n').map((l) => l.trim()).filter(Boolean);
          if (lines.length === 0) return;
          add(lines, 'manual');
          setNewText('');
        }}
      >
        <input aria-label="New statement" placeholder="Add a fact, e.g. “Maren never learned to swim.”" value={newText} onChange={(e) => setNewText(e.target.value)} className={inputClass} />
        <Button type="submit" variant="primary" disabled={!newText.trim()}>
          Add
        </Button>
      </form>
    </Section>
  );
}
