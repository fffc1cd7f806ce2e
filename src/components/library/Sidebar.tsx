import { useMemo, useRef } from 'react';
import { displayName, filterCharacters, shortDescription } from '../../domain/library';
import { useCharacters, useLibraryActions } from '../../hooks/useLibrary';
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

export function Sidebar({ onImportFiles }: { onImportFiles: (files: File[]) => void }) {
  const characters = useCharacters();
  const { create } = useLibraryActions();
  const startInterview = useStartInterview();
  const route = useRoute((s) => s.route);
  const navigate = useRoute((s) => s.navigate);
  const query = useUi((s) => s.librarySearch);
  const setQuery = useUi((s) => s.setLibrarySearch);
  const setSidebarOpen = useUi((s) => s.setSidebarOpen);
  const fileInput = useRef<HTMLInputElement>(null);
  const visible = useMemo(() => (characters ? filterCharacters(characters, query) : null), [characters, query]);
  const activeId = route.name === 'character' ? route.id : null;

  return (
    <nav aria-label="Character library" className="flex h-full flex-col">
      <div className="flex items-center gap-2 px-3 pt-3">
        <Button variant="primary" size="sm" icon={<Icon name="plus" />} onClick={() => void create().then(() => setSidebarOpen(false))} className="flex-1 whitespace-nowrap">
          New character
        </Button>
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
        {/* Icon only: three labelled buttons do not fit the sidebar's width. */}
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
      <div className="px-3 pt-2">
        <NewGroupScene />
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
      <div className="scroll-thin min-h-0 flex-1 overflow-y-auto px-2 pb-3">
        {visible === null ? (
          <div className="px-3 py-4">
            <Spinner label="Opening your library…" />
          </div>
        ) : characters!.length === 0 ? (
          <p className="px-3 py-4 text-sm leading-relaxed text-stone-500 dark:text-stone-400">
            Your library is empty. Create a character, or drop SillyTavern, Chub or RisuAI cards (PNG or JSON) anywhere on this window.
          </p>
        ) : visible.length === 0 ? (
          <p className="px-3 py-4 text-sm text-stone-500 dark:text-stone-400">No character matches “{query}”.</p>
        ) : (
          <ul className="flex flex-col gap-0.5" data-testid="character-list">
            {visible.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  aria-current={c.id === activeId ? 'page' : undefined}
                  onClick={() => {
                    navigate({ name: 'character', id: c.id, tab: route.name === 'character' && route.tab === 'chat' ? 'chat' : 'edit' });
                    setSidebarOpen(false);
                  }}
                  className={`flex w-full items-center gap-3 rounded-xl px-2.5 py-2 text-left transition-colors ${
                    c.id === activeId ? 'bg-accent-100 dark:bg-accent-900/40' : 'hover:bg-stone-200/60 dark:hover:bg-stone-800/70'
                  }`}
                >
                  <Avatar blob={c.avatar} name={c.card.name} />
                  <span className="min-w-0 flex-1">
                    <span className="block truncate text-sm font-medium text-stone-900 dark:text-stone-100">{displayName(c)}</span>
                    <span className="line-clamp-2 text-xs leading-snug text-stone-500 dark:text-stone-400">{shortDescription(c) || 'No description yet'}</span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </nav>
  );
}
