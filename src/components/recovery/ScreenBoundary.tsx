import { useState, type ReactNode } from 'react';
import { useBackupActions } from '../../hooks/useBackup';
import { useMessageActions } from '../../hooks/useChat';
import { useCharacterIndex, useCharacterProblems, useLibraryActions } from '../../hooks/useLibrary';
import { useRoute } from '../../stores/route';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { ErrorBoundary } from '../ui/ErrorBoundary';
import { Icon } from '../ui/Icon';
import { crashProbe } from './crashProbe';

export type ScreenName = 'library' | 'home' | 'editor' | 'chat' | 'audit' | 'persona' | 'models' | 'settings' | 'interview';

const LABELS: Record<ScreenName, string> = {
  library: 'character library',
  home: 'home page',
  interview: 'guided interview',
  editor: 'character editor',
  chat: 'chat',
  audit: 'audit screen',
  persona: 'persona panel',
  models: 'models page',
  settings: 'settings page',
};

interface Scope {
  screen: ScreenName;
  /** The record the screen shows, when it shows one: the way out can repair or delete just that. */
  characterId?: string;
  chatId?: string;
  /** A narrow variant for the sidebar and the persona panel. */
  compact?: boolean;
  /** Classes for the fallback's frame, so it takes the failed screen's place in the layout. */
  frameClass?: string;
}

function Probe({ screen }: { screen: ScreenName }) {
  crashProbe(screen);
  return null;
}

/**
 * An error boundary for one screen: when the screen throws while rendering,
 * the rest of the studio keeps working and this screen says what failed and
 * offers ways out (try again, another character, a backup, repairing or
 * deleting only the record it was showing).
 */
export function ScreenBoundary({ children, resetKey, ...scope }: Scope & { children: ReactNode; resetKey?: string }) {
  return (
    <ErrorBoundary resetKey={resetKey} fallback={(error, reset) => <ScreenFailure error={error} reset={reset} {...scope} />}>
      <Probe screen={scope.screen} />
      {children}
    </ErrorBoundary>
  );
}

function OtherCharacters({ exclude }: { exclude?: string }) {
  const index = useCharacterIndex();
  const navigate = useRoute((s) => s.navigate);
  const others = index?.filter((c) => c.id !== exclude) ?? [];
  if (others.length === 0) return null;
  return (
    <nav aria-label="Open another character" className="w-full">
      <p className="mb-1 text-xs font-medium text-stone-500 dark:text-stone-400">Open another character</p>
      <ul className="scroll-thin flex max-h-48 flex-col gap-0.5 overflow-y-auto">
        {others.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              className="w-full truncate rounded-lg px-2 py-1 text-left text-sm hover:bg-stone-200/70 dark:hover:bg-stone-800"
              onClick={() => navigate({ name: 'character', id: c.id, tab: 'edit' })}
            >
              {c.name || 'Unnamed'}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function ScreenFailure({ error, reset, screen, characterId, chatId, compact = false, frameClass = '' }: Scope & { error: Error; reset: () => void }) {
  const navigate = useRoute((s) => s.navigate);
  const { exportAll } = useBackupActions();
  const { remove, repair } = useLibraryActions();
  const { deleteChat } = useMessageActions();
  const problems = useCharacterProblems(characterId);
  const [confirm, setConfirm] = useState<'character' | 'chat' | null>(null);
  const message = `${error.name}: ${error.message}`.slice(0, 600);

  return (
    <div
      role="alert"
      data-testid={`screen-error-${screen}`}
      className={`flex flex-col gap-3 ${frameClass} ${compact ? 'p-3' : 'mx-auto my-8 max-w-xl rounded-2xl border border-red-200 bg-white p-6 dark:border-red-900/60 dark:bg-stone-900'}`}
    >
      <h2 className={`flex items-center gap-2 font-semibold text-red-800 dark:text-red-300 ${compact ? 'text-sm' : 'text-lg'}`}>
        <Icon name="warning" className="h-5 w-5 shrink-0" />
        The {LABELS[screen]} could not be shown
      </h2>
      <p className="text-sm text-stone-700 dark:text-stone-300">Nothing was changed or lost. The rest of the studio still works.</p>
      <pre className="scroll-thin max-h-32 overflow-auto whitespace-pre-wrap break-words rounded-lg bg-stone-100 px-3 py-2 font-mono text-xs text-stone-700 dark:bg-stone-950 dark:text-stone-300">{message}</pre>
      {problems && problems.length > 0 ? (
        <div className="text-sm text-stone-700 dark:text-stone-300">
          <p>This character’s stored record is damaged:</p>
          <ul className="mt-1 list-disc pl-5 text-xs">
            {problems.slice(0, 5).map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <Button size="sm" variant="primary" icon={<Icon name="refresh" />} onClick={reset}>
          Try again
        </Button>
        {screen !== 'home' && screen !== 'library' ? (
          <Button size="sm" onClick={() => navigate({ name: 'home' })}>
            Back to the library
          </Button>
        ) : null}
        <Button size="sm" icon={<Icon name="download" />} onClick={() => void exportAll()}>
          Download a backup
        </Button>
        {screen !== 'settings' ? (
          <Button size="sm" icon={<Icon name="settings" />} onClick={() => navigate({ name: 'settings' })}>
            Settings & backup
          </Button>
        ) : null}
        {characterId && problems && problems.length > 0 ? (
          <Button size="sm" onClick={() => void repair(characterId).then(reset)}>
            Save the repaired character
          </Button>
        ) : null}
        {chatId ? (
          <Button size="sm" variant="ghost" icon={<Icon name="trash" />} onClick={() => setConfirm('chat')}>
            Delete this chat…
          </Button>
        ) : null}
        {characterId ? (
          <Button size="sm" variant="ghost" icon={<Icon name="trash" />} onClick={() => setConfirm('character')}>
            Delete this character…
          </Button>
        ) : null}
      </div>
      {screen === 'library' || characterId ? <OtherCharacters exclude={characterId} /> : null}
      <Dialog
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        title={confirm === 'chat' ? 'Delete this chat?' : 'Delete this character?'}
        footer={
          <>
            <Button onClick={() => setConfirm(null)}>Cancel</Button>
            <Button
              variant="danger"
              onClick={() => {
                const what = confirm;
                setConfirm(null);
                if (what === 'chat' && chatId && characterId) {
                  void deleteChat(chatId).then(() => navigate({ name: 'character', id: characterId, tab: 'chat' }));
                } else if (what === 'character' && characterId) {
                  void remove(characterId);
                }
              }}
            >
              Delete
            </Button>
          </>
        }
      >
        {confirm === 'chat'
          ? 'Only this chat, its messages and their verdicts are deleted. Everything else stays.'
          : 'Only this character and its chats are deleted; you can undo it for a few seconds afterwards. Download a backup first if you may want it back later.'}
      </Dialog>
    </div>
  );
}
