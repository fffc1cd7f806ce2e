/**
 * Reply segmentation for the checker: the one sentence splitter
 * (domain/text/sentences.ts, whose streaming segmenter scores a sentence the
 * moment it is complete), re-exported for the checker's code, and the
 * cleanup that turns a sentence into NLI input.
 */
export {
  SegmenterClosedError,
  StreamingSentenceSegmenter,
  segmentSentences,
  type SegmentedSentence,
} from '../text/sentences';

/**
 * Text for the NLI model: role-play markup (*actions*, _emphasis_) removed and
 * whitespace collapsed. The NLI models were trained on plain prose; keep the
 * original sentence for display and cache keys.
 */
export function stripRoleplayMarkup(text: string): string {
  return text
    .replace(/[*_]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
