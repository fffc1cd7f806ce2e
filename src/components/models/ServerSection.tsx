import { useState } from 'react';
import { useServerEngine } from '../../hooks/useServerEngine';
import { useSetting } from '../../hooks/useSettings';
import { useEngine } from '../../stores/engine';
import { Section } from '../editor/Section';
import { Button } from '../ui/Button';
import { Spinner } from '../ui/EmptyState';
import { TextField } from '../ui/Field';

const num = (s: string, fallback: number) => {
  const n = Number(s);
  return s.trim() !== '' && Number.isFinite(n) ? n : fallback;
};

/**
 * The server engine (OpenAI-compatible): address, optional key, Connect to
 * list the server's models, context size, and exactly what is sent. Opt-in:
 * nothing leaves the browser until the writer presses "Use this server".
 */
export function ServerSection() {
  const storedUrl = useSetting('serverBaseUrl');
  const storedKey = useSetting('serverApiKey');
  const storedModel = useSetting('serverModelId');
  const storedContext = useSetting('serverContextSize');
  const storedSampling = useSetting('serverSampling');
  const loaded = storedUrl !== null && storedKey !== null && storedModel !== null && storedContext !== null && storedSampling !== null;
  return (
    <Section
      id="server"
      title="Server (OpenAI-compatible)"
      description="Chat through a model server you run — llama.cpp's llama-server, Ollama, LM Studio, KoboldCpp or vLLM — for models larger than this machine's GPU holds. The consistency checker still runs here, on every reply."
    >
      <div data-testid="server-privacy" className="rounded-xl border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-950 dark:border-amber-900/60 dark:bg-amber-950/30 dark:text-amber-100">
        <p className="font-medium">What is sent to the server</p>
        <p className="mt-1">
          With each reply: the prompt (the character card, persona statements, matching lorebook entries and as much of this chat as fits the context size) and the sampling settings. Nothing else — no other characters or chats, no verdicts, no files. The API key is kept in this browser only and left out of backups unless you tick “Include secrets”. Nothing is sent until you press Connect or “Use this server”.
        </p>
      </div>
      {loaded ? (
        <ServerForm
          initial={{
            baseUrl: storedUrl,
            apiKey: storedKey,
            modelId: storedModel,
            contextSize: String(storedContext),
            minP: String(storedSampling.minP),
            topK: String(storedSampling.topK),
            frequencyPenalty: String(storedSampling.frequencyPenalty),
          }}
          storedUrl={storedUrl}
        />
      ) : (
        <Spinner label="Reading the server settings…" />
      )}
    </Section>
  );
}

interface FormValues {
  baseUrl: string;
  apiKey: string;
  modelId: string;
  contextSize: string;
  minP: string;
  topK: string;
  frequencyPenalty: string;
}

