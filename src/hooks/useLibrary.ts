import { useLiveQuery } from 'dexie-react-hooks';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { keepLibrarySnapshot, lastSnapshot } from '../services/librarySnapshot';
import { sharedFeed, useFeed } from './sharedFeed';
import type { Character, Lorebook } from '../domain/character';
import { filterCharacters, freezeKeys, libraryTags, sortCharacters, sortKeysOf, type LibraryEntry, type LibrarySort, type SortKeys } from '../domain/library';
import { setSetting, useSetting } from './useSettings';
import { repos } from '../db';
import { errorDetail, useUndoNotice } from './notices';
import { useUi } from '../stores/ui';
import { useRoute } from '../stores/route';
import { downloadBlob, formatBytes } from '../platform/files';
import { exportCharacterJson, exportCharacterPng, importFiles, type ImportOutcome } from '../services/library';
export type { PendingLorebook } from '../services/library';

// One read of the library's entries for every screen that lists it, and of
// when each character was last used (the sidebar's order needs both). Until
// IndexedDB answers, both show the snapshot of the last start's library
// (services/librarySnapshot.ts), so the list paints at once.
const entriesFeed = sharedFeed<LibraryEntry[]>(
  (next, error) => repos.characters.watchEntries(next, error),
  () => lastSnapshot()?.entries ?? null,
);
const lastUsedFeed = sharedFeed<Map<string, number>>(
  (next, error) => repos.chats.watchLastUsed(next, error),
  () => {
    const s = lastSnapshot();
    return s ? new Map(s.lastUsed) : null;
  },
);
// Whole characters, for the screens that need their cards (read when one opens).
const charactersFeed = sharedFeed<Character[]>((next, error) => repos.characters.watchList(next, error));

/**
 * Starts reading the library now: main.tsx calls it before React's first
 * render, so opening the database and reading overlap the render.
 */
export function preloadLibrary(): void {
  entriesFeed.start();
  lastUsedFeed.start();
}

/** What the library lists of every character, newest first; null while loading. */
export function useLibraryEntries(): LibraryEntry[] | null {
  return useFeed(entriesFeed);
}

/** All characters with their cards, newest first; null while loading. */
export function useCharacters(): Character[] | null {
  return useFeed(charactersFeed);
}

/** One character: null while loading, undefined when it does not exist. */
export function useCharacter(id: string | undefined): Character | null | undefined {
  return useLiveQuery(() => (id ? repos.characters.get(id) : undefined), [id], null);
}

/**
 * An import that takes longer than this gets a notice saying it is under way
 * (big cards are parsed in a worker, so the studio stays usable meanwhile);
 * a quick one never flashes it.
 */
const IMPORT_BUSY_NOTICE_AFTER_MS = 300;
/** From this total size on, the notice shows at once: such an import always takes a while. */
const IMPORT_BUSY_NOTICE_AT_ONCE_BYTES = 1024 * 1024;
/** What is wrong with a character's stored record (repaired when read); null while loading. */
export function useCharacterProblems(id: string | undefined): string[] | null {
  return useLiveQuery(() => (id ? repos.characters.problems(id) : []), [id], null);
}

/**
 * Ids and names of every character, for a screen whose normal view failed.
 * Never throws: a failing read gives an empty list.
 */
export function useCharacterIndex(): { id: string; name: string }[] | null {
  return useLiveQuery(
    () =>
      repos.characters
        .entries()
        .then((list) => list.map((c) => ({ id: c.id, name: c.name })))
        .catch(() => []),
    [],
    null,
  );
}

