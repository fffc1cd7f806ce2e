import { useId } from 'react';
import { usePersonaActions, usePersonas } from '../../hooks/usePersonas';
import { setSetting } from '../../hooks/useSettings';
import { MAX_PERSONAS, MAX_PERSONA_DESCRIPTION_CHARS, MAX_PERSONA_NAME_CHARS } from '../../domain/userPersona';
import { Section } from '../editor/Section';
import { Button, IconButton } from '../ui/Button';
import { Spinner } from '../ui/EmptyState';
import { Label, TextArea, TextField } from '../ui/Field';
import { Icon } from '../ui/Icon';

const SELECT =
  'w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-sm text-stone-900 focus:border-accent-500 focus:outline-none focus:ring-2 focus:ring-accent-500/30 dark:border-stone-700 dark:bg-stone-900 dark:text-stone-100';

/**
 * "You" in Settings: your name, and your personas (issue 13 §5) — who you
 * play, by name (`{{user}}`) and a short description the model reads. Fields
 * save when they lose focus, like "Your name".
 */
export function PersonasSection() {
  const state = usePersonas();
  const actions = usePersonaActions();
  const defaultId = useId();
  return (
    <Section
      id="you"
      title="You"
      description="Who characters talk to: {{user}} in cards and prompts. A persona adds a short description the model reads; each chat can pick its own."
      actions={
        <Button size="sm" icon={<Icon name="plus" />} disabled={!state || state.personas.length >= MAX_PERSONAS} onClick={() => void actions.add()}>
          Add persona
        </Button>
      }
    >
      {state === null ? (
        <Spinner />
      ) : (
        <>
          <TextField label="Your name" hint="used when no persona is chosen" defaultValue={state.userName} maxLength={512} onBlur={(e) => void setSetting('userName', e.target.value.trim() || 'You')} />
          <div>
            <Label htmlFor={defaultId}>Default persona</Label>
            <select id={defaultId} className={SELECT} value={state.personas.some((p) => p.id === state.defaultPersonaId) ? state.defaultPersonaId : ''} onChange={(e) => void actions.setDefault(e.target.value)}>
              <option value="">None — {state.userName}</option>
              {state.personas.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name || '(unnamed)'}
                </option>
              ))}
            </select>
            <p className="mt-1 text-xs text-stone-500 dark:text-stone-400">New chats, and chats without a persona of their own, use this one.</p>
          </div>
          {state.personas.length === 0 ? (
            <p className="text-sm text-stone-500 dark:text-stone-400">No personas yet. Add one to play someone other than “{state.userName}”.</p>
          ) : (
            <ul className="flex flex-col gap-3" data-testid="persona-list">
              {state.personas.map((p) => (
                <li key={p.id} data-testid="persona" className="rounded-xl border border-stone-200 p-3 dark:border-stone-800">
                  <div className="flex items-end gap-2">
                    <TextField
                      className="min-w-0 flex-1"
                      label="Persona name"
                      hint={p.id === state.defaultPersonaId ? 'default' : undefined}
                      defaultValue={p.name}
                      maxLength={MAX_PERSONA_NAME_CHARS}
                      onBlur={(e) => {
                        const name = e.target.value.trim();
                        if (name !== p.name) void actions.update(p.id, { name });
                      }}
                    />
                    <IconButton label={`Delete persona “${p.name || 'unnamed'}”`} onClick={() => void actions.remove(p)}>
                      <Icon name="trash" />
                    </IconButton>
                  </div>
                  <TextArea
                    className="mt-2"
                    label="Description"
                    hint="goes into the prompt after the scenario"
                    rows={3}
                    defaultValue={p.description}
                    maxLength={MAX_PERSONA_DESCRIPTION_CHARS}
                    placeholder="A retired lighthouse keeper, 60, dry humour, walks with a cane."
                    onBlur={(e) => {
                      if (e.target.value !== p.description) void actions.update(p.id, { description: e.target.value });
                    }}
                  />
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Section>
  );
}
