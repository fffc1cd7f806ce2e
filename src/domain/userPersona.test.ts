import { describe, expect, it } from 'vitest';
import { activePersona, addPersona, MAX_PERSONAS, nextPersonaName, removePersona, updatePersona, type PersonaState } from './userPersona';

const ro = { id: 'ro', name: 'Captain Ro', description: 'A smuggler.' };
const ada = { id: 'ada', name: 'Ada', description: '' };

describe('activePersona', () => {
  it('takes the chat’s persona, else the default, else “Your name”', () => {
    expect(activePersona([ro, ada], 'ada', 'ro', 'You')).toEqual({ id: 'ada', name: 'Ada', description: '' });
    expect(activePersona([ro, ada], undefined, 'ro', 'You')).toEqual({ id: 'ro', name: 'Captain Ro', description: 'A smuggler.' });
    expect(activePersona([ro, ada], undefined, '', 'Sam')).toEqual({ id: null, name: 'Sam', description: '' });
  });

  it('falls back when the chat’s persona or the default was deleted', () => {
    expect(activePersona([ada], 'ro', 'ada', 'You').name).toBe('Ada');
    expect(activePersona([], 'ro', 'ro', 'You')).toEqual({ id: null, name: 'You', description: '' });
  });

  it('uses “Your name” for a persona whose name is blank', () => {
    expect(activePersona([{ id: 'x', name: '  ', description: 'd' }], 'x', '', 'You')).toEqual({ id: 'x', name: 'You', description: 'd' });
  });
});

describe('persona list changes', () => {
  const state: PersonaState = { personas: [ro, ada], defaultPersonaId: 'ro' };

  it('adds at the end without changing the default, up to the limit', () => {
    expect(addPersona(state, { id: 'n', name: 'N', description: '' })).toEqual({ personas: [ro, ada, { id: 'n', name: 'N', description: '' }], defaultPersonaId: 'ro' });
    const full: PersonaState = { personas: Array.from({ length: MAX_PERSONAS }, (_, i) => ({ id: `p${i}`, name: '', description: '' })), defaultPersonaId: '' };
    expect(addPersona(full, ro)).toBe(full);
  });

  it('renames and edits one persona, cut to the limits', () => {
    const next = updatePersona(state, 'ada', { name: 'Ada Lovelace', description: 'x'.repeat(5000) });
    expect(next.personas[1]).toEqual({ id: 'ada', name: 'Ada Lovelace', description: 'x'.repeat(4000) });
    expect(next.personas[0]).toBe(ro);
    expect(updatePersona(state, 'nobody', { name: 'Z' }).personas).toEqual(state.personas);
  });

  it('deleting the default leaves no default; deleting another keeps it', () => {
    expect(removePersona(state, 'ro')).toEqual({ personas: [ada], defaultPersonaId: '' });
    expect(removePersona(state, 'ada')).toEqual({ personas: [ro], defaultPersonaId: 'ro' });
  });

  it('names a new persona one past the largest “Persona N”', () => {
    expect(nextPersonaName([])).toBe('Persona 1');
    expect(nextPersonaName([{ id: 'a', name: 'Persona 7', description: '' }, ro])).toBe('Persona 8');
  });
});
