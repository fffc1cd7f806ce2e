/**
 * TEST KIT (unit tests only): the transformers.js chat worker's real handlers
 * over a runtime the test scripts (no transformers.js, no model), served in
 * this thread through channelWorker.
 */
import { createTransformersChatHandlers, type ChatModelRuntime } from '../workers/transformersChatHandlers';
import { channelWorker } from './channelWorker';

export type { ChatModelRuntime, LoadedChatModel } from '../workers/transformersChatHandlers';

/** A fake worker serving the real chat handlers over `runtime`; see channelWorker. */
export function chatWorkerOver(runtime: ChatModelRuntime, onTerminate?: () => void) {
  return channelWorker(createTransformersChatHandlers(runtime), onTerminate);
}
