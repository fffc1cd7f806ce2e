/**
 * Keeps table `libraryEntries` (one small row per character: what the library
 * lists) in step with table `characters`, in the same transaction as every
 * write to it. A Dexie DBCore middleware, so no write path can forget it:
 * editor saves, imports, restores, undo, repairs and clears all pass here.
 */
import type { DBCore, DBCoreMutateRequest, DBCoreMutateResponse, DBCoreTable, DBCoreTransaction, Middleware } from 'dexie';
import { libraryEntryOf, type LibraryEntry } from '../domain/library';
import { readCharacter } from '../domain/storage/character';

export const CHARACTERS = 'characters';
export const LIBRARY_ENTRIES = 'libraryEntries';

/** The entry of a stored character record of any quality (read as the library reads it); null without a usable id. */
export function entryOfRecord(row: unknown): LibraryEntry | null {
  const character = readCharacter(row)?.character;
  return character ? libraryEntryOf(character) : null;
}

const hasEntries = (trans: DBCoreTransaction) => (trans as unknown as IDBTransaction).objectStoreNames?.contains(LIBRARY_ENTRIES) === true;

function mirror(entries: DBCoreTable, req: DBCoreMutateRequest, res: DBCoreMutateResponse): Promise<unknown> | undefined {
  const { trans } = req;
  switch (req.type) {
    case 'add':
    case 'put': {
      const values = req.values.flatMap((value, i) => (i in res.failures ? [] : (entryOfRecord(value) ?? [])));
      return values.length ? entries.mutate({ type: 'put', trans, values }) : undefined;
    }
    case 'delete':
      return entries.mutate({ type: 'delete', trans, keys: req.keys });
    case 'deleteRange':
      return entries.mutate({ type: 'deleteRange', trans, range: req.range });
  }
}

export const libraryEntriesMiddleware: Middleware<DBCore> = {
  stack: 'dbcore',
  name: 'LibraryEntries',
  create(core) {
    const known = core.schema.tables.some((t) => t.name === LIBRARY_ENTRIES);
    return {
      ...core,
      // Every read-write transaction over characters also holds their entries.
      transaction(stores, mode, options) {
        const scope = known && mode === 'readwrite' && stores.includes(CHARACTERS) && !stores.includes(LIBRARY_ENTRIES) ? [...stores, LIBRARY_ENTRIES] : stores;
        return core.transaction(scope, mode, options);
      },
      table(name) {
        const table = core.table(name);
        if (name !== CHARACTERS) return table;
        return {
          ...table,
          mutate(req) {
            // An upgrade from a version before the entries existed writes characters alone.
            if (!hasEntries(req.trans)) return table.mutate(req);
            // The entry's write follows at once, in the same transaction.
            return table.mutate(req).then((res) => {
              const written = mirror(core.table(LIBRARY_ENTRIES), req, res);
              return written ? written.then(() => res) : res;
            });
          },
        };
      },
    };
  },
};
