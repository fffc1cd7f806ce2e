import { HOME_RECENT } from '../../domain/library';
import { useLibraryActions, useLibraryEntries } from '../../hooks/useLibrary';
import { setSetting, useSetting } from '../../hooks/useSettings';
import { useRoute } from '../../stores/route';
import { Avatar } from '../ui/Avatar';
import { Button } from '../ui/Button';
import { EmptyState, Spinner } from '../ui/EmptyState';
import { Icon } from '../ui/Icon';

const STEPS = [
  { title: 'Pick a model', body: 'Open Models and download one. It runs on your own GPU (or CPU) and is cached for next time.', icon: 'cpu' as const },
  { title: 'Talk', body: 'Open a character and start a chat. Regenerate for another take; every take is kept as a swipe.', icon: 'chat' as const },
  { title: 'Watch the checker', body: 'Each reply is scored against the character’s persona statements. Sentences that break character are flagged as they stream.', icon: 'sparkle' as const },
];

export function FirstRunGuide() {
  const dismissed = useSetting('guideDismissed');
  const navigate = useRoute((s) => s.navigate);
  if (dismissed !== false) return null;
  return (
    <section aria-labelledby="guide-title" data-testid="guide" className="rounded-2xl border border-accent-200 bg-gradient-to-br from-accent-50 to-white p-5 dark:border-accent-900/60 dark:from-accent-950/60 dark:to-stone-900">
      <div className="mb-4 flex items-start justify-between gap-3">
        <div>
          <h2 id="guide-title" className="text-lg font-semibold">
            Welcome to In Character
          </h2>
          <p className="mt-1 text-sm text-stone-600 dark:text-stone-400">Three steps, about a minute. Everything runs in this browser; nothing leaves your machine.</p>
        </div>
        <Button size="sm" variant="ghost" onClick={() => void setSetting('guideDismissed', true)}>
          Dismiss
        </Button>
      </div>
      <ol className="grid gap-3 sm:grid-cols-3">
        {STEPS.map((s, i) => (
          <li key={s.title} className="rounded-xl bg-white/80 p-4 shadow-sm dark:bg-stone-900/80">
            <div className="mb-2 flex items-center gap-2 text-accent-700 dark:text-accent-300">
              <Icon name={s.icon} />
              <span className="text-sm font-semibold">
                {i + 1}. {s.title}
              </span>
            </div>
            <p className="text-sm leading-relaxed text-stone-600 dark:text-stone-400">{s.body}</p>
          </li>
        ))}
      </ol>
      <div className="mt-4 flex flex-wrap gap-2">
        <Button variant="primary" size="sm" icon={<Icon name="cpu" />} onClick={() => navigate({ name: 'models' })}>
          Choose a model
        </Button>
      </div>
    </section>
  );
}

export function HomePage() {
  const characters = useLibraryEntries();
  const { create } = useLibraryActions();
  const navigate = useRoute((s) => s.navigate);
  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-6 px-3 py-6 sm:px-6">
      <FirstRunGuide />
      {characters === null ? (
        <Spinner label="Opening your library…" />
      ) : characters.length === 0 ? (
        <EmptyState
          title="No characters yet"
          icon={<Icon name="book" className="h-8 w-8" />}
          action={
            <Button variant="primary" icon={<Icon name="plus" />} onClick={() => void create()}>
              Create a character
            </Button>
          }
        >
          Create one from scratch, or bring your SillyTavern, Chub or RisuAI characters: drop their PNG or JSON cards anywhere on this window, or use Import in the sidebar.
        </EmptyState>
      ) : (
        <section aria-labelledby="recent-title">
          <h2 id="recent-title" className="mb-3 text-sm font-semibold uppercase tracking-wide text-stone-500 dark:text-stone-400">
            Your characters
          </h2>
          <ul className="grid gap-3 sm:grid-cols-2">
            {characters.slice(0, HOME_RECENT).map((c) => (
              <li key={c.id} className="flex items-center gap-3 rounded-2xl border border-stone-200 bg-white p-3 dark:border-stone-800 dark:bg-stone-900">
                <Avatar blob={c.avatar} name={c.name} />
                <div className="min-w-0 flex-1">
                  <p className="truncate text-sm font-medium">{c.name}</p>
                  <p className="text-xs text-stone-500 dark:text-stone-400">{c.statementCount} statement{c.statementCount === 1 ? '' : 's'}</p>
                </div>
                <Button size="sm" onClick={() => navigate({ name: 'character', id: c.id, tab: 'edit' })}>
                  Edit
                </Button>
                <Button size="sm" variant="primary" onClick={() => navigate({ name: 'character', id: c.id, tab: 'chat' })}>
                  Chat
                </Button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
