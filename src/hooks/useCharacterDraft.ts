import { useCallback, useEffect, useRef, useState } from 'react';
import type { Character } from '../domain/character';
import { repos, StorageFullError } from '../db';

export type SaveState = 'saved' | 'pending' | 'saving' | 'error';

/**
 * IMPORTANT: the debounce bounds what a reload mid-typing can lose (the issue
 * asks for at most one second); pagehide/unmount flush whatever is pending.
 */
export const AUTOSAVE_DEBOUNCE_MS = 400;

/**
 * A local draft of a character that autosaves. The draft starts from the
 * stored character; later outside changes (an imported lorebook) are taken in
 * only while nothing is pending, so typing is never overwritten.
 */
export function useCharacterDraft(stored: Character) {
  const [draft, setDraft] = useState<Character>(stored);
  const [state, setState] = useState<SaveState>('saved');
  const [error, setError] = useState<string | null>(null);
  const pending = useRef<Character | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const lastSavedAt = useRef(stored.updatedAt);

  const flush = useCallback(async () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const next = pending.current;
    if (!next) return;
    pending.current = null;
    setState('saving');
    try {
      const saved = await repos.characters.save(next);
      lastSavedAt.current = saved.updatedAt;
      setError(null);
      setState(pending.current ? 'pending' : 'saved');
    } catch (e) {
      // Keep the draft: the user's text is still on screen and retried on the next edit.
      pending.current ??= next;
      setError(e instanceof StorageFullError ? e.message : e instanceof Error ? e.message : String(e));
      setState('error');
    }
  }, []);

  const update = useCallback(
    (change: (c: Character) => Character) => {
      setDraft((current) => {
        const next = change(current);
        pending.current = next;
        return next;
      });
      setState('pending');
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => void flush(), AUTOSAVE_DEBOUNCE_MS);
    },
    [flush],
  );

  // Outside changes (e.g. world info attached from the import dialog).
  useEffect(() => {
    if (stored.updatedAt > lastSavedAt.current && !pending.current) {
      lastSavedAt.current = stored.updatedAt;
      setDraft(stored);
    }
  }, [stored]);

  useEffect(() => {
    const onHide = () => void flush();
    window.addEventListener('pagehide', onHide);
    document.addEventListener('visibilitychange', onHide);
    return () => {
      window.removeEventListener('pagehide', onHide);
      document.removeEventListener('visibilitychange', onHide);
      void flush();
    };
  }, [flush]);

  return { draft, update, state, error, flush };
}
