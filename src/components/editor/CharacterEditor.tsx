import { useRef, useState, type ReactNode } from 'react';
import type { Character } from '../../domain/character';
import { useCharacterDraft, type SaveProblem, type SaveState } from '../../hooks/useCharacterDraft';
import { useLibraryActions } from '../../hooks/useLibrary';
import { useProposeStatements, useWorldInfoImport, useAvatarUpload } from '../../hooks/useEditorActions';
import { useStatementConflicts } from '../../hooks/useStatementConflicts';
import { useRoute } from '../../stores/route';
import { Avatar } from '../ui/Avatar';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Icon } from '../ui/Icon';
import { TextArea, TextField } from '../ui/Field';
import { GreetingsSection } from './GreetingsSection';
import { LorebookSection } from './LorebookSection';
import { ConflictPanel } from './ConflictPanel';
import { Section } from './Section';
import { StatementsSection } from './StatementsSection';
import { sameList, splitList, useFieldText } from './useFieldText';

const SECTIONS = [
  ['basics', 'Basics'],
  ['persona', 'Persona'],
  ['statements', 'Statements'],
  ['greetings', 'Greetings'],
  ['examples', 'Examples'],
  ['lorebook', 'Lorebook'],
  ['notes', 'Notes & prompt'],
] as const;

/** The save state in words, the failure's cause included (never only a tooltip). */
function SaveIndicator({ state, problem, conflicts, onRetry }: { state: SaveState; problem: SaveProblem | null; conflicts: number; onRetry: () => void }) {
  const text: Record<SaveState, ReactNode> = {
    saved: (
      <>
        <Icon name="check" className="h-3.5 w-3.5" /> Saved
      </>
    ),
    pending: 'Saving…',
    saving: 'Saving…',
    error: (
      <>
        <Icon name="warning" className="h-3.5 w-3.5 shrink-0" /> Not saved — {problem?.reason ?? 'unknown error'}
      </>
    ),
    conflict: (
      <>
        <Icon name="warning" className="h-3.5 w-3.5 shrink-0" /> Not saved — {conflicts === 1 ? 'a field' : `${conflicts} fields`} also changed in another tab
      </>
    ),
  };
  const bad = state === 'error' || state === 'conflict';
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <span
        role="status"
        data-testid="save-state"
        data-state={state}
        className={`inline-flex items-center gap-1 text-xs ${state === 'error' ? 'text-red-700 dark:text-red-400' : state === 'conflict' ? 'text-amber-800 dark:text-amber-300' : 'text-stone-500 dark:text-stone-400'} ${bad ? 'font-medium' : ''}`}
      >
        {text[state]}
      </span>
      {state === 'error' ? (
        <button type="button" onClick={onRetry} className="text-xs font-medium text-accent-700 underline hover:no-underline dark:text-accent-300">
          Retry
        </button>
      ) : null}
    </span>
  );
}

function CardField({ label, field, character, update, rows, hint }: { label: string; field: 'description' | 'personality' | 'scenario' | 'mes_example' | 'creator_notes' | 'system_prompt' | 'post_history_instructions'; character: Character; update: (f: (c: Character) => Character) => void; rows?: number; hint?: string }) {
  return <TextArea label={label} hint={hint} rows={rows} value={character.card[field]} onChange={(e) => update((c) => ({ ...c, card: { ...c.card, [field]: e.target.value } }))} />;
}

