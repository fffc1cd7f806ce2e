import { useEffect, useState } from 'react';
import { bootstrap } from '../services/bootstrap';
import { describeStorageError } from '../services/storage';
import { useSession } from '../stores/session';
import { useUi } from '../stores/ui';

let reported = false;

/** Runs start-up once; the library renders after it (or after it fails, with a message). */
export function useBootstrap(): boolean {
  const [ready, setReady] = useState(false);
  const notify = useUi((s) => s.notify);
  useEffect(() => {
    let live = true;
    bootstrap()
      .then(({ interrupted, recovered, unsaved, unsavedError }) => {
        // StrictMode runs this effect twice; the notice is shown once.
        if (reported) return;
        reported = true;
        if (recovered > 0) notify({ kind: 'success', title: `Saved ${recovered} repl${recovered === 1 ? 'y' : 'ies'} kept from your last visit`, detail: 'They could not be stored then (storage was full); they are in their chats now.' });
        if (unsaved.length > 0) {
          const problem = describeStorageError(unsavedError);
          useSession.getState().adoptUnsaved(unsaved, problem);
          notify({ kind: 'error', title: `${unsaved.length} repl${unsaved.length === 1 ? 'y is' : 'ies are'} still not saved`, detail: problem.detail });
        }
        if (interrupted > 0) notify({ kind: 'info', title: 'A reply was cut off', detail: 'The page closed while a reply was streaming. The text so far is kept and marked as interrupted.' });
      })
      .catch((e: unknown) => {
        if (reported) return;
        reported = true;
        notify({ kind: 'error', title: 'The library could not be opened', detail: e instanceof Error ? e.message : String(e) });
      })
      .finally(() => live && setReady(true));
    return () => {
      live = false;
    };
  }, [notify]);
  return ready;
}

/**
 * While a reply exists only in this tab (its save failed and localStorage could
 * not keep it either), closing or reloading asks first.
 */
export function useUnsavedGuard(): void {
  const atRisk = useSession((s) => Object.values(s.unsaved).some((u) => !u.stashed));
  useEffect(() => {
    if (!atRisk) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [atRisk]);
}
