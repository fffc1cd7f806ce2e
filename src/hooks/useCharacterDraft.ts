import { useCallback, useEffect, useRef, useState } from 'react';
import type { Character } from '../domain/character';
import { acknowledgeSaved, mergeCharacter, resolveConflict, sameValue, type FieldConflict } from '../domain/characterMerge';
import { CharacterGoneError, repos, StorageFullError } from '../db';

export type SaveState = 'saved' | 'pending' | 'saving' | 'error' | 'conflict';

/** Why a save failed: a short reason shown beside the save state, and the full message. */
export interface SaveProblem {
  reason: string;
  detail: string;
}

/** A pause in typing this long saves. */
export const AUTOSAVE_DEBOUNCE_MS = 400;
/**
 * IMPORTANT: continuous typing never pauses, so a save also happens this long
 * after the first unsaved edit: what a crash can lose is at most ~1 s of typing.
 */
export const AUTOSAVE_MAX_WAIT_MS = 1000;

function describeProblem(e: unknown): SaveProblem {
  if (e instanceof StorageFullError) return { reason: 'storage is full', detail: e.message };
  if (e instanceof CharacterGoneError) return { reason: 'the character was deleted', detail: e.message };
  const message = e instanceof Error ? e.message : String(e);
  return { reason: message, detail: message };
}

/**
 * A local draft of a character that autosaves and merges with changes made
 * elsewhere (another tab, a lorebook import).
 *
 * Three versions are kept: the draft (what the editor shows), its base (the
 * stored version the draft is reconciled with) and the newest stored copy
 * seen. A save writes only what the draft changed since its base
 * (`CharacterRepository.saveDraft`); stored changes flow into the draft for
 * every field the draft did not change, so typing is never overwritten; a field
 * changed on both sides becomes a conflict the user settles.
 *
 * Saves happen after a pause, at most AUTOSAVE_MAX_WAIT_MS behind, and when
 * the page is hidden. When it unloads (beforeunload, pagehide), what is
 * unsaved is written synchronously: the only write an unloading page is sure
 * to get through.
 */
