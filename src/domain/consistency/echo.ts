/**
 * Echoing (issue 11 §4, after SPASM): a reply sentence that repeats the
 * user's last message instead of answering it. Two signals:
 * - word n-grams: the share of the sentence's words covered by a word
 *   trigram that also occurs in the user's message (hash set of the user's
 *   trigrams, one pass over the sentence: linear in both);
 * - embeddings: cosine of the sentence to the user's message through a
 *   calibrated curve, for paraphrased echoes, only where the model can tell
 *   a paraphrase from an answer.
 */
import { cosine } from './relevance';
import { clip, wordsOf } from './roleText';

/** Word n-gram length: two shared words is conversation, three in a row is quoting. */
export const ECHO_NGRAM = 3;
/** Sentences (and user messages) shorter than this are never echoes: "Yes, the sea." */
export const ECHO_MIN_WORDS = 4;

export interface EchoCalibration {
  /** Score at and above which a sentence is flagged. */
  threshold: number;
  /** Cosine where the embedding signal is 0.5; null turns it off. */
  midpointCos: number | null;
  temperatureCos: number;
  /**
   * The embedding signal counts only when at least this share of the
   * sentence is shared trigrams too: an answer on the same topic has a high
   * cosine but its own words.
   */
  minCoverageForEmbedding: number;
}

/**
 * MiniLM starting point. IMPORTANT: not measured on the real model here;
 * near-paraphrases sit at cos ≥ 0.85 for MiniLM while on-topic answers are
 * around 0.5–0.7. `npm run eval:flags` reports the real numbers.
 */
export const DEFAULT_ECHO_CALIBRATION: Readonly<EchoCalibration> = Object.freeze({
  threshold: 0.55,
  midpointCos: 0.85,
  temperatureCos: 0.04,
  minCoverageForEmbedding: 0.2,
});

export const ECHO_CALIBRATIONS: Readonly<Record<string, Readonly<EchoCalibration>>> = Object.freeze({
  'Xenova/all-MiniLM-L6-v2': DEFAULT_ECHO_CALIBRATION,
  'Xenova/bge-small-en-v1.5': Object.freeze({ ...DEFAULT_ECHO_CALIBRATION, midpointCos: 0.92, temperatureCos: 0.02 }),
  // A bag of content words gives an answer and its question cosine ~1
  // ("Do you love the sea?" / "I love the sea."): n-grams only.
  'tiny-embed': Object.freeze({ ...DEFAULT_ECHO_CALIBRATION, midpointCos: null }),
});

/** The calibration for an embedding model id (the MiniLM default when unknown). */
export function echoCalibrationFor(embeddingModelId: string): Readonly<EchoCalibration> {
  return ECHO_CALIBRATIONS[embeddingModelId] ?? DEFAULT_ECHO_CALIBRATION;
}

/**
 * Person words mapped to one token: an echo mirrors the speaker ("I want to
 * walk…" → "You want to walk…"), and the trigrams should still meet.
 */
const PERSON = new Set(['i', 'me', 'my', 'mine', 'myself', 'you', 'your', 'yours', 'yourself', "i'm", "you're", "i've", "you've", "i'll", "you'll", "i'd", "you'd"]);
const personless = (words: string[]) => words.map((w) => (PERSON.has(w) ? '·' : w));

/** The user's message prepared once per reply: its trigrams. */
export interface EchoSource {
  words: number;
  grams: ReadonlySet<string>;
}

/** Linear in the message. */
export function echoSource(userTurn: string): EchoSource {
  const words = personless(wordsOf(userTurn));
  const grams = new Set<string>();
  for (let i = 0; i + ECHO_NGRAM <= words.length; i++) grams.add(words.slice(i, i + ECHO_NGRAM).join(' '));
  return { words: words.length, grams };
}

export interface EchoScore {
  score: number;
  /** Share of the sentence's words inside a shared trigram. */
  coverage: number;
  /** The embedding signal (0 when off or unused). */
  embedding: number;
  /** The longest run of echoed words, as they appear in the sentence ('' when none). */
  echoed: string;
}

/**
 * Scores one sentence against the user's message. Linear in the sentence
 * (plus the vector dimension).
 * @throws {ConsistencyInputError} when the vectors have different lengths.
 */
export function scoreEcho(
  sentence: string,
  source: EchoSource,
  vectors: { sentence: ArrayLike<number>; userTurn: ArrayLike<number> } | null,
  calibration: Readonly<EchoCalibration> = DEFAULT_ECHO_CALIBRATION,
): EchoScore {
  const shown = wordsOf(sentence);
  const words = personless(shown);
  const none: EchoScore = { score: 0, coverage: 0, embedding: 0, echoed: '' };
  if (words.length < ECHO_MIN_WORDS || source.words < ECHO_MIN_WORDS) return none;
  const covered = new Uint8Array(words.length);
  for (let i = 0; i + ECHO_NGRAM <= words.length; i++) {
    if (source.grams.has(words.slice(i, i + ECHO_NGRAM).join(' '))) covered.fill(1, i, i + ECHO_NGRAM);
  }
  let count = 0;
  let bestStart = 0;
  let bestLen = 0;
  let runStart = 0;
  for (let i = 0; i <= words.length; i++) {
    if (i < words.length && covered[i]) {
      count++;
      continue;
    }
    if (i - runStart > bestLen) {
      bestLen = i - runStart;
      bestStart = runStart;
    }
    runStart = i + 1;
  }
  const coverage = count / words.length;
  let embedding = 0;
  if (vectors && calibration.midpointCos !== null && coverage >= calibration.minCoverageForEmbedding) {
    const c = cosine(vectors.sentence, vectors.userTurn);
    embedding = 1 / (1 + Math.exp(-(c - calibration.midpointCos) / calibration.temperatureCos));
  }
  return {
    score: Math.max(coverage, embedding),
    coverage,
    embedding,
    echoed: bestLen > 0 ? shown.slice(bestStart, bestStart + bestLen).join(' ') : '',
  };
}

/** The hover text of an echo flag. */
export function echoEvidence(result: EchoScore): string {
  if (result.echoed) return clip(`Repeats your words: "${result.echoed}"`);
  return 'Says back what you said';
}
