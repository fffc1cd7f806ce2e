import { useState, type ReactNode } from 'react';
import { usePwa } from '../../hooks/usePwa';
import { Button } from './Button';
import { Icon } from './Icon';

/**
 * "A new version is ready — Reload", and the one-time reload for faster
 * (multi-threaded) models when it could not happen by itself. Mount once, in App.
 */
export function UpdatePrompt() {
  const pwa = usePwa();
  const [isolationDismissed, setIsolationDismissed] = useState(false);

  if (pwa.needRefresh) {
    return (
      <Banner testId="update-prompt" text="A new version of the studio is ready.">
        <Button variant="primary" size="sm" onClick={() => void pwa.applyUpdate()}>
          Reload
        </Button>
        <Button variant="ghost" size="sm" onClick={pwa.dismissUpdate}>
          Later
        </Button>
      </Banner>
    );
  }
  if (pwa.isolationReloadPending && !isolationDismissed) {
    return (
      <Banner testId="isolation-prompt" text="Reload once to let models use every CPU core.">
        <Button variant="primary" size="sm" onClick={pwa.reloadForIsolation}>
          Reload
        </Button>
        <Button variant="ghost" size="sm" onClick={() => setIsolationDismissed(true)}>
          Later
        </Button>
      </Banner>
    );
  }
  return null;
}

function Banner({ testId, text, children }: { testId: string; text: string; children: ReactNode }) {
  return (
    <div className="pointer-events-none fixed inset-x-0 top-16 z-40 flex justify-center px-4">
      <div
        role="status"
        data-testid={testId}
        className="pointer-events-auto flex items-center gap-3 rounded-xl border border-accent-300 bg-white py-2 pl-3 pr-2 text-sm shadow-lg dark:border-accent-800 dark:bg-stone-900"
      >
        <Icon name="info" className="h-4 w-4 shrink-0 text-accent-600 dark:text-accent-400" />
        <p className="font-medium text-stone-900 dark:text-stone-100">{text}</p>
        <div className="flex gap-1">{children}</div>
      </div>
    </div>
  );
}