/** Library actions with their notices (undo, errors). */
export function useLibraryActions() {
  const notify = useUi((s) => s.notify);
  const dismiss = useUi((s) => s.dismiss);
  const navigate = useRoute((s) => s.navigate);
  const offerUndo = useUndoNotice();

  const create = useCallback(async () => {
    try {
      const c = await repos.characters.create({ card: { name: 'New character' } });
      navigate({ name: 'character', id: c.id, tab: 'edit' });
      return c;
    } catch (e) {
      notify({ kind: 'error', title: 'Could not create the character', detail: errorDetail(e) });
      return null;
    }
  }, [navigate, notify]);

  const duplicate = useCallback(
    async (id: string) => {
      try {
        const c = await repos.characters.duplicate(id);
        notify({ kind: 'success', title: `Duplicated as “${c.card.name}”` });
        navigate({ name: 'character', id: c.id, tab: 'edit' });
      } catch (e) {
        notify({ kind: 'error', title: 'Could not duplicate', detail: errorDetail(e) });
      }
    },
    [navigate, notify],
  );

  const remove = useCallback(
    async (id: string) => {
      try {
        const snapshot = await repos.characters.delete(id);
        if (!snapshot) return;
        if (useRoute.getState().route.name === 'character') navigate({ name: 'home' }, { replace: true });
        offerUndo({
          title: `Deleted “${snapshot.character.card.name}”`,
          detail: snapshot.chats.length ? `With ${snapshot.chats.length} chat${snapshot.chats.length === 1 ? '' : 's'}.` : undefined,
          undo: async () => {
            await repos.characters.restore(snapshot);
            navigate({ name: 'character', id: snapshot.character.id, tab: 'edit' });
          },
        });
      } catch (e) {
        notify({ kind: 'error', title: 'Could not delete', detail: errorDetail(e) });
      }
    },
    [navigate, notify, offerUndo],
  );

  const importMany = useCallback(
    async (files: File[]): Promise<ImportOutcome | null> => {
      if (files.length === 0) return null;
      const what = files.length === 1 ? `“${files[0]!.name}”` : `${files.length} files`;
      let busyNotice: number | null = null;
      const bytes = files.reduce((sum, f) => sum + f.size, 0);
      const busyTimer = setTimeout(
        () => {
          busyNotice = notify({ kind: 'info', title: `Importing ${what}…`, detail: `${formatBytes(bytes)}, read in the background: you can keep working.`, timeoutMs: 0 });
        },
        bytes >= IMPORT_BUSY_NOTICE_AT_ONCE_BYTES ? 0 : IMPORT_BUSY_NOTICE_AFTER_MS,
      );
      const done = () => {
        clearTimeout(busyTimer);
        if (busyNotice !== null) dismiss(busyNotice);
      };
      try {
        const outcome = await importFiles(files).finally(done);
        for (const f of outcome.failed) {
          notify({ kind: 'error', title: `Could not import “${f.fileName}”`, detail: `${f.reason}\nYour library was not changed.` });
        }
        const notesByFile = new Map<string, string[]>();
        for (const n of outcome.notes) notesByFile.set(n.fileName, [...(notesByFile.get(n.fileName) ?? []), n.note]);
        for (const [fileName, notes] of notesByFile) {
          notify({ kind: 'info', title: `“${fileName}” was imported with changes`, detail: notes.join('\n') });
        }
        if (outcome.imported.length === 1) {
          notify({ kind: 'success', title: `Imported “${outcome.imported[0]!.card.name}”` });
          navigate({ name: 'character', id: outcome.imported[0]!.id, tab: 'edit' });
        } else if (outcome.imported.length > 1) {
          notify({ kind: 'success', title: `Imported ${outcome.imported.length} characters` });
        }
        return outcome;
      } catch (e) {
        notify({ kind: 'error', title: 'Import failed', detail: `${errorDetail(e)}\nYour library was not changed.` });
        return null;
      }
    },
    [navigate, notify, dismiss],
  );

  const attachLorebook = useCallback(
    async (characterId: string, lorebook: Lorebook, fileName: string) => {
      try {
        const c = await repos.characters.addLorebookEntries(characterId, lorebook);
        notify({ kind: 'success', title: `Added ${lorebook.entries.length} lorebook entries to “${c.card.name}”`, detail: `From ${fileName}.` });
        navigate({ name: 'character', id: c.id, tab: 'edit' });
      } catch (e) {
        notify({ kind: 'error', title: `Could not add “${fileName}”`, detail: errorDetail(e) });
      }
    },
    [navigate, notify],
  );

  const exportAs = useCallback(
    async (character: Character, format: 'png' | 'json') => {
      try {
        const { blob, filename } = format === 'png' ? await exportCharacterPng(character) : exportCharacterJson(character);
        downloadBlob(blob, filename);
      } catch (e) {
        notify({ kind: 'error', title: 'Export failed', detail: errorDetail(e) });
      }
    },
    [notify],
  );

  const repair = useCallback(
    async (id: string) => {
      try {
        const repairs = await repos.characters.repair(id);
        notify({ kind: 'success', title: 'The repaired character was saved', detail: repairs.length ? `${repairs.length} field${repairs.length === 1 ? '' : 's'} fixed.` : undefined });
      } catch (e) {
        notify({ kind: 'error', title: 'Could not save the repaired character', detail: errorDetail(e) });
      }
    },
    [notify],
  );

  return { create, duplicate, remove, repair, importMany, attachLorebook, exportAs };
}

