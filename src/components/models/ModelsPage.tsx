import { CpuFallbackOffer } from './CpuFallbackOffer';
import { useState } from 'react';
import { useModelActions, useModelList, type ModelRow } from '../../hooks/useModels';
import { useSetting } from '../../hooks/useSettings';
import { formatBytes } from '../../platform/files';
import { useEngine } from '../../stores/engine';
import { Section } from '../editor/Section';
import { StorageMeter } from '../settings/SettingsPage';
import { Button } from '../ui/Button';
import { Spinner } from '../ui/EmptyState';
import { Icon } from '../ui/Icon';
import { TextField } from '../ui/Field';
import { CheckerModelsSection } from './CheckerModelsSection';
import { ServerSection } from './ServerSection';

const ENGINE_TITLES = {
  webllm: 'GPU engine — WebLLM on WebGPU',
  transformers: 'CPU engine — transformers.js on WebAssembly',
  server: 'Server engine — an OpenAI-compatible server you run',
} as const;

function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return 'estimating…';
  if (seconds < 60) return `${Math.ceil(seconds)} s left`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s left`;
}

/** Progress of the load in flight: percent, MB, speed, time left, cancel. */
export function LoadProgressCard() {
  const status = useEngine((s) => s.status);
  const download = useEngine((s) => s.download);
  const cancel = useEngine((s) => s.cancelLoad);
  if (status.state !== 'downloading' && status.state !== 'loading' && status.state !== 'warming') return null;
  const p = status.progress;
  const pct = Math.round(p.progress * 100);
  const phase = status.state === 'downloading' ? 'Downloading' : status.state === 'loading' ? 'Loading into memory' : 'Warming up';
  return (
    <div data-testid="load-progress" className="rounded-xl border border-accent-200 bg-accent-50 p-4 dark:border-accent-900 dark:bg-accent-950/40">
      <div className="mb-2 flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-medium">
          {phase} {status.modelId.split('/').at(-1)}
        </span>
        <span className="tabular-nums text-stone-600 dark:text-stone-400">
          {pct}%
          {p.loadedBytes !== undefined && p.totalBytes ? ` · ${formatBytes(p.loadedBytes)} of ${formatBytes(p.totalBytes)}` : ''}
          {status.state === 'downloading' && download?.bytesPerSecond ? ` · ${formatBytes(download.bytesPerSecond)}/s · ${formatEta(download.etaSeconds)}` : ''}
        </span>
      </div>
      <div role="progressbar" aria-label={`${phase} progress`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} className="h-2 overflow-hidden rounded-full bg-accent-100 dark:bg-accent-900/60">
        <div className="h-full rounded-full bg-accent-600 transition-[width]" style={{ width: `${pct}%` }} />
      </div>
      <div className="mt-2 flex items-center justify-between gap-2">
        <p className="truncate text-xs text-stone-500 dark:text-stone-400">{p.text}</p>
        <Button size="sm" onClick={cancel}>
          Cancel
        </Button>
      </div>
    </div>
  );
}

function ModelItem({ row, loadedId, busy, onLoad, onDelete }: { row: ModelRow; loadedId: string | null; busy: boolean; onLoad: () => void; onDelete: () => void }) {
  const loaded = loadedId === row.modelId;
  return (
    <li data-testid="model-row" data-model-id={row.modelId} className="flex flex-col gap-2 rounded-xl border border-stone-200 p-4 sm:flex-row sm:items-center dark:border-stone-800">
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-center gap-2">
          <span className="font-medium">{row.label}</span>
          <span className="rounded bg-stone-100 px-1.5 text-xs text-stone-600 dark:bg-stone-800 dark:text-stone-300">{row.build}</span>
          {loaded ? <span className="rounded bg-emerald-100 px-1.5 text-xs text-emerald-800 dark:bg-emerald-900/40 dark:text-emerald-200">loaded</span> : null}
          {row.cached ? <span className="rounded bg-sky-100 px-1.5 text-xs text-sky-800 dark:bg-sky-900/40 dark:text-sky-200">downloaded</span> : null}
        </div>
        <p className="mt-1 text-sm text-stone-600 dark:text-stone-400">{row.notes}</p>
        <p className="mt-1 text-xs tabular-nums text-stone-500 dark:text-stone-400">
          {row.params} parameters · ~{row.downloadMB >= 1000 ? `${(row.downloadMB / 1024).toFixed(1)} GB` : `${Math.round(row.downloadMB)} MB`} download
          {row.vramMB ? ` · ${(row.vramMB / 1024).toFixed(1)} GB GPU memory` : ''} · {row.contextWindow.toLocaleString()} tokens context
        </p>
        {!row.runnable && row.reason ? <p className="mt-1 text-xs text-amber-700 dark:text-amber-300">{row.reason}</p> : null}
      </div>
      <div className="flex shrink-0 gap-2">
        {row.cached ? (
          <Button size="sm" variant="ghost" icon={<Icon name="trash" />} onClick={onDelete} disabled={busy} aria-label={`Delete ${row.label} from this browser`}>
            Delete
          </Button>
        ) : null}
        <Button size="sm" variant={loaded ? 'secondary' : 'primary'} onClick={onLoad} disabled={busy || loaded} aria-label={`${row.cached ? 'Load' : 'Download'} ${row.label}`}>
          {loaded ? 'Loaded' : row.cached ? 'Load' : 'Download'}
        </Button>
      </div>
    </li>
  );
}

export default function ModelsPage() {
  const engine = useEngine((s) => s.engine);
  const choice = useEngine((s) => s.choice);
  const detection = useEngine((s) => s.detection);
  const status = useEngine((s) => s.status);
  const lastError = useEngine((s) => s.lastError);
  const preference = useEngine((s) => s.preference);
  const { rows, error, refresh } = useModelList();
  const { load, remove, setPreference, setBaseUrl } = useModelActions();
  const baseUrl = useSetting('modelBaseUrl');
  const [customId, setCustomId] = useState('');
  const busy = status.state === 'downloading' || status.state === 'loading' || status.state === 'warming' || status.state === 'busy';
  const loadedId = status.state === 'ready' || status.state === 'busy' ? status.modelId : null;

  return (
    <div className="mx-auto flex w-full max-w-3xl flex-col gap-4 px-3 py-6 sm:px-6">
      <h1 className="text-xl font-semibold">Models</h1>

      <Section id="engine" title="Engine" description="Where the model runs. GPU and CPU keep everything on this machine; the server engine sends the prompt to a server you choose.">
        {!engine || !choice ? (
          <Spinner label="Checking this browser for WebGPU…" />
        ) : (
          <>
            <div data-testid="engine-choice" data-kind={engine.kind} className="rounded-xl bg-stone-100 px-4 py-3 text-sm dark:bg-stone-800/60">
              <p className="font-medium">{ENGINE_TITLES[engine.kind]}</p>
              <p className="mt-1 text-stone-600 dark:text-stone-400">{choice.reason}</p>
              {detection && !detection.available ? (
                <p className="mt-2 text-xs text-stone-500 dark:text-stone-400">
                  To use your GPU: a recent Chrome or Edge (113+) on desktop, opened over https or on localhost; on Linux you may need chrome://flags/#enable-unsafe-webgpu and Vulkan drivers.
                </p>
              ) : null}
              {detection?.available ? (
                <p className="mt-2 text-xs text-stone-500 dark:text-stone-400">
                  Adapter: {detection.adapterInfo.vendor || 'unknown'} {detection.adapterInfo.architecture} · shader-f16 {detection.hasF16 ? 'yes (q4f16 builds)' : 'no (q4f32 builds only)'} · max buffer {formatBytes(detection.limits.maxBufferSize)}
                </p>
              ) : null}
            </div>
            <div role="radiogroup" aria-label="Engine preference" className="flex flex-wrap gap-2">
              {(
                [
                  ['auto', 'Automatic'],
                  ['webllm', 'GPU (WebLLM)'],
                  ['transformers', 'CPU (transformers.js)'],
                  ['server', 'Server (OpenAI-compatible)'],
                ] as const
              ).map(([value, label]) => (
                <Button key={value} size="sm" role="radio" aria-checked={preference === value} variant={preference === value ? 'primary' : 'secondary'} disabled={busy} onClick={() => void setPreference(value)}>
                  {label}
                </Button>
              ))}
            </div>
          </>
        )}
      </Section>

      <LoadProgressCard />
      <CpuFallbackOffer />
      {lastError ? (
        <div role="alert" data-testid="load-error" className="rounded-xl border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-900 dark:bg-red-950/50 dark:text-red-100">
          <p className="font-medium">The model could not be loaded.</p>
          <p className="mt-1">{lastError.userMessage ?? lastError.message}</p>
          <p className="mt-1 text-xs opacity-80">Your characters and chats are untouched.</p>
        </div>
      ) : null}
      {status.state === 'error' ? (
        <div role="alert" className="flex items-center justify-between gap-3 rounded-xl border border-red-300 bg-red-50 px-4 py-3 text-sm dark:border-red-900 dark:bg-red-950/50">
          <span>{status.error.userMessage ?? status.error.message}</span>
          {status.modelId ? (
            <Button size="sm" onClick={() => void load(status.modelId!)}>
              Reload model
            </Button>
          ) : null}
        </div>
      ) : null}

      {engine?.kind === 'server' ? null : (
        <>
          <Section id="catalog" title={engine?.kind === 'webllm' ? 'Models for your GPU' : 'Models for the CPU engine'} description="Chosen for role-play, small to large. A download happens once; the model is then cached in this browser." actions={<Button size="sm" variant="ghost" icon={<Icon name="refresh" />} onClick={refresh}>Refresh</Button>}>
            {error ? <p className="text-sm text-red-700 dark:text-red-300">The model list could not be read: {error}</p> : null}
            {rows === null && !error ? <Spinner label="Reading the model list…" /> : null}
            {rows ? (
              <ul className="flex flex-col gap-2" data-testid="model-list">
                {rows.map((r) => (
                  <ModelItem key={r.modelId} row={r} loadedId={loadedId} busy={busy} onLoad={() => void load(r.modelId).then(refresh)} onDelete={() => void remove(r.modelId).then(refresh)} />
                ))}
              </ul>
            ) : null}
            <form
              className="flex flex-col gap-2 sm:flex-row sm:items-end"
              onSubmit={(e) => {
                e.preventDefault();
                if (customId.trim()) void load(customId.trim()).then(refresh);
              }}
            >
              <TextField className="flex-1" label="Load another model by id" hint="e.g. a folder on your self-hosted source" value={customId} onChange={(e) => setCustomId(e.target.value)} />
              <Button type="submit" disabled={busy || !customId.trim()}>
                Load
              </Button>
            </form>
            {loadedId ? (
              <div>
                <Button size="sm" variant="ghost" onClick={() => void useEngine.getState().unload()}>
                  Unload {loadedId.split('/').at(-1)}
                </Button>
              </div>
            ) : null}
          </Section>
        </>
      )}

      <ServerSection />

      <Section id="source" title="Model source" description="Hugging Face by default. A self-hosted base URL serves model files from your own static host (see README: “Self-hosting models”).">
        {baseUrl === null ? null : (
          <form
            className="flex flex-col gap-2 sm:flex-row sm:items-end"
            onSubmit={(e) => {
              e.preventDefault();
              const v = (new FormData(e.currentTarget).get('base') as string) ?? '';
              void setBaseUrl(v);
            }}
          >
            <TextField className="flex-1" name="base" label="Self-hosted base URL" placeholder="empty = Hugging Face; e.g. ./models/ or https://example.org/models/" defaultValue={baseUrl} />
            <Button type="submit" disabled={busy}>
              Save source
            </Button>
          </form>
        )}
      </Section>

      <CheckerModelsSection />

      <Section id="model-storage" title="Storage">
        <StorageMeter />
      </Section>
    </div>
  );
}
