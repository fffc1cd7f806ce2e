/** How the library lists characters: search and the one-line summary (pure, so the fuzz tests can run it on every stored shape). */
import type { Character } from './character';

/**
 * What the library lists of a character: a few hundred bytes, so the studio
 * can read a 1,000-character library at start without reading 1,000 cards
 * (descriptions, greetings, lorebooks). Derived from the character whenever
 * it is written (db: table `libraryEntries`), never edited by itself.
 */
export interface LibraryEntry {
  id: string;
  name: string;
  nickname: string;
  tags: string[];
  /** {@link shortDescription}: the line under the name. */
  blurb: string;
  avatar: Blob | null;
  statementCount: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * What the library showed last time, kept outside IndexedDB (localStorage) so
 * the next start can list it before the database has answered. Only the
 * head of the list is kept (`snapshotOf`): the rows a first screen can show.
 * Avatars are left out (null): they follow with the database's answer, which
 * replaces the snapshot as soon as it comes.
 */
export interface LibrarySnapshot {
  /** The head of the library, in the library's own order (newest first). */
  entries: LibraryEntry[];
  lastUsed: [string, number][];
  sort: LibrarySort;
  favourites: string[];
  /** How many characters the library has (the count shown beside the list). */
  total: number;
  /** Every tag of the library (the tag filter's choices). */
  tags: string[];
}

/** Characters the home page lists (the newest). */
export const HOME_RECENT = 6;
/**
 * Rows of the sidebar's order a snapshot keeps: more than a tall screen
 * shows. A 1,000-character snapshot took ~50 ms to read from localStorage
 * and validate before the first paint (bench:scale's DOMContentLoaded).
 */
export const SNAPSHOT_HEAD = 60;

/**
 * The snapshot of a library: the first `head` characters in the sidebar's
 * order (favourites first, then `sort`) and the home page's newest, kept in
 * the library's own order, with the total and every tag. Sorted again in the
 * sidebar's order, these begin with exactly the rows the full list begins
 * with. Avatars left out.
 */
export function snapshotOf(
  entries: readonly LibraryEntry[],
  lastUsed: ReadonlyMap<string, number>,
  sort: LibrarySort,
  favourites: readonly string[],
  head = SNAPSHOT_HEAD,
): LibrarySnapshot {
  const keep = new Set<string>();
  for (const e of entries.slice(0, HOME_RECENT)) keep.add(e.id);
  for (const e of sortCharacters(entries, sort, new Set(favourites), (c) => sortKeysOf(c, lastUsed)).slice(0, head)) keep.add(e.id);
  return {
    entries: entries.filter((e) => keep.has(e.id)).map((e) => ({ ...e, avatar: null })),
    lastUsed: [...lastUsed].filter(([id]) => keep.has(id)),
    sort,
    favourites: [...favourites],
    total: entries.length,
    tags: libraryTags(entries),
  };
}

/** The library's entry for a character (linear in its size; reads only the first words of the description). */
export function libraryEntryOf(c: Character): LibraryEntry {
  return {
    id: c.id,
    name: c.card.name,
    nickname: c.card.nickname,
    tags: c.card.tags,
    blurb: shortDescription(c),
    avatar: c.avatar,
    statementCount: c.statements.length,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

/** Entries matching a query by name, nickname or tag (case-insensitive). */
export function filterCharacters<E extends Pick<LibraryEntry, 'name' | 'nickname' | 'tags'>>(entries: readonly E[], query: string): E[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...entries];
  const tagQuery = q.startsWith('#') ? q.slice(1) : null;
  return entries.filter((c) => {
    const tags = c.tags.map((t) => t.toLowerCase());
    if (tagQuery !== null) return tags.some((t) => t.includes(tagQuery));
    return c.name.toLowerCase().includes(q) || c.nickname.toLowerCase().includes(q) || tags.some((t) => t.includes(q));
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

/** {@link displayName} of an entry. */
export function entryName(e: Pick<LibraryEntry, 'name'>): string {
  return e.name || 'Unnamed';
}

/** How the library is ordered (a setting). Favourites come first in every order. */
export type LibrarySort = 'edited' | 'used' | 'name';
export const LIBRARY_SORTS: readonly LibrarySort[] = ['edited', 'used', 'name'];

/** What a character is sorted by: its `updatedAt`, its last chat, its name. */
export interface SortKeys {
  edited: number;
  used: number;
  name: string;
}

export function sortKeysOf(e: Pick<LibraryEntry, 'id' | 'name' | 'updatedAt'>, lastUsed: ReadonlyMap<string, number>): SortKeys {
  return { edited: e.updatedAt, used: lastUsed.get(e.id) ?? 0, name: entryName(e).toLocaleLowerCase() };
}

/**
 * The library's order: favourites first, then by `sort` (newest first for
 * the dates, A→Z for names), ties by name then id so the order is total.
 * `keys` gives each character's sort keys — the caller may hand in keys
 * taken earlier, so a character saving under "recently edited" keeps its
 * place until the list is sorted again (see `freezeKeys`).
 */
export function sortCharacters<C extends Pick<LibraryEntry, 'id'>>(characters: readonly C[], sort: LibrarySort, favourites: ReadonlySet<string>, keys: (c: C) => SortKeys): C[] {
  const keyed = characters.map((c) => ({ c, k: keys(c), fav: favourites.has(c.id) }));
  keyed.sort((a, b) => {
    if (a.fav !== b.fav) return a.fav ? -1 : 1;
    const by = sort === 'name' ? 0 : sort === 'edited' ? b.k.edited - a.k.edited : b.k.used - a.k.used;
    if (by !== 0) return by;
    const name = a.k.name < b.k.name ? -1 : a.k.name > b.k.name ? 1 : 0;
    return name !== 0 ? name : a.c.id < b.c.id ? -1 : a.c.id > b.c.id ? 1 : 0;
  });
  return keyed.map((x) => x.c);
}

/**
 * Sort keys that stay put: a character keeps the keys it was first seen
 * with until `refresh` (the writer opened another character, or changed the
 * order), so autosaves of the one being edited do not move it in the list.
 * New characters get their keys when they appear.
 */
export function freezeKeys(previous: ReadonlyMap<string, SortKeys>, current: ReadonlyMap<string, SortKeys>, refresh: boolean): Map<string, SortKeys> {
  if (refresh) return new Map(current);
  const out = new Map<string, SortKeys>();
  for (const [id, k] of current) out.set(id, previous.get(id) ?? k);
  return out;
}

/** Every tag in the library, case-folded and deduplicated, A→Z. */
export function libraryTags(entries: readonly Pick<LibraryEntry, 'tags'>[]): string[] {
  const tags = new Set<string>();
  for (const c of entries) for (const t of c.tags) if (t.trim()) tags.add(t.trim().toLocaleLowerCase());
  return [...tags].sort();
}
