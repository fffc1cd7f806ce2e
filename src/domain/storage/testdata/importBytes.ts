/** Test helper shared by the fuzz and time-growth tests: a card file imported the way the service does it. */
import { CardParseError, parseCardFile } from '../../cards';
import type { Character } from '../../character';
import { admitCard } from '../card';

/** Imports bytes the way the service does (parse, then admit); returns the stored card or null for a named refusal. */
export function importBytes(name: string, bytes: Uint8Array): Character['card'] | null {
  try {
    const result = parseCardFile(name, bytes);
    if (result.kind !== 'card') return null;
    return admitCard(result.card).card;
  } catch (e) {
    if (e instanceof CardParseError) return null;
    throw e;
  }
}
