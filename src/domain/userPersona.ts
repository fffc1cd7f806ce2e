/**
 * User personas (issue 13 §5): who the user plays. A persona has a name (what
 * `{{user}}` becomes, in prompts and on the user's messages) and a short
 * description that goes into the prompt where SillyTavern puts the persona
 * description (after the scenario). One persona is the default; a chat may
 * choose another. With no personas at all, the user is the "Your name"
 * setting with no description, as before personas existed.
 */

export interface UserPersona {
  id: string;
  name: string;
  description: string;
}

/** Who the user is in one chat: a stored persona (`id`), or the plain "Your name" (`id` null). */
export interface ActivePersona {
  id: string | null;
  name: string;
  description: string;
}

export const MAX_PERSONAS = 200;
export const MAX_PERSONA_NAME_CHARS = 80;
export const MAX_PERSONA_DESCRIPTION_CHARS = 4000;

/**
 * The persona a chat writes as: the chat's own when it still exists, else the
 * default when it exists, else the plain `fallbackName`. A deleted persona
 * therefore falls back without touching the chat (its messages keep the name
 * they were written under).
 */
export function activePersona(personas: readonly UserPersona[], chatPersonaId: string | undefined, defaultPersonaId: string, fallbackName: string): ActivePersona {
  const find = (id: string | undefined) => (id ? personas.find((p) => p.id === id) : undefined);
  const chosen = find(chatPersonaId) ?? find(defaultPersonaId);
  if (chosen) return { id: chosen.id, name: chosen.name.trim() || fallbackName, description: chosen.description };
  return { id: null, name: fallbackName, description: '' };
}

/** The persona list and default after a change (what the settings store). */
export interface PersonaState {
  personas: UserPersona[];
  defaultPersonaId: string;
}

/** A blank persona's name: "Persona N", N one past the largest such number in use. */
export function nextPersonaName(personas: readonly UserPersona[]): string {
  let max = 0;
  for (const p of personas) {
    const m = /^Persona (\d{1,6})$/.exec(p.name.trim());
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `Persona ${Math.max(max, personas.length) + 1}`;
}

/**
 * Adds a persona at the end (the default stays as it is: a new persona changes
 * no chat until it is chosen). At {@link MAX_PERSONAS} nothing is added.
 */
export function addPersona(state: PersonaState, persona: UserPersona): PersonaState {
  if (state.personas.length >= MAX_PERSONAS) return state;
  return { ...state, personas: [...state.personas, persona] };
}

/** Changes a persona's name and/or description, cut to their limits. Unknown ids change nothing. */
export function updatePersona(state: PersonaState, id: string, patch: Partial<Pick<UserPersona, 'name' | 'description'>>): PersonaState {
  return {
    ...state,
    personas: state.personas.map((p) =>
      p.id !== id
        ? p
        : {
            ...p,
            ...(patch.name !== undefined ? { name: patch.name.slice(0, MAX_PERSONA_NAME_CHARS) } : {}),
            ...(patch.description !== undefined ? { description: patch.description.slice(0, MAX_PERSONA_DESCRIPTION_CHARS) } : {}),
          },
    ),
  };
}

/**
 * Removes a persona. When it was the default, the default becomes none (the
 * plain "Your name"); chats that chose it fall back to the default when read
 * ({@link activePersona}), so no chat is rewritten and nothing is lost.
 */
export function removePersona(state: PersonaState, id: string): PersonaState {
  return { personas: state.personas.filter((p) => p.id !== id), defaultPersonaId: state.defaultPersonaId === id ? '' : state.defaultPersonaId };
}
