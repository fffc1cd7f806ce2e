/**
 * TEST KIT (unit tests only): a CheckerClient loaded on the stub checker
 * runtime (stubCheckerRuntime.ts: the real worker handlers over a
 * MessageChannel, a word-rule NLI that checks plumbing, not meaning).
 */
import { CheckerClient } from '../engines/CheckerClient';
import { createStubRuntime, fakeCheckerWorkers, type StubRuntimeOptions } from './stubCheckerRuntime';

/** @returns the loaded client, its runtime and workers, and `dispose` (call it in afterEach). */
export async function loadStubCheckerClient(options: StubRuntimeOptions = {}) {
  const runtime = createStubRuntime(options);
  const workers = fakeCheckerWorkers(runtime);
  const client = new CheckerClient({ createWorker: workers.createWorker });
  const dispose = () => {
    client.dispose();
    workers.close();
  };
  await client.load({ nliModelId: 'stub-nli', embeddingModelId: 'stub-embed', warmUp: false });
  return { client, runtime, workers, dispose };
}
