import { describeDeviceDecision, type CheckerDevicePreference } from '../../domain/models/deviceChoice';
import { useCheckerActions } from '../../hooks/useChecks';
import { useSetting } from '../../hooks/useSettings';
import { useCheckerModels } from '../../hooks/useModels';
import { useChecker } from '../../stores/checker';
import { Section } from '../editor/Section';
import { Button } from '../ui/Button';
import { TextField } from '../ui/Field';

const DEVICE_CHOICES: Record<CheckerDevicePreference, string> = {
  auto: 'Automatic — time CPU and GPU once on this machine, keep the faster',
  wasm: 'CPU — WebAssembly',
  webgpu: 'GPU — WebGPU',
};

/** The phase in words; while warming, the worker's own text (it says when it is measuring CPU against GPU). */
function busyLabel(status: ReturnType<typeof useChecker.getState>['status']): string {
  if (status.state === 'downloading') return 'Downloading…';
  if (status.state === 'loading') return 'Loading…';
  return (status.state === 'warming' && status.progress.text) || 'Warming up…';
}

function devicePreference(value: FormDataEntryValue | null): CheckerDevicePreference {
  return value === 'wasm' || value === 'webgpu' ? value : 'auto';
}

/** The consistency checker's two models: NLI cross-encoder and sentence embeddings. */
export function CheckerModelsSection() {
  const status = useChecker((s) => s.status);
  const device = useSetting('checkerDevice');
  const lastError = useChecker((s) => s.lastError);
  // The client's decision object changes only with a load, which also sets status.
  const decision = useChecker((s) => s.client?.deviceDecision ?? null);
  const { load, cancel, unload } = useCheckerActions();
  const { cached, remove, save, nliModelId, embeddingModelId } = useCheckerModels();
  const threshold = useSetting('contradictionThreshold');
  const busy = status.state === 'downloading' || status.state === 'loading' || status.state === 'warming';
  const ready = status.state === 'ready' || status.state === 'busy';
  return (
    <Section
      id="checker-models"
      title="Consistency checker"
      description="An NLI cross-encoder scores each reply sentence against each persona statement; a small embedding model judges which statements your message is about. Both run in their own worker, on the CPU (WebAssembly, all cores when the page is cross-origin isolated) or the GPU (WebGPU): Automatic times both once and keeps the faster."
    >
      <div data-testid="checker-status" data-state={status.state} className="rounded-xl bg-stone-100 px-4 py-3 text-sm dark:bg-stone-800/60">
        <p>
          <span className="font-medium">NLI:</span> {nliModelId} {cached?.nli ? '· downloaded' : ''}
        </p>
        <p>
          <span className="font-medium">Relevance:</span> {embeddingModelId} {cached?.embedding ? '· downloaded' : ''}
        </p>
        <p className="mt-1 text-stone-600 dark:text-stone-400">
          {ready ? 'Loaded and warm.' : busy ? `${busyLabel(status)} ${Math.round(('progress' in status ? status.progress.progress : 0) * 100)}%` : 'Not loaded.'}
        </p>
        {ready && decision ? (
          <p data-testid="checker-device" data-device={decision.device} data-basis={decision.basis} data-cached={decision.cached}>
            <span className="font-medium">Device:</span> {describeDeviceDecision(decision)}
          </p>
        ) : null}
      </div>
      {lastError || status.state === 'error' ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {(status.state === 'error' ? status.error : lastError)?.userMessage ?? 'The checker could not be loaded.'} Chats are unaffected.
        </p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        {busy ? (
          <Button size="sm" onClick={cancel}>
            Cancel
          </Button>
        ) : ready ? (
          <Button size="sm" onClick={() => void unload()}>
            Unload checker
          </Button>
        ) : (
          <Button size="sm" variant="primary" onClick={() => void load()}>
            {cached?.nli && cached.embedding ? 'Load checker' : 'Download checker'}
          </Button>
        )}
        {cached?.nli || cached?.embedding ? (
          <Button size="sm" variant="ghost" disabled={busy} onClick={() => void remove()}>
            Delete checker models
          </Button>
        ) : null}
      </div>
      {nliModelId === null || embeddingModelId === null || threshold === null || device === null ? null : (
      <form
        key={`${nliModelId}|${embeddingModelId}|${threshold}|${device}`}
        className="grid gap-3 sm:grid-cols-3"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          void save({
            nliModelId: String(f.get('nli') ?? ''),
            embeddingModelId: String(f.get('emb') ?? ''),
            threshold: Number(f.get('threshold')),
            device: devicePreference(f.get('device')),
          });
        }}
      >
        <TextField name="nli" label="NLI model" defaultValue={nliModelId} />
        <TextField name="emb" label="Embedding model" defaultValue={embeddingModelId} />
        <TextField name="threshold" label="Flag at P(contradiction) ≥" type="number" min={0.05} max={0.95} step={0.05} defaultValue={threshold} />
        <label className="flex flex-col gap-1.5 text-sm font-medium text-stone-700 sm:col-span-3 dark:text-stone-300">
          Device
          <select name="device" defaultValue={device} className="rounded-lg border border-stone-300 bg-white px-3 py-2 text-sm font-normal dark:border-stone-700 dark:bg-stone-900">
            {Object.entries(DEVICE_CHOICES).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <div className="sm:col-span-3">
          <p className="mb-2 text-xs text-stone-500 dark:text-stone-400">Changes apply the next time the checker loads.</p>
          <Button size="sm" type="submit" disabled={busy}>
            Save checker settings
          </Button>
        </div>
      </form>
      )}
    </Section>
  );
}
