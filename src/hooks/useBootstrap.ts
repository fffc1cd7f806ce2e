import { useEffect, useState } from 'react';
import { bootstrap } from '../services/bootstrap';
import { useUi } from '../stores/ui';

let reported = false;

/** Runs start-up once; the library renders after it (or after it fails, with a message). */
export function useBootstrap(): boolean {
  const [ready, setReady] = useState(false);
  const notify = useUi((s) => s.notify);
  useEffect(() => {
    let live = true;
    bootstrap()
      .then(({ interrupted }) => {
        // StrictMode runs this effect twice; the notice is shown once.
        if (reported) return;
        reported = true;
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
