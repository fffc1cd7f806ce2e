import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { useCharacter, useLibraryActions } from '../hooks/useLibrary';
import type { PendingLorebook } from '../hooks/useLibrary';
import { useBootstrap, useUnsavedGuard } from '../hooks/useBootstrap';
import { useEngineInit } from '../hooks/useModels';
import { routeToHash, useRoute } from '../stores/route';
import { useUi } from '../stores/ui';
import { CharacterEditor } from '../components/editor/CharacterEditor';
import { HomePage } from '../components/guide/HomePage';
import { DropZone } from '../components/library/DropZone';
import { ImportTargetDialog } from '../components/library/ImportTargetDialog';
import { Sidebar } from '../components/library/Sidebar';
import { RecordProblems } from '../components/recovery/RecordProblems';
import { ScreenBoundary } from '../components/recovery/ScreenBoundary';
import { SettingsPage } from '../components/settings/SettingsPage';
import { IconButton } from '../components/ui/Button';
import { EmptyState, Spinner } from '../components/ui/EmptyState';
import { Icon } from '../components/ui/Icon';
import { Notices } from '../components/ui/Notices';
import { UpdatePrompt } from '../components/ui/UpdatePrompt';
import { useApplyTheme } from './useTheme';

// Chat and models pull in the engines; load them when first needed.
const ChatScreen = lazy(() => import('../components/chat/ChatScreen'));
const ModelsPage = lazy(() => import('../components/models/ModelsPage'));
const InterviewScreen = lazy(() => import('../components/interview/InterviewScreen'));
const AuditScreen = lazy(() => import('../components/audit/AuditScreen'));

function TopBar() {
  const route = useRoute((s) => s.route);
  const navigate = useRoute((s) => s.navigate);
  const theme = useUi((s) => s.theme);
  const setTheme = useUi((s) => s.setTheme);
  const setSidebarOpen = useUi((s) => s.setSidebarOpen);
  const isDark = typeof document !== 'undefined' && document.documentElement.classList.contains('dark');
  const link = (name: 'home' | 'models' | 'settings', label: string) => (
    <button
      type="button"
      aria-current={route.name === name ? 'page' : undefined}
      onClick={() => navigate({ name })}
      className={`rounded-lg px-3 py-1.5 text-sm font-medium ${route.name === name ? 'bg-stone-200 text-stone-900 dark:bg-stone-800 dark:text-stone-100' : 'text-stone-600 hover:bg-stone-200/60 dark:text-stone-400 dark:hover:bg-stone-800/60'}`}
    >
      {label}
    </button>
  );
  return (
    <header className="flex h-14 shrink-0 items-center gap-2 border-b border-stone-200 bg-white px-3 dark:border-stone-800 dark:bg-stone-900">
      <IconButton label="Open library" className="md:hidden" onClick={() => setSidebarOpen(true)}>
        <Icon name="menu" className="h-5 w-5" />
      </IconButton>
      <button type="button" onClick={() => navigate({ name: 'home' })} className="mr-2 flex items-center gap-2 font-serif text-lg font-semibold tracking-tight">
        <img src="./icon.svg" alt="" className="h-7 w-7" />
        <span className="hidden sm:inline">In Character</span>
      </button>
      <nav aria-label="Main" className="flex gap-1">
        {link('home', 'Library')}
        {link('models', 'Models')}
        {link('settings', 'Settings')}
      </nav>
      <div className="flex-1" />
      <IconButton label={isDark ? 'Switch to light theme' : 'Switch to dark theme'} onClick={() => setTheme(isDark ? 'light' : 'dark')} data-theme={theme}>
        <Icon name={isDark ? 'sun' : 'moon'} className="h-5 w-5" />
      </IconButton>
    </header>
  );
}

