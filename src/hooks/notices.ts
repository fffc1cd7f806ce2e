import { useCallback } from 'react';
import { StorageFullError } from '../db';
import { useUi } from '../stores/ui';

/** How long an Undo is offered after a delete. */
export const UNDO_WINDOW_MS = 8000;

/** A failure as the user reads it. */
export function errorDetail(e: unknown): string {
  if (e instanceof StorageFullError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

/**
 * Offers Undo for UNDO_WINDOW_MS (longer while pointed at or focused), with
 * keyboard focus on it; a failed undo becomes an error notice naming why.
 */
export function useUndoNotice() {
  const notify = useUi((s) => s.notify);
  return useCallback(
    ({ title, detail, undo }: { title: string; detail?: string; undo: () => Promise<void> }) =>
      notify({
        kind: 'info',
        title,
        detail,
        timeoutMs: UNDO_WINDOW_MS,
        focusAction: true,
        action: {
          label: 'Undo',
          run: async () => {
            try {
              await undo();
            } catch (e) {
              notify({ kind: 'error', title: 'Could not undo', detail: errorDetail(e) });
            }
          },
        },
      }),
    [notify],
  );
}
