import { useCallback, useEffect, useRef, useState } from 'react';
import { newInterviewDraft, type InterviewDraft, type InterviewField, type InterviewStep } from '../domain/interview';
import { repos } from '../db';
import { suggestAnswer, suggestBlocker } from '../services/interview';
import { useEngine } from '../stores/engine';
import { useRoute } from '../stores/route';
import { useUi } from '../stores/ui';
import { errorDetail } from './notices';
import { useSetting } from './useSettings';

/** A pause in typing this long saves the draft. */
export const INTERVIEW_SAVE_DEBOUNCE_MS = 400;

export type InterviewSaveState = 'saved' | 'pending' | 'error';

/** Opens the interview in progress, or starts a new one ("New character → Guided"). */
export function useStartInterview() {
  const navigate = useRoute((s) => s.navigate);
  const notify = useUi((s) => s.notify);
  return useCallback(async () => {
    try {
      const open = await repos.interviews.latest();
      const draft = open ?? newInterviewDraft(Date.now());
      if (!open) await repos.interviews.save(draft);
      navigate({ name: 'interview', id: draft.id });
    } catch (e) {
      notify({ kind: 'error', title: 'Could not start the interview', detail: errorDetail(e) });
    }
  }, [navigate, notify]);
}

/**
 * One interview draft, edited locally and saved after a pause in typing, on
 * every step change and when the page is hidden, so the writer can leave
 * and resume. `draft` is null while loading, undefined when there is no such
 * draft (finished or discarded elsewhere).
 */
export function useInterviewDraft(id: string) {
  const [draft, setDraft] = useState<InterviewDraft | null | undefined>(null);
  const [saveState, setSaveState] = useState<InterviewSaveState>('saved');
  const latest = useRef<InterviewDraft | null>(null);
  const dirty = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const notify = useUi((s) => s.notify);
  const navigate = useRoute((s) => s.navigate);

  useEffect(() => {
    // The screen is keyed by the draft id (App.tsx), so this runs once per draft.
    let live = true;
    repos.interviews.get(id).then(
      (d) => {
        if (!live) return;
        latest.current = d ?? null;
        setDraft(d);
      },
      () => live && setDraft(undefined),
    );
    return () => {
      live = false;
    };
  }, [id]);

  const flush = useCallback(async () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const d = latest.current;
    if (!dirty.current || !d) return;
    dirty.current = false;
    try {
      await repos.interviews.save(d);
      if (!dirty.current) setSaveState('saved');
    } catch (e) {
      dirty.current = true;
      setSaveState('error');
      notify({ kind: 'error', title: 'Could not save the interview', detail: `${errorDetail(e)}\nYour answers stay on screen; they are saved again with your next change.` });
    }
  }, [notify]);

  useEffect(() => {
    const onHide = () => {
      if (document.visibilityState === 'hidden') void flush();
    };
    document.addEventListener('visibilitychange', onHide);
    window.addEventListener('pagehide', onHide);
    return () => {
      document.removeEventListener('visibilitychange', onHide);
      window.removeEventListener('pagehide', onHide);
      void flush();
    };
  }, [flush]);

  /** Applies a change; `now` saves at once (step changes), otherwise after a pause. */
  const update = useCallback(
    (change: (d: InterviewDraft) => InterviewDraft, { now = false } = {}) => {
      const current = latest.current;
      if (!current) return;
      const next = { ...change(current), updatedAt: Date.now() };
      latest.current = next;
      dirty.current = true;
      setDraft(next);
      setSaveState('pending');
      if (timer.current) clearTimeout(timer.current);
      if (now) void flush();
      else timer.current = setTimeout(() => void flush(), INTERVIEW_SAVE_DEBOUNCE_MS);
    },
    [flush],
  );

  const finish = useCallback(async () => {
    const d = latest.current;
    if (!d) return;
    if (timer.current) clearTimeout(timer.current);
    try {
      const c = await repos.interviews.finish(d);
      dirty.current = false;
      latest.current = null;
      notify({ kind: 'success', title: `Created “${c.card.name}”`, detail: c.statements.length ? `With ${c.statements.length} statement${c.statements.length === 1 ? '' : 's'}.` : undefined });
      navigate({ name: 'character', id: c.id, tab: 'edit' }, { replace: true });
    } catch (e) {
      notify({ kind: 'error', title: 'Could not create the character', detail: `${errorDetail(e)}\nThe interview is kept.` });
    }
  }, [navigate, notify]);

  const discard = useCallback(async () => {
    const d = latest.current;
    if (!d) return;
    if (timer.current) clearTimeout(timer.current);
    dirty.current = false;
    latest.current = null;
    try {
      await repos.interviews.delete(d.id);
      navigate({ name: 'home' }, { replace: true });
    } catch (e) {
      notify({ kind: 'error', title: 'Could not discard the interview', detail: errorDetail(e) });
    }
  }, [navigate, notify]);

  return { draft, saveState, update, finish, discard };
}

/** The user's display name for proposals that mention them. */
export function useUserName(): string {
  return useSetting('userName') ?? 'You';
}

/**
 * Suggest for one field: `blocker` says why it cannot run (null = it can);
 * `run` resolves with the drafted text, or null after telling the writer why not.
 */
export function useSuggest() {
  const status = useEngine((s) => s.status);
  const notify = useUi((s) => s.notify);
  const [busyField, setBusyField] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const run = useCallback(
    async (draft: InterviewDraft, step: InterviewStep, field: InterviewField): Promise<string | null> => {
      abort.current?.abort();
      const controller = new AbortController();
      abort.current = controller;
      setBusyField(field.key);
      try {
        return await suggestAnswer(useEngine.getState().engine, draft.answers, step, field, controller.signal);
      } catch (e) {
        if (!controller.signal.aborted) notify({ kind: 'error', title: `Suggest could not draft “${field.label}”`, detail: errorDetail(e) });
        return null;
      } finally {
        if (abort.current === controller) {
          abort.current = null;
          setBusyField(null);
        }
      }
    },
    [notify],
  );

  return { blocker: suggestBlocker(status), busyField, run };
}
