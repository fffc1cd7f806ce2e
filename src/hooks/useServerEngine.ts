import { useCallback, useRef, useState } from 'react';
import { classifyEngineError } from '../engines/errors';
import { connectToServer, saveServerChoice, type ServerChoice, type ServerModel } from '../services/server';
import { useEngine } from '../stores/engine';
import { useUi } from '../stores/ui';

export type { ServerModel, ServerChoice };

export type ConnectState =
  | { state: 'idle' }
  | { state: 'connecting' }
  | { state: 'connected'; models: ServerModel[] }
  | { state: 'error'; message: string };

/** The Models page's server section: Connect (list the models) and Use (save, switch, load). */
export function useServerEngine() {
  const notify = useUi((s) => s.notify);
  const [connect, setConnect] = useState<ConnectState>({ state: 'idle' });
  const controller = useRef<AbortController | null>(null);

  const list = useCallback(async (baseUrl: string, apiKey: string) => {
    controller.current?.abort();
    const c = new AbortController();
    controller.current = c;
    setConnect({ state: 'connecting' });
    try {
      const models = await connectToServer(baseUrl, apiKey, c.signal);
      if (controller.current === c) setConnect({ state: 'connected', models });
      return models;
    } catch (e) {
      if (controller.current === c) setConnect({ state: 'error', message: classifyEngineError(e, 'load').userMessage });
      return null;
    }
  }, []);

  /** Saves the choice, makes the server the engine and loads the model. Resolves whether it is ready. */
  const use = useCallback(
    async (choice: ServerChoice) => {
      try {
        const config = await saveServerChoice(choice);
        const store = useEngine.getState();
        store.setServer(config);
        await store.setPreference('server');
      } catch (e) {
        notify({ kind: 'error', title: 'The server settings were not saved', detail: classifyEngineError(e, 'load').userMessage });
        return false;
      }
      return useEngine.getState().load(choice.modelId.trim());
    },
    [notify],
  );

  return { connect, list, use };
}
