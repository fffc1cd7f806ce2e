import { useLiveQuery } from 'dexie-react-hooks';
import { useCallback } from 'react';
import { auditFileName, auditJson, auditMarkdown, comparisonMarkdown, type AuditRun } from '../domain/audit';
import { repos } from '../db';
import { downloadBlob } from '../platform/files';
import { useUi } from '../stores/ui';

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