export function CharacterEditor({ stored }: { stored: Character }) {
  const { draft, update, state, problem, conflicts, resolve, flush } = useCharacterDraft(stored);
  const { duplicate, remove, exportAs } = useLibraryActions();
  const navigate = useRoute((s) => s.navigate);
  const propose = useProposeStatements(draft);
  const statementChecks = useStatementConflicts(draft, update);
  const worldInfo = useWorldInfoImport(draft.id);
  const avatar = useAvatarUpload(update);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [tagsText, setTagsText] = useFieldText(draft.card.tags.join(', '), sameList);
  const avatarInput = useRef<HTMLInputElement>(null);
  const setCard = (patch: Partial<Character['card']>) => update((c) => ({ ...c, card: { ...c.card, ...patch } }));

  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-4 px-3 pb-16 sm:px-6">
      <header className="sticky top-0 z-10 -mx-3 flex flex-col gap-2 border-b border-stone-200 bg-stone-50/95 px-3 pb-2 pt-3 backdrop-blur sm:-mx-6 sm:px-6 dark:border-stone-800 dark:bg-stone-950/95">
        <div className="flex flex-wrap items-center gap-3">
          <Avatar blob={draft.avatar} name={draft.card.name} />
          <div className="min-w-0 flex-1">
            <h1 className="truncate text-lg font-semibold" data-testid="editor-title">
              {draft.card.name || 'Unnamed character'}
            </h1>
            <SaveIndicator state={state} problem={problem} conflicts={conflicts.length} onRetry={() => void flush()} />
          </div>
          <div className="flex flex-wrap gap-1.5">
            <Button variant="primary" size="sm" icon={<Icon name="chat" />} onClick={() => navigate({ name: 'character', id: draft.id, tab: 'chat' })}>
              Chat
            </Button>
            <Button size="sm" icon={<Icon name="audit" />} onClick={() => navigate({ name: 'character', id: draft.id, tab: 'audit' })} title="Test the character with probe questions, scored by the checker">
              Audit
            </Button>
            <Button size="sm" icon={<Icon name="download" />} onClick={() => void exportAs(draft, 'png')} title="Export as a PNG card (V3 + V2 chunks)">
              PNG
            </Button>
            <Button size="sm" icon={<Icon name="download" />} onClick={() => void exportAs(draft, 'json')} title="Export as V3 JSON">
              JSON
            </Button>
            <Button size="sm" icon={<Icon name="copy" />} onClick={() => void duplicate(draft.id)} title="Duplicate">
              <span className="max-sm:sr-only">Duplicate</span>
            </Button>
            <Button size="sm" variant="ghost" icon={<Icon name="trash" />} onClick={() => setConfirmDelete(true)} title="Delete">
              <span className="max-sm:sr-only">Delete</span>
            </Button>
          </div>
        </div>
        <nav aria-label="Editor sections" className="scroll-thin -mx-1 flex gap-1 overflow-x-auto">
          {SECTIONS.map(([id, label]) => (
            <a key={id} href={`#${id}`} onClick={(e) => { e.preventDefault(); document.getElementById(id)?.scrollIntoView({ behavior: 'smooth' }); }} className="whitespace-nowrap rounded-full px-3 py-1 text-xs font-medium text-stone-600 hover:bg-stone-200 dark:text-stone-400 dark:hover:bg-stone-800">
              {label}
            </a>
          ))}
        </nav>
      </header>
      {problem ? (
        <p role="alert" data-testid="save-problem" className="rounded-xl border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950/50 dark:text-red-200">
          {problem.detail} Your edits are still here: they are saved on your next change, or with Retry.
        </p>
      ) : null}
      <ConflictPanel conflicts={conflicts} onResolve={resolve} />

      <Section id="basics" title="Basics">
        <div className="flex flex-col gap-4 sm:flex-row">
          <div className="flex flex-col items-center gap-2">
            <Avatar blob={draft.avatar} name={draft.card.name} size="lg" />
            <div className="flex gap-1">
              <Button size="sm" onClick={() => avatarInput.current?.click()}>
                {draft.avatar ? 'Change' : 'Upload'}
              </Button>
              {draft.avatar ? (
                <Button size="sm" variant="ghost" onClick={() => update((c) => ({ ...c, avatar: null }))}>
                  Remove
                </Button>
              ) : null}
            </div>
            <input ref={avatarInput} type="file" accept="image/png,image/jpeg,image/webp,image/gif" className="hidden" aria-label="Avatar image" onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void avatar(f); }} />
          </div>
          <div className="flex flex-1 flex-col gap-4">
            <TextField label="Name" value={draft.card.name} onChange={(e) => setCard({ name: e.target.value })} />
            <TextField label="Nickname" hint="used for {{char}} when set" value={draft.card.nickname} onChange={(e) => setCard({ nickname: e.target.value })} />
            <TextField
              label="Tags"
              hint="comma-separated"
              value={tagsText}
              onChange={(e) => {
                setTagsText(e.target.value);
                const tags = splitList(e.target.value);
                if (tags.join('\u0000') !== draft.card.tags.join('\u0000')) setCard({ tags });
              }}
            />
          </div>
        </div>
      </Section>

      <Section id="persona" title="Persona" description="Who the character is. {{char}} and {{user}} are replaced in the prompt.">
        <CardField label="Description" field="description" rows={8} character={draft} update={update} />
        <CardField label="Personality" field="personality" rows={3} character={draft} update={update} />
        <CardField label="Scenario" field="scenario" rows={3} character={draft} update={update} />
      </Section>

      <StatementsSection character={draft} update={update} propose={propose} checks={statementChecks} />
      <GreetingsSection character={draft} update={update} />

      <Section id="examples" title="Example dialogues" description="Sample exchanges that teach the model the character's voice. Separate them with <START>. They never become persona statements.">
        <CardField label="Example dialogues" field="mes_example" rows={8} character={draft} update={update} />
      </Section>

      <LorebookSection character={draft} update={update} onImportWorldInfo={worldInfo.pick} />

      <Section id="notes" title="Notes & prompt">
        <CardField label="Creator notes" hint="never sent to the model" field="creator_notes" rows={4} character={draft} update={update} />
        <CardField label="System prompt" hint="{{original}} inserts the studio's default" field="system_prompt" rows={3} character={draft} update={update} />
        <CardField label="Post-history instructions" field="post_history_instructions" rows={3} character={draft} update={update} />
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField label="Creator" value={draft.card.creator} onChange={(e) => setCard({ creator: e.target.value })} />
          <TextField label="Version" value={draft.card.character_version} onChange={(e) => setCard({ character_version: e.target.value })} />
        </div>
      </Section>
      {worldInfo.input}

      <Dialog
        open={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title={`Delete “${draft.card.name || 'Unnamed'}”?`}
        footer={
          <>
            <Button onClick={() => setConfirmDelete(false)}>Cancel</Button>
            <Button
              variant="danger"
              onClick={() => {
                setConfirmDelete(false);
                void remove(draft.id);
              }}
            >
              Delete
            </Button>
          </>
        }
      >
        The character and all its chats will be removed. You can undo this for a few seconds afterwards.
      </Dialog>
    </div>
  );
}