const NOT_SORTED_BY_USE: ReadonlyMap<string, number> = new Map();
const NO_FAVOURITES: readonly string[] = [];

/**
 * The library as the sidebar lists it: filtered by `query` and `tag`,
 * favourites first, in the chosen order, with the total count.
 *
 * The order is frozen for the character being worked on: each character
 * keeps the sort keys it had when `activeId` (or the order) last changed,
 * so autosaves of the open character — which raise its `updatedAt` — do
 * not move it under "recently edited" while the writer types.
 */
export function useLibraryView(query: string, tag: string, activeId: string | null) {
  const characters = useLibraryEntries();
  const lastUsed = useFeed(lastUsedFeed);
  const storedSort = useSetting('librarySort');
  const storedFavourites = useSetting('favouriteCharacters');
  // While the settings load, the order the snapshot was shown in.
  const sort: LibrarySort = storedSort ?? lastSnapshot()?.sort ?? 'edited';
  const favouriteList = storedFavourites ?? lastSnapshot()?.favourites ?? NO_FAVOURITES;
  // What IndexedDB says (not the snapshot) is kept for the next start.
  const fromDb = characters !== null && characters !== lastSnapshot()?.entries && lastUsed !== null && storedSort !== null && storedFavourites !== null;
  useEffect(() => {
    if (fromDb) keepLibrarySnapshot({ entries: characters, lastUsed, sort: storedSort, favourites: storedFavourites });
  }, [fromDb, characters, lastUsed, storedSort, storedFavourites]);
  const favourites = useMemo(() => new Set(favouriteList), [favouriteList]);
  // "Last used" times move with every save in a chat; only the "Last used"
  // order looks at them, so the others do not re-sort the library on each.
  const usedTimes = lastUsed === null ? null : sort === 'used' ? lastUsed : NOT_SORTED_BY_USE;
  const current = useMemo(() => (characters && usedTimes ? new Map(characters.map((c) => [c.id, sortKeysOf(c, usedTimes)])) : null), [characters, usedTimes]);
  const token = `${sort}|${activeId ?? ''}`;
  const [frozen, setFrozen] = useState<{ token: string; source: Map<string, SortKeys> | null; keys: Map<string, SortKeys> }>({ token, source: null, keys: new Map() });
  if (current && (frozen.source !== current || frozen.token !== token)) {
    // Derived state, updated during render (React re-renders at once, before painting).
    setFrozen({ token, source: current, keys: freezeKeys(frozen.keys, current, frozen.token !== token) });
  }
  const keys = frozen.keys;
  const visible = useMemo(() => {
    if (!characters || !usedTimes) return null;
    const byTag = tag ? characters.filter((c) => c.tags.some((t) => t.trim().toLocaleLowerCase() === tag)) : characters;
    return sortCharacters(filterCharacters(byTag, query), sort, favourites, (c) => keys.get(c.id) ?? sortKeysOf(c, usedTimes!));
  }, [characters, usedTimes, tag, query, sort, favourites, keys]);
  // Until IndexedDB answers, the snapshot holds only the list's head: its count and tags are the library's.
  const snapshot = characters !== null && characters === lastSnapshot()?.entries ? lastSnapshot() : null;
  const tags = useMemo(() => snapshot?.tags ?? (characters ? libraryTags(characters) : []), [snapshot, characters]);
  const toggleFavourite = useCallback(
    (id: string) => void setSetting('favouriteCharacters', favourites.has(id) ? favouriteList.filter((f) => f !== id) : [...favouriteList, id]),
    [favourites, favouriteList],
  );
  const setSort = useCallback((next: LibrarySort) => void setSetting('librarySort', next), []);
  return { characters, visible, total: snapshot?.total ?? characters?.length ?? 0, tags, sort, setSort, favourites, toggleFavourite };
}
