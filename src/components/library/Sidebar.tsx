import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState } from 'react';
import { entryName, type LibrarySort } from '../../domain/library';
import { useLibraryActions, useLibraryView } from '../../hooks/useLibrary';
import { useStartInterview } from '../../hooks/useInterview';
import { useRoute } from '../../stores/route';
import { useUi } from '../../stores/ui';
import { Avatar } from '../ui/Avatar';
import { Button } from '../ui/Button';
import { Spinner } from '../ui/EmptyState';
import { Icon } from '../ui/Icon';
import { inputClass } from '../ui/Field';
import { NewGroupScene } from '../group/NewGroupScene';

const CARD_ACCEPT = '.png,.json,image/png,application/json';
/** A row's height before it is measured (avatar + two lines); rows are measured as they show. */
const ROW_ESTIMATE_PX = 60;
/** Short enough for the sidebar's select ("Recently edited" was cut to "Recently e"). */
const SORT_LABELS: Record<LibrarySort, string> = { edited: 'Last edited', used: 'Last used', name: 'Name' };

export function Sidebar({ onImportFiles }: { onImportFiles: (files: File[]) => void }) {
  const { create } = useLibraryActions();
  const startInterview = useStartInterview();
  const route = useRoute((s) => s.route);
  const navigate = useRoute((s) => s.navigate);
  const query = useUi((s) => s.librarySearch);
  const setQuery = useUi((s) => s.setLibrarySearch);
  const setSidebarOpen = useUi((s) => s.setSidebarOpen);
  const fileInput = useRef<HTMLInputElement>(null);
  const activeId = route.name === 'character' ? route.id : null;
  const [tag, setTag] = useState('');
  const { characters, visible, total, tags, sort, setSort, favourites, toggleFavourite } = useLibraryView(query, tag, activeId);
  const scrollRef = useRef<HTMLDivElement>(null);
  // Only the rows in view are in the DOM: a 1,000-character library lists as fast as a 10-character one.
  // eslint-disable-next-line react-hooks/incompatible-library -- no React Compiler in this build; the virtualizer re-renders this component itself
  const virtualizer = useVirtualizer({
    count: visible?.length ?? 0,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_ESTIMATE_PX,
    getItemKey: (i) => visible?.[i]?.id ?? i,
    overscan: 6,
  });
  const rows = virtualizer.getVirtualItems();

  return (
    <nav aria-label="Character library" className="flex h-full flex-col">
      <div className="flex items-center gap-2 px-3 pt-3">
        <Button variant="primary" size="sm" icon={<Icon name="plus" />} onClick={() => void create().then(() => setSidebarOpen(false))} className="flex-1 whitespace-nowrap">
          New character
        </Button>
        {/* Icon only: a labelled Import does not fit beside New character. */}
        <Button size="sm" icon={<Icon name="upload" />} onClick={() => fileInput.current?.click()} aria-label="Import" title="Import character cards (PNG or JSON) or a world-info file" />
        <input
          ref={fileInput}
          type="file"
          multiple
          accept={CARD_ACCEPT}
          className="hidden"
          data-testid="import-input"
          onChange={(e) => {
            const files = Array.from(e.target.files ?? []);
            e.target.value = '';
            onImportFiles(files);
          }}
        />
      </div>
      {/* The other ways to start, a row of their own: three labelled buttons overflowed the sidebar's 18rem. */}
      <div className="flex items-center gap-2 px-3 pt-2">
        <Button
          size="sm"
          icon={<Icon name="sparkle" />}
          onClick={() => void startInterview().then(() => setSidebarOpen(false))}
          aria-label="Guided"
          title="New character, guided: an interview fills the card and proposes statements (resumes the one in progress)"
          aria-current={route.name === 'interview' ? 'page' : undefined}
        >
          Guided
        </Button>
        <div className="min-w-0 flex-1">
          <NewGroupScene />
        </div>
      </div>
      <div className="relative px-3 py-3">
        <Icon name="search" className="pointer-events-none absolute left-5.5 top-1/2 h-4 w-4 -translate-y-1/2 text-stone-400" />
        <input
          type="search"
          aria-label="Search characters by name or #tag"
          placeholder="Search name or #tag"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          className={`${inputClass} pl-8`}
        />
      </div>
      <div className="flex items-center gap-2 px-3 pb-2 text-xs text-stone-500 dark:text-stone-400">
        <select aria-label="Order" value={sort} onChange={(e) => setSort(e.target.value as LibrarySort)} className="min-w-0 flex-[3] rounded-lg border border-stone-300 bg-white px-1.5 py-1 dark:border-stone-700 dark:bg-stone-900">
          {(Object.keys(SORT_LABELS) as LibrarySort[]).map((k) => (
            <option key={k} value={k}>
              {SORT_LABELS[k]}
            </option>
          ))}
        </select>
        <select aria-label="Tag" value={tag} onChange={(e) => setTag(e.target.value)} className="min-w-0 flex-[2] rounded-lg border border-stone-300 bg-white px-1.5 py-1 dark:border-stone-700 dark:bg-stone-900">
          <option value="">All tags</option>
          {tags.map((t) => (
            <option key={t} value={t}>
              #{t}
            </option>
          ))}
        </select>
        <span data-testid="library-count" className="shrink-0 tabular-nums" aria-live="polite">
          {visible === null ? '' : visible.length === total ? `${total}` : `${visible.length} of ${total}`}
        </span>
      </div>
      <div ref={scrollRef} className="scroll-thin min-h-0 flex-1 overflow-y-auto px-2 pb-3">
        {visible === null ? (
          <div className="px-3 py-4">
            <Spinner label="Opening your library…" />
          </div>
        ) : characters!.length === 0 ? (
          <p className="px-3 py-4 text-sm leading-relaxed text-stone-500 dark:text-stone-400">
            Your library is empty. Create a character, or drop SillyTavern, Chub or RisuAI cards (PNG or JSON) anywhere on this window.
          </p>
        ) : visible.length === 0 ? (
          <p className="px-3 py-4 text-sm text-stone-500 dark:text-stone-400">No character matches {query.trim() ? `“${query}”` : ''}{query.trim() && tag ? ' and ' : ''}{tag ? `#${tag}` : ''}.</p>
        ) : (
          <ul className="relative w-full" style={{ height: virtualizer.getTotalSize() }} data-testid="character-list">
            {rows.map((row) => {
              const c = visible[row.index]!;
              const starred = favourites.has(c.id);
              return (
                <li key={row.key} data-index={row.index} ref={virtualizer.measureElement} className="absolute left-0 top-0 w-full pb-0.5" style={{ transform: `translateY(${row.start}px)` }}>
                  <div className={`group flex items-center rounded-xl transition-colors ${c.id === activeId ? 'bg-accent-100 dark:bg-accent-900/40' : 'hover:bg-stone-200/60 dark:hover:bg-stone-800/70'}`}>
                    <button
                      type="button"
                      aria-current={c.id === activeId ? 'page' : undefined}
                      onClick={() => {
                        navigate({ name: 'character', id: c.id, tab: route.name === 'character' && route.tab === 'chat' ? 'chat' : 'edit' });
                        setSidebarOpen(false);
                      }}
                      className="flex min-w-0 flex-1 items-center gap-3 rounded-xl px-2.5 py-2 text-left"
                    >
                      <Avatar blob={c.avatar} name={c.name} />
                      <span className="min-w-0 flex-1">
                        <span className="block truncate text-sm font-medium text-stone-900 dark:text-stone-100">{entryName(c)}</span>
                        <span className="line-clamp-2 text-xs leading-snug text-stone-500 dark:text-stone-400">{c.blurb || 'No description yet'}</span>
                      </span>
                    </button>
                    <button
                      type="button"
                      aria-pressed={starred}
                      aria-label={`Favourite: ${entryName(c)}`}
                      title={starred ? 'Remove from favourites' : 'Add to favourites (listed first)'}
                      onClick={() => toggleFavourite(c.id)}
                      className={`mr-1.5 shrink-0 rounded-lg p-1 focus-visible:opacity-100 ${starred ? 'text-amber-500' : 'text-stone-400 hover:text-amber-500 sm:opacity-0 sm:group-hover:opacity-100 dark:text-stone-500'}`}
                    >
                      <Icon name="star" className={`h-4 w-4 ${starred ? 'fill-current' : ''}`} />
                    </button>
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </nav>
  );
}
