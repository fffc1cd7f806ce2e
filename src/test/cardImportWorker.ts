/**
 * TEST KIT (unit tests only): the card import worker's real handlers served in
 * this thread through channelWorker.
 */
import { cardImportHandlers } from '../workers/cardImportHandlers';
import { channelWorker } from './channelWorker';

/** A fake worker serving the real card import handlers; see channelWorker. */
export function cardImportWorker(onTerminate?: () => void) {
  return channelWorker(cardImportHandlers, onTerminate);
}
