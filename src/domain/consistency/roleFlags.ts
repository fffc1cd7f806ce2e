/**
 * Role flags (issue 11 §3–4): the three detectors run over one reply and
 * their findings become the verdict's `roleFlags`; `roleFailures` says which
 * of them the guard must treat as a broken turn.
 *
 * Pure: embeddings come in as numbers (the checker worker computes them),
 * and a reply without them still gets the lexical flags.
 */
import type { CardData } from '../character';
import { splitExampleBlocks } from '../prompt/assemble';
import { resolveMacros } from '../text/macros';
import { splitSentences } from '../text/sentences';
import {
  ASSISTANT_EXEMPLARS,
  IN_CHARACTER_EXEMPLARS,
  assistantVoiceCalibrationFor,
  assistantVoiceEvidence,
  scoreAssistantVoice,
  type AssistantVoiceCalibration,
} from './assistantVoice';
import { echoCalibrationFor, echoEvidence, echoSource, scoreEcho, type EchoCalibration } from './echo';
import { type RoleSentence } from './roleText';
import { stripRoleplayMarkup } from './segmenter';
import { detectSpeaksForUser } from './speaksForUser';
import type { RoleFlag, RoleFlagKind, Verdict } from './verdict';

export interface RoleCalibration {
  assistantVoice: Readonly<AssistantVoiceCalibration>;
  echo: Readonly<EchoCalibration>;
}

/** Both detectors' calibrations for an embedding model id. */
export function roleCalibrationFor(embeddingModelId: string): RoleCalibration {
  return { assistantVoice: assistantVoiceCalibrationFor(embeddingModelId), echo: echoCalibrationFor(embeddingModelId) };
}

/** The embeddings the detectors use, all from one model. */
export interface RoleEmbeddings {
  /** By position in `sentences`; null for a sentence not embedded. */
  sentences: readonly (ArrayLike<number> | null)[];
  userTurn: ArrayLike<number> | null;
  /** One per ASSISTANT_EXEMPLARS entry. */
  assistant: readonly ArrayLike<number>[];
  /** The character's voice lines followed by IN_CHARACTER_EXEMPLARS. */
  voice: readonly ArrayLike<number>[];
}

export interface RoleDetectionInput {
  replyText: string;
  /** The reply's sentences (the verdict's), in order. */
  sentences: readonly RoleSentence[];
  /** The user's message this reply answers ('' for a greeting). */
  userTurn: string;
  /** The user's persona name as the prompt used it. */
  userName: string;
  embeddings: RoleEmbeddings | null;
  calibration: RoleCalibration;
}

const KIND_ORDER: Record<RoleFlagKind, number> = { 'assistant-voice': 0, echo: 1, 'speaks-for-user': 2 };

/**
 * Every role flag of one reply, ordered by sentence then kind; at most one
 * flag per kind and sentence. Linear in the reply (plus sentences × exemplars
 * × dimension for the cosines).
 * @throws {ConsistencyInputError} when the embeddings have mismatched lengths.
 */
