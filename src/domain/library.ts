/** How the library lists characters: search and the one-line summary (pure, so the fuzz tests can run it on every stored shape). */
import type { Character } from './character';

/** Characters matching a query by name, nickname or tag (case-insensitive). */
export function filterCharacters(characters: Character[], query: string): Character[] {
  const q = query.trim().toLowerCase();
  if (!q) return characters;
  const tagQuery = q.startsWith('#') ? q.slice(1) : null;
  return characters.filter((c) => {
    const tags = c.card.tags.map((t) => t.toLowerCase());
    if (tagQuery !== null) return tags.some((t) => t.includes(tagQuery));
    return c.card.name.toLowerCase().includes(q) || c.card.nickname.toLowerCase().includes(q) || tags.some((t) => t.includes(q));
  });
}

/** Longest summary shown under a name in the library. */
const SUMMARY_CHARS = 80;

/**
 * The summary under a name in the library: the first words of the
 * description (or personality, or scenario), whitespace collapsed. Stops as
 * soon as the summary is full, so a megabyte description costs no more than
 * a short one.
 */
export function shortDescription(c: Character): string {
  const source = c.card.description || c.card.personality || c.card.scenario;
  let out = '';
  let space = false;
  for (const ch of source) {
    if (/\s/.test(ch)) {
      space = out !== '';
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += ch;
    if (out.length > SUMMARY_CHARS) break;
  }
  return out.length > SUMMARY_CHARS ? `${out.slice(0, SUMMARY_CHARS)}…` : out;
}

/** The name the library shows. */
export function displayName(c: Character): string {
  return c.card.name || 'Unnamed';
}