function ServerForm({ initial, storedUrl }: { initial: FormValues; storedUrl: string }) {
  const engineKind = useEngine((s) => s.engine?.kind ?? null);
  const status = useEngine((s) => s.status);
  const { connect, list, use } = useServerEngine();
  const [baseUrl, setBaseUrl] = useState(initial.baseUrl);
  const [apiKey, setApiKey] = useState(initial.apiKey);
  const [modelId, setModelId] = useState(initial.modelId);
  const [contextSize, setContextSize] = useState(initial.contextSize);
  const [minP, setMinP] = useState(initial.minP);
  const [topK, setTopK] = useState(initial.topK);
  const [frequencyPenalty, setFrequencyPenalty] = useState(initial.frequencyPenalty);

  const busy = status.state === 'loading' || status.state === 'downloading' || status.state === 'warming' || status.state === 'busy';
  const inUse = engineKind === 'server';
  const ready = inUse && status.state === 'ready';

  return (
        <form
          aria-label="Server engine"
          className="flex flex-col gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            void use({
              baseUrl,
              apiKey,
              modelId,
              contextSize: Math.round(num(contextSize, 4096)),
              sampling: { minP: num(minP, 0), topK: Math.round(num(topK, 0)), frequencyPenalty: num(frequencyPenalty, 0) },
            });
          }}
        >
          <div className="grid gap-3 sm:grid-cols-[2fr_1fr]">
            <TextField label="Server base URL" placeholder="http://127.0.0.1:8080/v1" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} spellCheck={false} autoComplete="off" inputMode="url" />
            <TextField label="API key" hint="optional" type="password" value={apiKey} onChange={(e) => setApiKey(e.target.value)} autoComplete="off" />
          </div>
          <div className="flex flex-wrap items-center gap-2">
            <Button size="sm" onClick={() => void list(baseUrl, apiKey)} disabled={!baseUrl.trim() || connect.state === 'connecting'}>
              Connect
            </Button>
            {connect.state === 'connecting' ? <Spinner label="Asking the server for its models…" /> : null}
            {connect.state === 'connected' ? (
              <span data-testid="server-connected" className="text-sm text-stone-600 dark:text-stone-400">
                {connect.models.length ? `${connect.models.length} model${connect.models.length === 1 ? '' : 's'} on this server — pick one or type its id.` : 'Connected. The server lists no models: type the model id.'}
              </span>
            ) : null}
          </div>
          {connect.state === 'error' ? (
            <p role="alert" data-testid="server-connect-error" className="rounded-lg border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950/50 dark:text-red-100">
              {connect.message}
            </p>
          ) : null}
          {connect.state === 'connected' && connect.models.length ? (
            <div role="radiogroup" aria-label="Server models" className="flex flex-wrap gap-2">
              {connect.models.map((m) => (
                <Button
                  key={m.id}
                  size="sm"
                  role="radio"
                  aria-checked={modelId === m.id}
                  variant={modelId === m.id ? 'primary' : 'secondary'}
                  onClick={() => {
                    setModelId(m.id);
                    if (m.contextSize) setContextSize(String(m.contextSize));
                  }}
                >
                  {m.id}
                  {m.contextSize ? <span className="text-xs opacity-75">{m.contextSize.toLocaleString()} ctx</span> : null}
                </Button>
              ))}
            </div>
          ) : null}
          <div className="grid gap-3 sm:grid-cols-[2fr_1fr]">
            <TextField label="Model id" placeholder="e.g. llama3.1:70b" value={modelId} onChange={(e) => setModelId(e.target.value)} spellCheck={false} autoComplete="off" />
            <TextField label="Context size (tokens)" type="number" min={256} max={2000000} step={256} value={contextSize} onChange={(e) => setContextSize(e.target.value)} />
          </div>
          <details className="rounded-lg border border-stone-200 px-3 py-2 text-sm dark:border-stone-800">
            <summary className="cursor-pointer text-stone-700 dark:text-stone-300">Extra sampling, for servers that take it (0 = not sent)</summary>
            <div className="mt-3 grid gap-3 sm:grid-cols-3">
              <TextField label="min_p" type="number" min={0} max={1} step={0.01} value={minP} onChange={(e) => setMinP(e.target.value)} />
              <TextField label="top_k" type="number" min={0} max={1000} step={1} value={topK} onChange={(e) => setTopK(e.target.value)} />
              <TextField label="frequency_penalty" type="number" min={-2} max={2} step={0.1} value={frequencyPenalty} onChange={(e) => setFrequencyPenalty(e.target.value)} />
            </div>
            <p className="mt-2 text-xs text-stone-500 dark:text-stone-400">Temperature, top_p, max tokens, presence and repetition penalty come from each chat’s sampling settings.</p>
          </details>
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="text-xs text-stone-500 dark:text-stone-400">The server must allow this page’s origin (CORS); README → “Chat through your own server” has the flag for each server.</p>
            <Button type="submit" variant="primary" disabled={busy || !baseUrl.trim() || !modelId.trim()}>
              Use this server
            </Button>
          </div>
          {ready ? (
            <p data-testid="server-in-use" className="text-sm text-emerald-700 dark:text-emerald-300">
              In use: {status.modelId} on {safeOrigin(storedUrl)}
            </p>
          ) : null}
        </form>
  );
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
