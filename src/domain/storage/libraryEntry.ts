/**
 * The library's entry for a character (table `libraryEntries`, derived from
 * the character on every write; see domain/library.ts). Never in a backup:
 * a restore writes characters and their entries follow.
 */
import * as v from 'valibot';
import type { LibraryEntry } from '../library';
import { isAvatarBlob } from './image';

const finite = v.pipe(v.number(), v.finite());

export const LibraryEntrySchema = v.object({
  id: v.pipe(v.string(), v.nonEmpty()),
  name: v.string(),
  nickname: v.string(),
  tags: v.array(v.string()),
  blurb: v.string(),
  avatar: v.nullable(v.custom<Blob>(isAvatarBlob, 'expected an image (PNG, JPEG or WebP)')),
  statementCount: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  createdAt: finite,
  updatedAt: finite,
});

/** A stored entry, or null when it is not one (the reader then derives entries from the characters). */
export function readLibraryEntry(raw: unknown): LibraryEntry | null {
  const read = v.safeParse(LibraryEntrySchema, raw);
  return read.success ? read.output : null;
}