export function detectRoleFlags(input: RoleDetectionInput): RoleFlag[] {
  const { sentences, embeddings, calibration } = input;
  const flags: RoleFlag[] = [];
  const source = echoSource(input.userTurn);
  sentences.forEach((s, i) => {
    const plain = stripRoleplayMarkup(s.text);
    const vector = embeddings?.sentences[i] ?? null;
    const voice = scoreAssistantVoice(
      // The raw text keeps list markers ("- Try…"); the cues normalise it.
      s.text,
      vector && embeddings ? { sentence: vector, assistant: embeddings.assistant, voice: embeddings.voice } : null,
      calibration.assistantVoice,
    );
    if (voice.score >= calibration.assistantVoice.threshold) {
      flags.push({ kind: 'assistant-voice', sentenceIndex: s.index, score: voice.score, evidence: assistantVoiceEvidence(voice) });
    }
    const echo = scoreEcho(
      plain,
      source,
      vector && embeddings?.userTurn ? { sentence: vector, userTurn: embeddings.userTurn } : null,
      calibration.echo,
    );
    if (echo.score >= calibration.echo.threshold) {
      flags.push({ kind: 'echo', sentenceIndex: s.index, score: echo.score, evidence: echoEvidence(echo) });
    }
  });
  for (const h of detectSpeaksForUser({ replyText: input.replyText, sentences, userName: input.userName })) {
    flags.push({ kind: 'speaks-for-user', sentenceIndex: h.sentenceIndex, score: h.score, evidence: h.evidence });
  }
  return flags.sort((a, b) => (a.sentenceIndex ?? -1) - (b.sentenceIndex ?? -1) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}

/** Most voice lines taken from a card: enough to know its voice, cheap to embed once per chat. */
export const MAX_VOICE_LINES = 40;
/** Longest voice line kept, in characters (a card's wall of text is not one line of voice). */
const MAX_VOICE_LINE_CHARS = 300;

/**
 * The character's own voice, as sentences: its greeting(s) and what it says
 * in the example dialogues (lines prefixed `{{char}}:` or its name; the
 * user's lines are left out), macros resolved, markup stripped, at most
 * MAX_VOICE_LINES. Linear in the card.
 */
export function characterVoiceLines(card: Pick<CardData, 'first_mes' | 'alternate_greetings' | 'mes_example' | 'name'>, userName: string): string[] {
  const names = { char: card.name || 'Character', user: userName || 'User' };
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (text: string) => {
    for (const sentence of splitSentences(text)) {
      if (out.length >= MAX_VOICE_LINES) return;
      const plain = stripRoleplayMarkup(sentence).slice(0, MAX_VOICE_LINE_CHARS);
      if (plain.split(' ').length < 3 || seen.has(plain)) continue;
      seen.add(plain);
      out.push(plain);
    }
  };
  const charPrefix = /^\s*(?:\{\{\s*char\s*\}\}|<\s*(?:bot|char)\s*>)\s*:/i;
  const name = card.name.trim().toLowerCase();
  for (const block of splitExampleBlocks(card.mes_example.slice(0, 20_000))) {
    for (const line of block.split('\n')) {
      if (out.length >= MAX_VOICE_LINES) break;
      const colon = line.indexOf(':');
      const isChar = charPrefix.test(line) || (name !== '' && colon > 0 && line.slice(0, colon).trim().toLowerCase() === name);
      if (isChar) add(resolveMacros(line.slice(colon + 1), names));
    }
  }
  for (const greeting of [card.first_mes, ...card.alternate_greetings]) {
    if (out.length >= MAX_VOICE_LINES) break;
    add(resolveMacros(greeting.slice(0, 20_000), names));
  }
  return out;
}

/** What the live check embeds for the role detectors besides the reply. */
export function roleReferenceTexts(voiceLines: readonly string[]): { assistant: readonly string[]; voice: string[] } {
  return { assistant: ASSISTANT_EXEMPLARS, voice: [...voiceLines, ...IN_CHARACTER_EXEMPLARS] };
}

/** Kinds that make a reply fail its role (the guard regenerates); echo only informs. */
export const ROLE_FAILURE_KINDS: readonly RoleFlagKind[] = Object.freeze(['assistant-voice', 'speaks-for-user']);

/**
 * The role flags the guard treats as failures: assistant voice and speaking
 * for the user. Echo is shown but never fails a reply. An old verdict (no
 * `roleFlags`) has none.
 */
export function roleFailures(verdict: Pick<Verdict, 'roleFlags'>): RoleFlag[] {
  return (verdict.roleFlags ?? []).filter((f) => ROLE_FAILURE_KINDS.includes(f.kind));
}

/** Count of role flags by kind (the badge and the drift timeline show these). */
export function roleFlagCounts(flags: readonly RoleFlag[] | undefined): Record<RoleFlagKind, number> {
  const counts: Record<RoleFlagKind, number> = { 'assistant-voice': 0, echo: 0, 'speaks-for-user': 0 };
  for (const f of flags ?? []) counts[f.kind]++;
  return counts;
}

/** The label a flag kind shows inline. */
export const ROLE_FLAG_LABELS: Readonly<Record<RoleFlagKind, string>> = Object.freeze({
  'assistant-voice': 'out of character: assistant voice',
  echo: 'echoes you',
  'speaks-for-user': 'speaks for you',
});
