import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Character } from '../domain/character';
import {
  currentConflicts,
  keepConflict,
  liveKeptConflicts,
  mergeConflicts,
  recordChecks,
  rememberedConflicts,
  uncheckedSources,
  type Conflict,
  type ConflictSource,
} from '../domain/persona/conflicts';
import { cardSources, checkUnchecked, checkWholeCard, findConflicts, statementSources } from '../services/statementConflicts';
import { isAbortError } from '../engines/CheckerClient';
import { useChecker } from '../stores/checker';
import { useSetting } from './useSettings';

/**
 * Quiet time after the last keystroke before an edited statement is checked:
 * long enough not to score half-typed words (each check is up to 80 NLI pairs,
 * ~3 s on a slow machine), short enough to feel like a response to the edit.
 */
export const CONFLICT_CHECK_DEBOUNCE_MS = 800;

export interface StatementConflicts {
  /** Conflicts that still hold for the current texts and are not kept. */
  conflicts: Conflict[];
  /** 'off' when the checker is not loaded: nothing is checked. */
  availability: 'ready' | 'off';
  /** A check is running (an edit's or the whole card's). */
  checking: boolean;
  /** When "Check card" last finished, and how many conflicts it found. */
  cardChecked: { found: number } | null;
  checkCard: () => void;
  keepBoth: (conflict: Conflict) => void;
  /** Something went wrong in the checker (shown, not thrown). */
  error: string | null;
}

type Update = (change: (c: Character) => Character) => void;

/**
 * Checks new and edited statements against the character's others while the
 * editor is open, and the whole card on demand. What was checked, and what it
 * found, is remembered with the character (Character.conflictChecks): when
 * the editor opens (or the checker becomes ready while it is open), only
 * statements never checked with their current text — an import's, an
 * interview's — are checked, once; a character whose statements were all
 * checked costs nothing to open, and its warnings show straight away.
 */
export function useStatementConflicts(character: Character, update: Update): StatementConflicts {
  const client = useChecker((s) => s.client);
  const state = useChecker((s) => s.status.state);
  const ready = client !== null && (state === 'ready' || state === 'busy');
  const userName = useSetting('userName') ?? 'You';
  const [found, setFound] = useState<Conflict[]>([]);
  const [running, setRunning] = useState(0);
  const [cardChecked, setCardChecked] = useState<{ found: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const baseline = useRef<Map<string, string> | null>(null);
  const latest = useRef(character);
  // First among the effects, so the ones below read this render's character.
  useEffect(() => {
    latest.current = character;
  });

  const sources = statementSources(character);
  const signature = sources.map((s) => `${s.ref}\u0000${s.text}`).join('\u0001');

  // Remembers what a finished check covered, so the next open does not run it again.
  // Through a ref: a new `update` must not restart (abort) a running check.
  const latestUpdate = useRef(update);
  useEffect(() => {
    latestUpdate.current = update;
  });
  const remember = useCallback(
    (checked: readonly ConflictSource[], fresh: readonly Conflict[]) =>
      latestUpdate.current((c) => ({ ...c, conflictChecks: recordChecks(c.conflictChecks, statementSources(c), checked, fresh) })),
    [],
  );

  const run = useCallback(
    async (work: (signal: AbortSignal) => Promise<Conflict[]>, replaces: (c: Conflict) => boolean, signal: AbortSignal) => {
      setRunning((n) => n + 1);
      setError(null);
      try {
        const fresh = await work(signal);
        if (signal.aborted) return null;
        setFound((old) => [...old.filter((c) => !replaces(c)), ...fresh]);
        return fresh;
      } catch (e) {
        if (!isAbortError(e) && !signal.aborted) setError(e instanceof Error ? e.message : String(e));
        return null;
      } finally {
        setRunning((n) => n - 1);
      }
    },
    [],
  );

  // Edits: the statements whose text is new since the last check.
  useEffect(() => {
    const now = new Map(statementSources(latest.current).map((s) => [s.ref, s.text]));
    if (baseline.current === null || !ready) {
      baseline.current = now;
      return;
    }
    const before = baseline.current;
    const changedRefs = [...now].filter(([ref, text]) => before.get(ref) !== text).map(([ref]) => ref);
    if (changedRefs.length === 0) {
      baseline.current = now;
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      baseline.current = now;
      const all = statementSources(latest.current);
      const changed = all.filter((s) => changedRefs.includes(s.ref));
      const refs = new Set(changedRefs);
      void run(
        (signal) => findConflicts(client, changed, all, latest.current.keptConflicts, { signal }),
        (c) => c.a.kind === 'statement' && c.b.kind === 'statement' && (refs.has(c.a.ref) || refs.has(c.b.ref)),
        controller.signal,
      ).then((fresh) => {
        if (fresh) remember(changed, fresh);
      });
    }, CONFLICT_CHECK_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [signature, ready, client, run, remember]);

  // On open: statements that arrived while the editor was closed (import, interview) and were never checked.
  const opened = useRef<string | null>(null);
  useEffect(() => {
    if (!client || !ready || opened.current === character.id) return;
    opened.current = character.id;
    const unchecked = uncheckedSources(statementSources(latest.current), latest.current.conflictChecks);
    if (unchecked.length === 0) return;
    const refs = new Set(unchecked.map((s) => s.ref));
    const controller = new AbortController();
    let done = false;
    let checked: ConflictSource[] = [];
    void run(
      async (signal) => {
        const result = await checkUnchecked(client, latest.current, { signal });
        checked = result?.checked ?? [];
        return result?.found ?? [];
      },
      (c) => c.a.kind === 'statement' && c.b.kind === 'statement' && (refs.has(c.a.ref) || refs.has(c.b.ref)),
      controller.signal,
    ).then((fresh) => {
      done = true;
      // Recorded against the statements as they are now: one edited meanwhile stays unchecked (the edit check covers it).
      if (fresh) remember(checked, fresh);
    });
    return () => {
      controller.abort();
      // Interrupted (the checker went away, the editor closed): try again when it is back.
      if (!done) opened.current = null;
    };
  }, [character.id, ready, client, run, remember]);

  const cardController = useRef<AbortController | null>(null);
  const checkCard = useCallback(() => {
    if (!client || !ready) return;
    cardController.current?.abort();
    const controller = new AbortController();
    cardController.current = controller;
    setCardChecked(null);
    void run((signal) => checkWholeCard(client, latest.current, userName, { signal }), () => true, controller.signal).then((fresh) => {
      if (fresh) setCardChecked({ found: fresh.length });
    });
  }, [client, ready, run, userName]);
  useEffect(() => () => cardController.current?.abort(), []);

  const keepBoth = useCallback(
    (conflict: Conflict) =>
      update((c) => ({
        ...c,
        keptConflicts: [...liveKeptConflicts(c.keptConflicts ?? [], c.statements), keepConflict(conflict)],
      })),
    [update],
  );

  // Card sentences only matter once "Check card" ran; the extractor is not rerun per keystroke otherwise.
  const card = useMemo(() => (cardChecked ? cardSources(character, userName) : []), [cardChecked, character, userName]);
  const all = [...sources, ...card];
  return {
    conflicts: currentConflicts(mergeConflicts(found, rememberedConflicts(character.conflictChecks, sources)), all, character.keptConflicts ?? []),
    availability: ready ? 'ready' : 'off',
    checking: running > 0,
    cardChecked,
    checkCard,
    keepBoth,
    error,
  };
}
