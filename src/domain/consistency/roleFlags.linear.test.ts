/**
 * Time growth of the role detectors on hostile replies (a `.linear.test`:
 * vitest project `linear`, run alone). Sentences come from the real splitter,
 * as in the app.
 */
import { describe, expect, it } from 'vitest';
import { LINEAR_GROWTH_BOUND, repeatTo, timeGrowth } from '../../test/linearity';
import { segmentSentences } from '../text/sentences';
import { detectRoleFlags, roleCalibrationFor } from './roleFlags';

const calibration = roleCalibrationFor('Xenova/all-MiniLM-L6-v2');
const USER_TURN = repeatTo('you nod and say the deep water ', 2_000);

const run = (replyText: string) =>
  detectRoleFlags({ replyText, sentences: segmentSentences(replyText), userTurn: USER_TURN, userName: 'Alex*', embeddings: null, calibration });

const UNITS: Record<string, string> = {
  'open stars': '*',
  'stars around you': '*you ',
  'bold runs': '**a',
  'quotes': '"',
  'name prefixes': 'Alex*: ',
  'one long sentence of echoed words': 'you nod and say the deep water ',
  'lines of cues': 'As an AI language model, I am here to help.\n',
  'list items': '- try ',
  'one word per line': 'you\n',
};

describe('detectRoleFlags time is linear in the reply', () => {
  it.each(Object.entries(UNITS))('%s: 10× the input costs about 10× the time', (_name, unit) => {
    const growth = timeGrowth(run, (n) => repeatTo(unit, n), 2_000, LINEAR_GROWTH_BOUND);
    expect(growth.ratio, `${growth.smallMs.toFixed(3)} ms → ${growth.largeMs.toFixed(3)} ms`).toBeLessThanOrEqual(LINEAR_GROWTH_BOUND);
  });
});
