import { useEngine } from '../../stores/engine';
import { useRoute } from '../../stores/route';
import { Icon } from '../ui/Icon';

/** Where the chat engine is, in one line; click to manage models. */
export function ModelChip() {
  const status = useEngine((s) => s.status);
  const kind = useEngine((s) => s.engine?.kind ?? null);
  const navigate = useRoute((s) => s.navigate);
  let label: string;
  let tone = 'bg-stone-200 text-stone-700 dark:bg-stone-800 dark:text-stone-300';
  switch (status.state) {
    case 'absent':
      label = 'No model loaded';
      tone = 'bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-100';
      break;
    case 'downloading':
    case 'loading':
    case 'warming':
      label = `${status.state === 'downloading' ? 'Downloading' : status.state === 'loading' ? 'Loading' : 'Warming up'} ${Math.round(status.progress.progress * 100)}%`;
      break;
    case 'ready':
    case 'busy':
      label = status.modelId.split('/').at(-1)!;
      tone = 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-100';
      break;
    case 'error':
      label = 'Model error — reload';
      tone = 'bg-red-100 text-red-900 dark:bg-red-900/40 dark:text-red-100';
      break;
  }
  return (
    <button
      type="button"
      data-testid="model-chip"
      data-state={status.state}
      onClick={() => navigate({ name: 'models' })}
      title={`${kind === 'webllm' ? 'GPU engine (WebLLM)' : kind === 'transformers' ? 'CPU engine (transformers.js)' : kind === 'server' ? 'Server engine (OpenAI-compatible)' : 'Engine'} — manage models`}
      className={`inline-flex max-w-56 items-center gap-1.5 truncate rounded-full px-3 py-1 text-xs font-medium ${tone}`}
    >
      <Icon name="cpu" className="h-3.5 w-3.5 shrink-0" />
      <span className="truncate">{label}</span>
    </button>
  );
}
