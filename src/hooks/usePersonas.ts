import { useCallback } from 'react';
import { newId } from '../domain/character';
import type { Chat } from '../domain/chat';
import { activePersona, addPersona, nextPersonaName, removePersona, updatePersona, type ActivePersona, type PersonaState, type UserPersona } from '../domain/userPersona';
import { repos } from '../db';
import { useUi } from '../stores/ui';
import { errorDetail, useUndoNotice } from './notices';
import { useSetting } from './useSettings';

/** The personas, the default and "Your name"; null while loading. */
export function usePersonas(): (PersonaState & { userName: string }) | null {
  const personas = useSetting('personas');
  const defaultPersonaId = useSetting('defaultPersonaId');
  const userName = useSetting('userName');
  if (personas === null || defaultPersonaId === null || userName === null) return null;
  return { personas, defaultPersonaId, userName };
}

/** Who the user is in `chat` (its persona, else the default, else "Your name"); null while loading. */
export function useActivePersona(chat: Pick<Chat, 'personaId'>): ActivePersona | null {
  const state = usePersonas();
  return state ? activePersona(state.personas, chat.personaId, state.defaultPersonaId, state.userName) : null;
}

/**
 * Adding, editing and deleting personas (settings `personas` and
 * `defaultPersonaId`, written together), and choosing a chat's persona.
 * Each change reads the stored list first, so two quick edits never undo each
 * other. Deleting offers Undo.
 */
export function usePersonaActions() {
  const notify = useUi((s) => s.notify);
  const offerUndo = useUndoNotice();
  const change = useCallback(
    async (title: string, fn: (state: PersonaState) => PersonaState): Promise<boolean> => {
      try {
        const state = { personas: await repos.settings.read('personas'), defaultPersonaId: await repos.settings.read('defaultPersonaId') };
        await repos.settings.setMany(fn(state));
        return true;
      } catch (e) {
        notify({ kind: 'error', title, detail: errorDetail(e) });
        return false;
      }
    },
    [notify],
  );
  return {
    add: () => change('Could not add a persona', (s) => addPersona(s, { id: newId(), name: nextPersonaName(s.personas), description: '' })),
    update: (id: string, patch: Partial<Pick<UserPersona, 'name' | 'description'>>) => change('Could not save the persona', (s) => updatePersona(s, id, patch)),
    setDefault: (id: string) => change('Could not change the default persona', (s) => ({ ...s, defaultPersonaId: id })),
    remove: async (persona: UserPersona) => {
      let before: PersonaState | null = null;
      const removed = await change('Could not delete the persona', (s) => {
        before = s;
        return removePersona(s, persona.id);
      });
      const snapshot = before as PersonaState | null;
      if (!removed || !snapshot) return;
      offerUndo({
        title: `Deleted the persona “${persona.name || 'unnamed'}”`,
        detail: 'Chats that used it now use the default persona; their messages are unchanged.',
        undo: async () => {
          // Put it back where it was, keeping personas added since.
          const now = { personas: await repos.settings.read('personas'), defaultPersonaId: await repos.settings.read('defaultPersonaId') };
          const at = snapshot.personas.findIndex((p) => p.id === persona.id);
          const personas = now.personas.some((p) => p.id === persona.id) ? now.personas : [...now.personas.slice(0, at), persona, ...now.personas.slice(at)];
          await repos.settings.setMany({ personas, defaultPersonaId: snapshot.defaultPersonaId === persona.id && now.defaultPersonaId === '' ? persona.id : now.defaultPersonaId });
        },
      });
    },
    setChatPersona: async (chatId: string, personaId: string | null) => {
      try {
        await repos.chats.setPersona(chatId, personaId);
      } catch (e) {
        notify({ kind: 'error', title: 'Could not change the persona', detail: errorDetail(e) });
      }
    },
  };
}