export function useCharacterDraft(stored: Character) {
  const [draft, setDraft] = useState<Character>(stored);
  const [state, setState] = useState<SaveState>('saved');
  const [problem, setProblemState] = useState<SaveProblem | null>(null);
  const problemRef = useRef<SaveProblem | null>(null);
  const [conflicts, setConflictList] = useState<FieldConflict[]>([]);

  const draftRef = useRef(stored);
  const baseRef = useRef(stored);
  const latestRef = useRef(stored);
  const conflictsRef = useRef<FieldConflict[]>([]);
  // Edits are numbered; a save records the number it wrote.
  const editSeq = useRef(0);
  const savedSeq = useRef(0);
  const firstUnsavedAt = useRef<number | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const running = useRef<Promise<void> | null>(null);
  const inFlight = useRef<AbortController | null>(null);
  const rerun = useRef(false);
  // A stored copy that arrived while a save ran: it may predate the save.
  const deferred = useRef<Character | null>(null);
  const lastProp = useRef(stored);

  const setProblem = useCallback((p: SaveProblem | null) => {
    problemRef.current = p;
    setProblemState(p);
  }, []);

  const setConflicts = useCallback((list: FieldConflict[]) => {
    conflictsRef.current = list;
    setConflictList(list);
  }, []);

  const showDraft = useCallback((next: Character) => {
    if (sameValue(next, draftRef.current, 'identity')) return;
    draftRef.current = next;
    setDraft(next);
  }, []);

  /** Takes a stored copy in: fields the draft did not change follow it. */
  const reconcile = useCallback(
    (base: Character, theirs: Character) => {
      const r = mergeCharacter(base, draftRef.current, theirs);
      baseRef.current = r.base;
      showDraft(r.draft);
      setConflicts(r.conflicts);
    },
    [showDraft, setConflicts],
  );

  const settledState = useCallback((): SaveState => {
    if (problemRef.current) return 'error';
    if (editSeq.current > savedSeq.current) return 'pending';
    return conflictsRef.current.length > 0 ? 'conflict' : 'saved';
  }, []);

  /** One save. False when it failed or was superseded (the page is unloading). */
  const saveOnce = useCallback(async (): Promise<boolean> => {
    const seq = editSeq.current;
    const snapshot = draftRef.current;
    const base = baseRef.current;
    const abort = new AbortController();
    inFlight.current = abort;
    firstUnsavedAt.current = null;
    setState('saving');
    try {
      const result = await repos.characters.saveDraft(base, snapshot, abort.signal);
      savedSeq.current = Math.max(savedSeq.current, seq);
      if (result.stored.updatedAt >= latestRef.current.updatedAt) latestRef.current = result.stored;
      // What this save wrote joins the base; the draft (typed on meanwhile) then merges over the result.
      reconcile(acknowledgeSaved(base, snapshot, result.stored), result.stored);
      const later = deferred.current;
      deferred.current = null;
      if (later && later.updatedAt > result.stored.updatedAt) {
        latestRef.current = later;
        reconcile(baseRef.current, later);
      }
      setProblem(null);
      return true;
    } catch (e) {
      // Superseded by the synchronous write of an unloading page: not a failure.
      if (abort.signal.aborted) return false;
      firstUnsavedAt.current ??= Date.now();
      setProblem(describeProblem(e));
      setState('error');
      const later = deferred.current;
      deferred.current = null;
      if (later) {
        latestRef.current = later;
        reconcile(baseRef.current, later);
      }
      return false;
    } finally {
      if (inFlight.current === abort) inFlight.current = null;
    }
  }, [reconcile, setProblem]);

  /**
   * The page is unloading: write what is unsaved now, synchronously. A save
   * still running is aborted first (see CharacterRepository.saveDraftNow).
   */
  const writeNow = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (editSeq.current <= savedSeq.current) return;
    inFlight.current?.abort();
    const written = repos.characters.saveDraftNow(baseRef.current, draftRef.current, latestRef.current);
    if (!written) return;
    // The page may live on (navigation cancelled, back/forward cache): keep the books straight.
    savedSeq.current = editSeq.current;
    latestRef.current = written;
    reconcile(acknowledgeSaved(baseRef.current, draftRef.current, written), written);
    setState(settledState());
  }, [reconcile, settledState]);

  const flush = useCallback((): Promise<void> => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (running.current) {
      rerun.current = true;
      return running.current;
    }
    if (editSeq.current <= savedSeq.current) return Promise.resolve();
    const run = (async () => {
      try {
        let ok: boolean;
        do {
          rerun.current = false;
          ok = await saveOnce();
        } while (ok && rerun.current && editSeq.current > savedSeq.current);
        if (ok) setState(settledState());
      } finally {
        running.current = null;
      }
    })();
    running.current = run;
    return run;
  }, [saveOnce, settledState]);

  const update = useCallback(
    (change: (c: Character) => Character) => {
      const next = change(draftRef.current);
      draftRef.current = next;
      setDraft(next);
      editSeq.current++;
      const now = Date.now();
      firstUnsavedAt.current ??= now;
      setState((s) => (s === 'error' || s === 'saving' ? s : 'pending'));
      if (timer.current) clearTimeout(timer.current);
      const delay = Math.min(AUTOSAVE_DEBOUNCE_MS, Math.max(0, firstUnsavedAt.current + AUTOSAVE_MAX_WAIT_MS - now));
      timer.current = setTimeout(() => void flush(), delay);
    },
    [flush],
  );

  /** Settles a conflict: keep this tab's value (saved now) or take the stored one. */
  const resolve = useCallback(
    (key: string, choice: 'mine' | 'theirs') => {
      const r = resolveConflict(baseRef.current, draftRef.current, latestRef.current, key, choice);
      baseRef.current = r.base;
      showDraft(r.draft);
      setConflicts(mergeCharacter(r.base, r.draft, latestRef.current).conflicts);
      if (choice === 'mine') {
        editSeq.current++;
        void flush();
      } else if (!running.current) {
        setState(settledState());
      }
    },
    [flush, showDraft, setConflicts, settledState],
  );

  // Stored changes: ours coming back, another tab's, a lorebook import.
  useEffect(() => {
    if (stored === lastProp.current) return;
    lastProp.current = stored;
    if (running.current) {
      deferred.current = stored;
      return;
    }
    latestRef.current = stored;
    reconcile(baseRef.current, stored);
    setState(settledState());
  }, [stored, reconcile, settledState]);

  useEffect(() => {
    const onHidden = () => {
      if (document.visibilityState === 'hidden') void flush();
    };
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      // The navigation has only begun: the earliest moment to write.
      writeNow();
      // A conflict the user has not settled would lose this tab's version.
      if (conflictsRef.current.length > 0) e.preventDefault();
    };
    document.addEventListener('visibilitychange', onHidden);
    window.addEventListener('beforeunload', onBeforeUnload);
    // Capture: ahead of Dexie's own pagehide listener, which closes the
    // database when the page enters the back/forward cache.
    window.addEventListener('pagehide', writeNow, { capture: true });
    return () => {
      document.removeEventListener('visibilitychange', onHidden);
      window.removeEventListener('beforeunload', onBeforeUnload);
      window.removeEventListener('pagehide', writeNow, { capture: true });
      void flush();
    };
  }, [flush, writeNow]);

  return { draft, update, state, problem, conflicts, resolve, flush };
}
