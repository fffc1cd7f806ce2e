/**
 * Precision and recall of the role detectors on a labelled set (issue 11 §5):
 * the unit test runs it on the fixture embedder (plumbing), `npm run
 * eval:flags` on the real default embedding model. Pure: the caller embeds
 * `roleSetTexts(set)` and hands the vectors in.
 */
import { segmentSentences } from '../text/sentences';
import { ASSISTANT_EXEMPLARS, IN_CHARACTER_EXEMPLARS, scoreAssistantVoice } from './assistantVoice';
import { echoSource, scoreEcho } from './echo';
import type { RoleCalibration } from './roleFlags';
import { stripRoleplayMarkup } from './segmenter';
import { detectSpeaksForUser } from './speaksForUser';

/** The shape of roleCalibrationSet.json. */
export interface RoleFlagSet {
  characters: Record<string, { name: string; voice: string[] }>;
  assistantVoice: { character: string; text: string; assistant: boolean }[];
  echo: { userTurn: string; reply: string; echo: boolean }[];
  speaksForUser: { userName: string; reply: string; speaksForUser: boolean }[];
}

export interface DetectorMetrics {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
  /** Positives not flagged, and negatives flagged: what to read when tuning. */
  misses: string[];
  falseAlarms: string[];
}

export interface ThresholdChoice {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface RoleEvaluation {
  assistantVoice: DetectorMetrics & { best: ThresholdChoice };
  echo: DetectorMetrics & { best: ThresholdChoice };
  speaksForUser: DetectorMetrics;
}

/** What a vector is looked up by: the sentence as the checker embeds it (markup stripped). */
const embedText = (sentence: string) => stripRoleplayMarkup(sentence);

/** Every text the evaluation needs a vector for, once each. */
export function roleSetTexts(set: RoleFlagSet): string[] {
  const texts = new Set<string>([...ASSISTANT_EXEMPLARS, ...IN_CHARACTER_EXEMPLARS]);
  for (const c of Object.values(set.characters)) for (const v of c.voice) texts.add(v);
  for (const c of set.assistantVoice) for (const s of segmentSentences(c.text)) texts.add(embedText(s.text));
  for (const c of set.echo) {
    texts.add(c.userTurn);
    for (const s of segmentSentences(c.reply)) texts.add(embedText(s.text));
  }
  return [...texts];
}

function metrics(results: readonly { label: boolean; predicted: boolean; text: string }[]): DetectorMetrics {
  const m: DetectorMetrics = { tp: 0, fp: 0, fn: 0, tn: 0, precision: 0, recall: 0, f1: 0, misses: [], falseAlarms: [] };
  for (const r of results) {
    if (r.label && r.predicted) m.tp++;
    else if (r.label) {
      m.fn++;
      m.misses.push(r.text);
    } else if (r.predicted) {
      m.fp++;
      m.falseAlarms.push(r.text);
    } else m.tn++;
  }
  m.precision = m.tp + m.fp > 0 ? m.tp / (m.tp + m.fp) : 1;
  m.recall = m.tp + m.fn > 0 ? m.tp / (m.tp + m.fn) : 1;
  m.f1 = m.precision + m.recall > 0 ? (2 * m.precision * m.recall) / (m.precision + m.recall) : 0;
  return m;
}

/** The threshold (among the observed scores) with the best F1; ties go to the higher threshold (fewer false alarms). */
export function bestThreshold(scored: readonly { score: number; label: boolean }[]): ThresholdChoice {
  const candidates = [...new Set(scored.map((s) => s.score).filter((s) => s > 0))].sort((a, b) => b - a);
  let best: ThresholdChoice = { threshold: 1, precision: 1, recall: 0, f1: 0 };
  for (const t of candidates) {
    const m = metrics(scored.map((s) => ({ label: s.label, predicted: s.score >= t, text: '' })));
    if (m.f1 > best.f1) best = { threshold: t, precision: m.precision, recall: m.recall, f1: m.f1 };
  }
  return best;
}

/**
 * Scores every case of the set as the live check would (sentence by
 * sentence; a case is flagged when any of its sentences is).
 * @param vectors by text (roleSetTexts); null scores the lexical signals alone.
 * @throws {ConsistencyInputError} when vectors have mismatched lengths.
 */
export function evaluateRoleSet(set: RoleFlagSet, vectors: ReadonlyMap<string, ArrayLike<number>> | null, calibration: RoleCalibration): RoleEvaluation {
  const vec = (text: string) => vectors?.get(text) ?? null;
  const assistant = vectors ? ASSISTANT_EXEMPLARS.map((t) => vec(t)!) : [];
  const voiceOf = new Map(
    Object.entries(set.characters).map(([id, c]) => [id, vectors ? [...c.voice, ...IN_CHARACTER_EXEMPLARS].map((t) => vec(t)!) : []]),
  );

  const voiceScores = set.assistantVoice.map((c) => {
    let score = 0;
    for (const s of segmentSentences(c.text)) {
      const v = vec(embedText(s.text));
      const r = scoreAssistantVoice(s.text, v ? { sentence: v, assistant, voice: voiceOf.get(c.character) ?? [] } : null, calibration.assistantVoice);
      score = Math.max(score, r.score);
    }
    return { score, label: c.assistant, text: c.text };
  });

  const echoScores = set.echo.map((c) => {
    const source = echoSource(c.userTurn);
    const user = vec(c.userTurn);
    let score = 0;
    for (const s of segmentSentences(c.reply)) {
      const v = vec(embedText(s.text));
      score = Math.max(score, scoreEcho(embedText(s.text), source, v && user ? { sentence: v, userTurn: user } : null, calibration.echo).score);
    }
    return { score, label: c.echo, text: `${c.userTurn} → ${c.reply}` };
  });

  const speaks = set.speaksForUser.map((c) => ({
    label: c.speaksForUser,
    predicted: detectSpeaksForUser({ replyText: c.reply, sentences: segmentSentences(c.reply), userName: c.userName }).length > 0,
    text: c.reply,
  }));

  const at = (scores: typeof voiceScores, threshold: number) => metrics(scores.map((s) => ({ label: s.label, predicted: s.score >= threshold, text: s.text })));
  return {
    assistantVoice: { ...at(voiceScores, calibration.assistantVoice.threshold), best: bestThreshold(voiceScores) },
    echo: { ...at(echoScores, calibration.echo.threshold), best: bestThreshold(echoScores) },
    speaksForUser: metrics(speaks),
  };
}
