import { useRef, useState } from 'react';
import { useBackupActions, type ReadBackup } from '../../hooks/useBackup';
import { setSetting } from '../../hooks/useSettings';
import { useStorageInfo } from '../../hooks/useStorageInfo';
import { formatBytes } from '../../platform/files';
import { useUi, type ThemeChoice } from '../../stores/ui';
import { Section } from '../editor/Section';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Icon } from '../ui/Icon';
import { RestoreDialog } from './RestoreDialog';
import { PersonasSection } from './PersonasSection';

export function StorageMeter() {
  const { usageBytes, quotaBytes, persisted } = useStorageInfo();
  const pct = usageBytes !== null && quotaBytes ? Math.min(100, (usageBytes / quotaBytes) * 100) : null;
  return (
    <div data-testid="storage-meter" className="flex flex-col gap-2">
      <div className="flex justify-between text-sm">
        <span>
          {formatBytes(usageBytes)} used of {formatBytes(quotaBytes)}
        </span>
        <span className="text-stone-500 dark:text-stone-400">{pct === null ? '' : `${pct.toFixed(pct < 1 ? 2 : 0)}%`}</span>
      </div>
      <div className="h-2 overflow-hidden rounded-full bg-stone-200 dark:bg-stone-800">
        <div className="h-full rounded-full bg-accent-500" style={{ width: `${pct ?? 0}%` }} />
      </div>
      <p className="text-xs text-stone-500 dark:text-stone-400">
        {persisted === true
          ? 'Storage is persistent: the browser will not clear it to free space.'
          : persisted === false
            ? 'Storage is “best effort”: under pressure the browser may clear it. Keep a backup.'
            : 'This browser does not report storage persistence.'}{' '}
        Downloaded models count towards this total.
      </p>
    </div>
  );
}

export function SettingsPage() {
  const theme = useUi((s) => s.theme);
  const setTheme = useUi((s) => s.setTheme);
  const { exportAll, read, restore, wipe } = useBackupActions();
  const [pending, setPending] = useState<{ read: ReadBackup; name: string } | null>(null);
  const [confirmWipe, setConfirmWipe] = useState(false);
  const [includeSecrets, setIncludeSecrets] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-4 px-3 py-6 sm:px-6">
      <h1 className="text-xl font-semibold">Settings</h1>
      <PersonasSection />
      <Section id="appearance" title="Appearance">
        <div role="radiogroup" aria-label="Theme" className="flex gap-2">
          {(['light', 'dark', 'system'] as ThemeChoice[]).map((t) => (
            <Button key={t} role="radio" aria-checked={theme === t} variant={theme === t ? 'primary' : 'secondary'} size="sm" onClick={() => { setTheme(t); void setSetting('theme', t); }}>
              {t === 'system' ? 'Match system' : t[0]!.toUpperCase() + t.slice(1)}
            </Button>
          ))}
        </div>
      </Section>
      <Section id="storage" title="Storage" description="Everything stays in this browser (IndexedDB). Nothing is uploaded.">
        <StorageMeter />
      </Section>
      <Section
        id="backup"
        title="Backup"
        description="One file with every character, chat, verdict and setting. Restore it here or in another browser."
        actions={
          <>
            <Button size="sm" icon={<Icon name="download" />} onClick={() => void exportAll({ includeSecrets })}>
              Download backup
            </Button>
            <Button size="sm" icon={<Icon name="upload" />} onClick={() => fileInput.current?.click()}>
              Restore…
            </Button>
          </>
        }
      >
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          className="hidden"
          data-testid="restore-input"
          onChange={async (e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (!file) return;
            const result = await read(file);
            if (result) setPending({ read: result, name: file.name });
          }}
        />
        <label className="flex items-start gap-2 text-sm text-stone-700 dark:text-stone-300">
          <input type="checkbox" className="mt-0.5 h-4 w-4 accent-accent-600" checked={includeSecrets} onChange={(e) => setIncludeSecrets(e.target.checked)} />
          <span>
            Include secrets (the server API key)
            <span className="block text-xs text-stone-500 dark:text-stone-400">Off: the key stays in this browser only, and the backup file is safe to keep anywhere.</span>
          </span>
        </label>
        <div className="flex items-center justify-between gap-3 rounded-xl border border-red-200 px-4 py-3 dark:border-red-900/60">
          <p className="text-sm text-stone-700 dark:text-stone-300">Delete the whole library from this browser.</p>
          <Button size="sm" variant="danger" onClick={() => setConfirmWipe(true)}>
            Delete everything…
          </Button>
        </div>
      </Section>

      <RestoreDialog
        pending={pending}
        onCancel={() => setPending(null)}
        onRestore={(mode, settings) => {
          const p = pending!;
          setPending(null);
          void restore(p.read, mode, settings);
        }}
      />
      <Dialog
        open={confirmWipe}
        onClose={() => setConfirmWipe(false)}
        title="Delete everything?"
        footer={
          <>
            <Button onClick={() => setConfirmWipe(false)}>Cancel</Button>
            <Button variant="danger" onClick={() => { setConfirmWipe(false); void wipe(); }}>
              Delete everything
            </Button>
          </>
        }
      >
        Every character, chat and setting in this browser will be deleted. Download a backup first if you may want them back. Downloaded models are kept (manage them under Models).
      </Dialog>
    </div>
  );
}