function CharacterPage({ id, tab, chatId }: { id: string; tab: 'edit' | 'chat' | 'audit'; chatId?: string }) {
  const character = useCharacter(id);
  const navigate = useRoute((s) => s.navigate);
  if (character === null) return <div className="p-6"><Spinner /></div>;
  if (character === undefined) {
    return (
      <EmptyState title="This character is gone" action={<button type="button" className="text-accent-700 underline dark:text-accent-300" onClick={() => navigate({ name: 'home' })}>Back to the library</button>}>
        It may have been deleted, or the link is from another browser.
      </EmptyState>
    );
  }
  const resetKey = `${id}/${tab}/${chatId ?? ''}`;
  if (tab === 'chat') {
    return (
      <>
        <RecordProblems characterId={id} name={character.card.name} />
        <ScreenBoundary screen="chat" characterId={id} chatId={chatId} resetKey={resetKey}>
          <Suspense fallback={<div className="p-6"><Spinner label="Loading chat…" /></div>}>
            <ChatScreen character={character} chatId={chatId} />
          </Suspense>
        </ScreenBoundary>
      </>
    );
  }
  if (tab === 'audit') {
    return (
      <ScreenBoundary screen="audit" characterId={id} resetKey={resetKey}>
        <Suspense fallback={<div className="p-6"><Spinner label="Loading audit…" /></div>}>
          <AuditScreen character={character} />
        </Suspense>
      </ScreenBoundary>
    );
  }
  return (
    <>
      <RecordProblems characterId={id} name={character.card.name} />
      <ScreenBoundary screen="editor" characterId={id} resetKey={resetKey}>
        <CharacterEditor key={character.id} stored={character} />
      </ScreenBoundary>
    </>
  );
}

export function App() {
  useApplyTheme();
  const ready = useBootstrap();
  useUnsavedGuard();
  useEngineInit(ready);
  const route = useRoute((s) => s.route);
  const sidebarOpen = useUi((s) => s.sidebarOpen);
  const setSidebarOpen = useUi((s) => s.setSidebarOpen);
  const { importMany, attachLorebook } = useLibraryActions();
  const [lorebooks, setLorebooks] = useState<PendingLorebook[]>([]);
  const onImport = useCallback(
    (files: File[]) =>
      void importMany(files).then((outcome) => {
        if (outcome?.lorebooks.length) setLorebooks((l) => [...l, ...outcome.lorebooks]);
      }),
    [importMany],
  );

  useEffect(() => {
    if (!sidebarOpen) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setSidebarOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [sidebarOpen, setSidebarOpen]);

  return (
    <div className="flex h-full flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <TopBar />
      <div className="flex min-h-0 flex-1">
        {sidebarOpen ? <div className="fixed inset-0 z-20 bg-stone-950/40 md:hidden" onClick={() => setSidebarOpen(false)} aria-hidden="true" /> : null}
        <aside
          className={`${sidebarOpen ? 'fixed inset-y-0 left-0 z-30 flex' : 'hidden'} w-72 shrink-0 flex-col border-r border-stone-200 bg-stone-100 md:static md:flex dark:border-stone-800 dark:bg-stone-900/60`}
        >
          <ScreenBoundary screen="library" compact resetKey={routeToHash(route)}>
            <Sidebar onImportFiles={onImport} />
          </ScreenBoundary>
        </aside>
        <main id="main" className="scroll-thin min-w-0 flex-1 overflow-y-auto">
          {!ready ? (
            <div className="p-6">
              <Spinner label="Opening your library…" />
            </div>
          ) : route.name === 'home' ? (
            <ScreenBoundary screen="home" resetKey="home">
              <HomePage />
            </ScreenBoundary>
          ) : route.name === 'settings' ? (
            <ScreenBoundary screen="settings" resetKey="settings">
              <SettingsPage />
            </ScreenBoundary>
          ) : route.name === 'models' ? (
            <ScreenBoundary screen="models" resetKey="models">
              <Suspense fallback={<div className="p-6"><Spinner /></div>}>
                <ModelsPage />
              </Suspense>
            </ScreenBoundary>
          ) : route.name === 'interview' ? (
            <ScreenBoundary screen="interview" resetKey={route.id}>
              <Suspense fallback={<div className="p-6"><Spinner /></div>}>
                <InterviewScreen key={route.id} id={route.id} />
              </Suspense>
            </ScreenBoundary>
          ) : (
            <CharacterPage id={route.id} tab={route.tab} chatId={route.chatId} />
          )}
        </main>
      </div>
      <DropZone onFiles={onImport} />
      <ImportTargetDialog
        pending={lorebooks[0] ?? null}
        onCancel={() => setLorebooks((l) => l.slice(1))}
        onAttach={(id) => {
          const p = lorebooks[0]!;
          setLorebooks((l) => l.slice(1));
          void attachLorebook(id, p.lorebook, p.fileName);
        }}
      />
      <Notices />
      <UpdatePrompt />
    </div>
  );
}
