import type { Chat } from '../../domain/chat';
import { activePersona } from '../../domain/userPersona';
import { usePersonaActions, usePersonas } from '../../hooks/usePersonas';
import { Icon } from '../ui/Icon';

/**
 * Who the user plays in this chat (issue 13 §5): the default persona or one
 * of the others. Shown once there is a persona to choose; managed in Settings.
 * Earlier messages keep the name they were written under.
 */
export function PersonaPicker({ chat }: { chat: Chat }) {
  const state = usePersonas();
  const { setChatPersona } = usePersonaActions();
  if (!state || state.personas.length === 0) return null;
  const fallback = activePersona(state.personas, undefined, state.defaultPersonaId, state.userName);
  const own = state.personas.some((p) => p.id === chat.personaId) ? chat.personaId! : '';
  return (
    <label className="flex min-w-0 items-center gap-1 text-xs text-stone-600 dark:text-stone-400" title="Who you are in this chat ({{user}})">
      <Icon name="user" className="h-3.5 w-3.5 shrink-0" />
      <span className="sr-only">Persona for this chat</span>
      <select
        aria-label="Persona for this chat"
        className="max-w-48 truncate rounded-lg border border-stone-300 bg-white px-1.5 py-1 text-xs text-stone-800 dark:border-stone-700 dark:bg-stone-900 dark:text-stone-200"
        value={own}
        onChange={(e) => void setChatPersona(chat.id, e.target.value || null)}
      >
        <option value="">Default — {fallback.name}</option>
        {state.personas.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name || '(unnamed)'}
          </option>
        ))}
      </select>
    </label>
  );
}
