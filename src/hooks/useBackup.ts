import { useCallback } from 'react';
import { BackupFormatError, type SettingKey } from '../db';
import { applyBackup, downloadBackup, readBackupFile, restoredSummary, wipeLibrary, type ReadBackup } from '../services/backup';
import { useUi } from '../stores/ui';
import { useRoute } from '../stores/route';

export type { ReadBackup } from '../services/backup';
export type { RestorePlan, RecordPlan } from '../db';
export type { SettingChange, SettingKey } from '../domain/storage';

export function useBackupActions() {
  const notify = useUi((s) => s.notify);
  const navigate = useRoute((s) => s.navigate);
  const exportAll = useCallback(async (options: { includeSecrets?: boolean } = {}) => {
    try {
      await downloadBackup(options);
    } catch (e) {
      notify({ kind: 'error', title: 'Backup failed', detail: e instanceof Error ? e.message : String(e) });
    }
  }, [notify]);
  /** Reads, validates and plans; returns null (with a message) when the file is unusable. */
  const read = useCallback(
    async (file: File): Promise<ReadBackup | null> => {
      try {
        return await readBackupFile(file);
      } catch (e) {
        const detail = e instanceof BackupFormatError ? e.message : `Unexpected error: ${e instanceof Error ? e.message : String(e)}`;
        notify({ kind: 'error', title: `Could not restore “${file.name}”`, detail: `${detail}\nNothing was changed.` });
        return null;
      }
    },
    [notify],
  );
  const restore = useCallback(
    async (read: ReadBackup, mode: 'merge' | 'replace', settings: readonly SettingKey[]) => {
      try {
        const counts = await applyBackup(read.backup, mode, { settings });
        notify({ kind: 'success', title: 'Library restored', detail: restoredSummary(counts) });
        navigate({ name: 'home' });
      } catch (e) {
        notify({ kind: 'error', title: 'Restore failed', detail: `${e instanceof Error ? e.message : String(e)}\nNothing was changed.` });
      }
    },
    [navigate, notify],
  );
  const wipe = useCallback(async () => {
    await wipeLibrary();
    navigate({ name: 'home' });
    notify({ kind: 'info', title: 'Library deleted', detail: 'Every character, chat and setting in this browser was removed.' });
  }, [navigate, notify]);
  return { exportAll, read, restore, wipe };
}
