import { useLiveQuery } from 'dexie-react-hooks';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Character } from '../domain/character';
import { auditFileName, auditJson, auditMarkdown, comparisonMarkdown, type AuditProbe, type AuditRun } from '../domain/audit';
import { repos } from '../db';
import { downloadBlob } from '../platform/files';
import { suggestProbes } from '../services/audit';
import { suggestBlocker } from '../services/interview';
import { useEngine } from '../stores/engine';
import { useUi } from '../stores/ui';
import { errorDetail } from './notices';

/** A character's audit runs, newest first; null while loading. */
export function useAuditRuns(characterId: string): AuditRun[] | null {
  return useLiveQuery(() => repos.audits.forCharacter(characterId), [characterId], null);
}

/** Export and delete of stored runs. */
export function useAuditActions() {
  const notify = useUi((s) => s.notify);
  const exportRun = useCallback((run: AuditRun, format: 'md' | 'json') => {
    const text = format === 'md' ? auditMarkdown(run) : auditJson(run);
    downloadBlob(new Blob([text], { type: format === 'md' ? 'text/markdown' : 'application/json' }), auditFileName(run, format));
  }, []);
  const exportComparison = useCallback((a: AuditRun, b: AuditRun) => {
    downloadBlob(new Blob([comparisonMarkdown(a, b)], { type: 'text/markdown' }), auditFileName(a.createdAt > b.createdAt ? a : b, 'md').replace('-audit-', '-audit-comparison-'));
  }, []);
  const deleteRun = useCallback(
    async (run: AuditRun) => {
      try {
        await repos.audits.delete(run.id);
      } catch (e) {
        notify({ kind: 'error', title: 'The run could not be deleted', detail: e instanceof Error ? e.message : String(e) });
      }
    },
    [notify],
  );
  return { exportRun, exportComparison, deleteRun };
}

/**
 * "Suggest probes" on the audit setup: `blocker` says why it cannot run (null
 * = a chat model is ready); `suggest` resolves with the model's probes for
 * the list, or an empty list after telling the writer why not.
 */
export function useProbeSuggestions() {
  const status = useEngine((s) => s.status);
  const notify = useUi((s) => s.notify);
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const suggest = useCallback(
    async (character: Pick<Character, 'card' | 'statements'>, existing: readonly string[]): Promise<AuditProbe[]> => {
      abort.current?.abort();
      const controller = new AbortController();
      abort.current = controller;
      setBusy(true);
      try {
        return await suggestProbes(useEngine.getState().engine, character, existing, controller.signal);
      } catch (e) {
        if (!controller.signal.aborted) notify({ kind: 'error', title: 'No probes suggested', detail: errorDetail(e) });
        return [];
      } finally {
        if (abort.current === controller) {
          abort.current = null;
          setBusy(false);
        }
      }
    },
    [notify],
  );

  // Without a model, say what to do here (suggestBlocker's own words are about the interview's steps).
  const blocker = status === null || status.state === 'absent' ? 'load a chat model on the Models page and it can write extra probes from the card.' : suggestBlocker(status);
  return { blocker, busy, suggest };
}
