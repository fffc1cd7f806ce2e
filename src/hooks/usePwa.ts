import { useEffect, useSyncExternalStore } from 'react';
import {
  acknowledgeInstalled,
  applyUpdate,
  dismissUpdate,
  getPwaState,
  reloadForIsolation,
  startPwa,
  subscribePwa,
  userIsEditing,
  type PwaState,
} from '../pwa/register';
import { useEngine } from '../stores/engine';
import { useSession } from '../stores/session';
import { useUi } from '../stores/ui';

export interface Pwa extends PwaState {
  applyUpdate: () => Promise<void>;
  dismissUpdate: () => void;
  reloadForIsolation: () => void;
}

/**
 * Offline support and updates. Registers the service worker once (production
 * builds only), announces the first install, and performs the one reload that
 * makes the page cross-origin isolated — but only while it would interrupt
 * nothing: no model loaded or loading, no reply streaming, no text being typed.
 * Otherwise the reload waits (the prompt offers it), and the next visit is
 * isolated anyway.
 */
export function usePwa(): Pwa {
  const state = useSyncExternalStore(subscribePwa, getPwaState, getPwaState);
  const engineState = useEngine((s) => s.status.state);
  const streaming = useSession((s) => s.streaming !== null);
  const notify = useUi((s) => s.notify);

  useEffect(() => {
    void startPwa();
  }, []);

  useEffect(() => {
    if (!state.justInstalled) return;
    acknowledgeInstalled();
    notify({ kind: 'info', title: 'Ready to work offline', detail: 'The studio is saved in this browser and opens without a network.' });
  }, [state.justInstalled, notify]);

  useEffect(() => {
    if (!state.isolationReloadPending) return;
    const idle = (engineState === 'absent' || engineState === 'error') && !streaming;
    if (idle && !userIsEditing()) reloadForIsolation();
  }, [state.isolationReloadPending, engineState, streaming]);

  return { ...state, applyUpdate, dismissUpdate, reloadForIsolation };
}
