/**
 * Persona statements travel inside an exported card, so a character exported
 * from the studio and imported again (here or in another copy of the studio)
 * keeps the facts its writer accepted. They live under one extension key (the
 * V2/V3 specs leave `extensions` to applications, and other apps keep unknown
 * keys), as `{ text, enabled }` items: ids and versions are local to one
 * library. On import the key is taken out of the card into the character's
 * statements, so the card never carries a second, stale copy.
 */
import type { CardData } from '../character';

export const STATEMENTS_EXTENSION_KEY = 'in_character_statements';
/** At most this many statements are read from a card (a card is untrusted). */
export const MAX_CARD_STATEMENTS = 500;
/** Longer text is not one fact; such an item is left out. */
export const MAX_CARD_STATEMENT_CHARS = 1000;

export interface CardStatement {
  text: string;
  enabled: boolean;
}

/** The card with the statements under STATEMENTS_EXTENSION_KEY (replacing any there); no key when there are none. */
export function withStatements(card: CardData, statements: readonly CardStatement[]): CardData {
  const { [STATEMENTS_EXTENSION_KEY]: _old, ...extensions } = card.extensions;
  const items = statements.filter((s) => s.text.trim() !== '').map((s) => ({ text: s.text, enabled: s.enabled }));
  return { ...card, extensions: items.length ? { ...extensions, [STATEMENTS_EXTENSION_KEY]: items } : extensions };
}

/**
 * Takes the statements out of a card's extensions. Items that are not
 * `{ text: string }` with 1–MAX_CARD_STATEMENT_CHARS characters are skipped,
 * repeats (same text) kept once, at most MAX_CARD_STATEMENTS read. Never
 * throws; linear in the list.
 */
export function takeStatements(card: CardData): { card: CardData; statements: CardStatement[] } {
  const raw = card.extensions[STATEMENTS_EXTENSION_KEY];
  if (raw === undefined) return { card, statements: [] };
  const { [STATEMENTS_EXTENSION_KEY]: _taken, ...extensions } = card.extensions;
  const statements: CardStatement[] = [];
  const seen = new Set<string>();
  if (Array.isArray(raw)) {
    for (const item of raw.slice(0, MAX_CARD_STATEMENTS)) {
      if (typeof item !== 'object' || item === null) continue;
      const { text, enabled } = item as { text?: unknown; enabled?: unknown };
      if (typeof text !== 'string') continue;
      const trimmed = text.trim();
      if (!trimmed || trimmed.length > MAX_CARD_STATEMENT_CHARS || seen.has(trimmed)) continue;
      seen.add(trimmed);
      statements.push({ text: trimmed, enabled: enabled !== false });
    }
  }
  return { card: { ...card, extensions }, statements };
}
