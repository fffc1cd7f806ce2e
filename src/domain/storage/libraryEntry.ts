/**
 * The library's entry for a character (table `libraryEntries`, derived from
 * the character on every write; see domain/library.ts). Never in a backup:
 * a restore writes characters and their entries follow.
 */
import * as v from 'valibot';
import { LIBRARY_SORTS, libraryTags, type LibraryEntry, type LibrarySnapshot } from '../library';
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

const SnapshotSchema = v.object({
  entries: v.array(v.object({ ...LibraryEntrySchema.entries, avatar: v.null() })),
  lastUsed: v.array(v.tuple([v.string(), finite])),
  sort: v.picklist(LIBRARY_SORTS),
  favourites: v.array(v.string()),
  // Absent in snapshots kept before only the head was: they held the whole library.
  total: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(0))),
  tags: v.optional(v.array(v.string())),
});

/** A library snapshot from its stored text (see LibrarySnapshot), or null when it is not one. Linear in the text. */
export function readLibrarySnapshot(text: string | null): LibrarySnapshot | null {
  if (!text) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const read = v.safeParse(SnapshotSchema, raw);
  if (!read.success) return null;
  const { total, tags, ...rest } = read.output;
  return { ...rest, total: Math.max(total ?? 0, rest.entries.length), tags: tags ?? libraryTags(rest.entries) };
}
