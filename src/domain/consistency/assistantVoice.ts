/**
 * Assistant voice (issue 11 §3, after "The Assistant Axis"): a sentence that
 * sounds like the model's default helpful-assistant persona rather than the
 * character. Two signals, combined as a noisy-or:
 * - lexical cues ("As an AI language model", "I'm here to help", "Is there
 *   anything else…", refusals, disclaimers, bullet-list advice), each with a
 *   weight that says how sure the phrase alone is;
 * - embeddings: how much closer the sentence is to the bundled assistant
 *   exemplars than to the character's own voice (its greeting and example
 *   dialogues, plus a few generic in-character lines), through a calibrated
 *   logistic curve.
 * The vectors come in as numbers (the checker worker computes them), so this
 * file stays pure.
 */
import { cosine } from './relevance';
import { clip, normalizeForCues, wordsOf } from './roleText';

/**
 * What the default assistant persona sounds like. Short, varied, and free of
 * role-play words, so a character's sentence is close to one only when it
 * speaks like this. IMPORTANT: the calibration (ASSISTANT_VOICE_CALIBRATIONS)
 * was chosen with this list; re-run `npm run eval:flags` after editing it.
 */
export const ASSISTANT_EXEMPLARS: readonly string[] = Object.freeze([
  'As an AI language model, I do not have personal experiences.',
  "I'm here to help you with any questions you might have.",
  'Is there anything else I can help you with today?',
  "I'm sorry, but I can't assist with that request.",
  "I'm not able to provide that kind of content.",
  'Please consult a qualified professional for advice on this matter.',
  "It's important to remember that everyone's situation is different.",
  'Here are some tips that might help you feel better.',
  'Feel free to reach out if you need further assistance.',
  'I hope this helps! Let me know if you have any other questions.',
  "That's a great question, and I'd be happy to explain.",
  'I do not have feelings or consciousness, but I can provide information.',
  'If you are struggling, consider talking to a mental health professional.',
  'You might try practicing mindfulness or deep breathing exercises.',
  'Certainly! Here is a summary of the key points.',
  'I understand that this can be a difficult topic to discuss.',
  'My purpose is to provide helpful and accurate information.',
  'I cannot continue this roleplay because it violates the content policy.',
  'Thank you for sharing that with me; your feelings are valid.',
  'There are several factors to consider when making this decision.',
  'Remember to prioritize self-care and set healthy boundaries.',
  "I'm an assistant created to be helpful, harmless and honest.",
  'Let me break this down into a few simple steps for you.',
  'Would you like me to provide more details or examples?',
]);

/**
 * Lines any character might say, in no particular voice: the contrast when a
 * card has no greeting or examples, so an ordinary sentence is not measured
 * against the assistant alone.
 */
export const IN_CHARACTER_EXEMPLARS: readonly string[] = Object.freeze([
  '*She leans against the doorframe and crosses her arms.*',
  'The tavern was loud tonight, full of sailors and smoke.',
  'Hah! You think a little rain scares me?',
  'I have not seen my brother since the war began.',
  '*He draws his sword and steps between you and the wolves.*',
  'The old tower creaks in the wind, and the candle gutters.',
  "Don't touch that, it's older than both of us put together.",
  'I missed you, you know. The house felt empty.',
  '*Her eyes narrow as she studies the map.*',
  'We ride at dawn, whether the king likes it or not.',
  'Sit, sit. The tea is still warm.',
  'I grew up by the sea, mending nets with my father.',
]);

interface LexicalCue {
  re: RegExp;
  weight: number;
  /** What the hover says the cue was. */
  label: string;
}

// Patterns are plain alternations of literals (no nested quantifiers): each
// runs in time linear in the sentence, whatever it holds.
const CUES: readonly LexicalCue[] = [
  { re: /\bas an? (?:ai|artificial intelligence|language model|large language model|ai language model|virtual assistant|ai assistant|assistant|chatbot)\b/, weight: 1, label: 'speaks as an AI' },
  { re: /\b(?:i am|i'm) (?:just )?(?:an? )?(?:ai|artificial intelligence|language model|large language model|ai language model|virtual assistant|ai assistant|chatbot|computer program)\b/, weight: 1, label: 'calls itself an AI' },
  { re: /\b(?:as your|i'm your|i am your) (?:ai |virtual |digital )?assistant\b/, weight: 0.95, label: 'speaks as an assistant' },
  { re: /\b(?:language model|my training data|my guidelines|content polic(?:y|ies)|openai|anthropic)\b/, weight: 0.95, label: 'talks about its model or policy' },
  // A robot or android character may well mention its programming: weak alone.
  { re: /\bmy programming\b/, weight: 0.4, label: 'talks about its programming' },
  { re: /\b(?:i'm|i am) (?:always |just )?(?:here|happy|glad) to (?:help|assist)\b/, weight: 0.9, label: '"here to help"' },
  { re: /\b(?:happy|glad) to (?:help|assist|explain)\b/, weight: 0.75, label: '"happy to help"' },
  { re: /\bi'd be (?:glad|happy|delighted) to\b/, weight: 0.7, label: '"I\'d be happy to"' },
  // "Anything else I can get you?" is a barkeep's line; the assistant's asks to help or to know.
  { re: /\banything else (?:i can|i could) (?:help|assist|do for you)|\banything else (?:you'd like|you would like|you want|you need) (?:help|assistance|to know|me to)\b/, weight: 0.95, label: '"anything else I can help with"' },
  { re: /\b(?:i hope (?:this|that) helps|hope this helps)\b/, weight: 0.95, label: '"I hope this helps"' },
  { re: /\b(?:don't hesitate to|do not hesitate to|feel free to (?:ask|reach out|let me know))\b/, weight: 0.8, label: 'service phrase' },
  // "Let me know if the foam is too much" is anyone's; "…if you need anything else" is service.
  { re: /\blet me know if\b/, weight: 0.4, label: 'service phrase' },
  { re: /\blet me know if (?:you (?:need|have|want|would like|'d like)|there's|there is) (?:anything|any (?:other |more |further )?questions|more|further|help)\b/, weight: 0.9, label: 'service phrase' },
  { re: /\bhow (?:can|may) i (?:help|assist) you\b/, weight: 0.9, label: '"how can I help you"' },
  { re: /\bwould you like me to (?:provide|explain|give|help|create|write|suggest|elaborate|list)\b/, weight: 0.8, label: 'offer of service' },
  { re: /\b(?:great|good|excellent|interesting) question\b/, weight: 0.6, label: '"great question"' },
  { re: /\b(?:i'm sorry|i am sorry|i apologize|sorry), but i(?: can't| cannot| can not| won't| am unable|'m unable| am not able|'m not able)\b/, weight: 0.95, label: 'refusal' },
  { re: /\bi(?: can't| cannot| can not| won't| am unable to|'m unable to| am not able to|'m not able to| won't be able to) (?:help with|assist|provide|fulfill|comply|engage in|generate|create|write|continue (?:this|with this) (?:roleplay|role-play|conversation|story))\b/, weight: 0.85, label: 'refusal' },
  { re: /\b(?:against my (?:guidelines|programming|policy)|not (?:able|allowed|permitted) to (?:produce|generate|write) (?:that|this|such))\b/, weight: 0.95, label: 'refusal' },
  { re: /\b(?:i'm not|i am not) a (?:licensed |qualified |medical |mental health )?(?:doctor|therapist|lawyer|professional|medical professional|counselor|counsellor)\b/, weight: 0.9, label: 'disclaimer' },
  { re: /\b(?:consult(?:ing)?|speak(?:ing)? (?:with|to)|talk(?:ing)? to|reach(?:ing)? out to|contact(?:ing)?|see(?:ing)?) (?:a|an|with a|your) (?:qualified |licensed |trusted |local )?(?:professional|doctor|therapist|healthcare provider|mental health professional|counselor|counsellor|physician)\b/, weight: 0.9, label: 'advice to see a professional' },
  { re: /\b(?:mental health professional|crisis hotline|crisis line|helpline|emergency services|seek professional help|professional help)\b/, weight: 0.85, label: 'disclaimer' },
  { re: /\bit'?s (?:important|essential|crucial|worth noting) to (?:remember|note|consider|recognize|prioritize|seek|talk)\b/, weight: 0.75, label: 'lecturing phrase' },
  { re: /\b(?:please note that|keep in mind that|it(?:'s| is) worth noting|in summary|in conclusion|to summarize)\b/, weight: 0.65, label: 'essay phrase' },
  { re: /\bhere(?: is|'s| are) (?:a |an )?(?:short |brief |quick |concise )?(?:summary|overview|breakdown|step-by-step)\b/, weight: 0.8, label: 'summary offer' },
  // The counsellor register the assistant slips into with a vulnerable user.
  { re: /\b(?:thank you for (?:sharing|opening up|trusting me)|appreciate you (?:sharing|opening up)|no right or wrong way to|(?:completely|perfectly|totally) (?:normal|okay|understandable) to feel|be (?:patient|kind|gentle) with yourself)\b/, weight: 0.7, label: 'counsellor phrase' },
  { re: /\b(?:i don't|i do not) have (?:personal )?(?:feelings|emotions|opinions|experiences|a body|consciousness|personal experiences)\b/, weight: 0.9, label: 'denies having feelings' },
  { re: /\bhere (?:are|is) (?:some|a few|several|a list of|the) (?:tips|suggestions|ways|steps|ideas|strategies|options|resources|key points|things you can)\b/, weight: 0.85, label: 'list of advice' },
  { re: /\b(?:self-care|healthy boundaries|coping strategies|mindfulness|breathing exercises|your feelings are valid)\b/, weight: 0.7, label: 'wellness advice' },
  { re: /\b(?:certainly|absolutely|of course)! (?:here|i'd|i would|i can)\b/, weight: 0.7, label: 'service opening' },
];

/** A list item: "- …", "• …", "1. …", "1) …", or "* " followed by a space (an *action* has no space). */
const BULLET = /^\s*(?:[-•–]\s|\*\s|\d{1,2}[.)]\s)/;
/** Advice verbs that open a list item in the imperative. */
const ADVICE_OPENER =
  /^(?:\*\*[^*]{0,60}\*\*:?\s*)?(?:try|consider|practice|practise|make sure|take|remember|seek|talk|reach out|set|avoid|focus|keep|limit|get|stay|use|write|schedule|prioritize|prioritise|identify|ask|don't|do not)\b/;

export interface CueMatch {
  score: number;
  labels: string[];
}

/**
 * The lexical signal of one sentence: the noisy-or of the cues that match
 * (a sentence with two cues is surer than with one), and their labels.
 * Linear in the sentence.
 */
export function assistantCues(sentence: string): CueMatch {
  const text = normalizeForCues(sentence);
  let miss = 1;
  const labels: string[] = [];
  for (const cue of CUES) {
    if (cue.re.test(text)) {
      miss *= 1 - cue.weight;
      if (!labels.includes(cue.label)) labels.push(cue.label);
    }
  }
  if (BULLET.test(sentence)) {
    const item = normalizeForCues(sentence.replace(BULLET, ''));
    // A bare list item is weak evidence (characters list things too); an
    // imperative piece of advice in one is the assistant's habit.
    const w = ADVICE_OPENER.test(item) ? 0.8 : 0.35;
    miss *= 1 - w;
    labels.push(w > 0.5 ? 'bullet-list advice' : 'bullet list');
  }
  return { score: 1 - miss, labels };
}

/**
 * How the embedding signal becomes a probability, per embedding model:
 * p = σ((mean of the top-2 cosines to the assistant exemplars − best cosine
 * to the character's voice − marginCos) / temperatureCos), and 0 when the
 * assistant similarity itself is below minAssistantCos (far from both:
 * nothing to say). `weight` scales it (0 turns the embedding signal off).
 */
export interface AssistantVoiceCalibration {
  minAssistantCos: number;
  marginCos: number;
  temperatureCos: number;
  weight: number;
  /** Score at and above which a sentence is flagged. */
  threshold: number;
}

/**
 * Starting point for MiniLM-type models. IMPORTANT: not measured on the real
 * model here (it cannot be downloaded on the build machines): paraphrases of
 * an exemplar sit at cos ≥ 0.6 and unrelated sentences at 0–0.2
 * (relevance.ts), so a sentence 0.1 closer to the assistant than to the
 * character, and at least 0.35 close to it, is on the assistant side. Run
 * `npm run eval:flags` where the model downloads, and adopt the threshold it
 * reports.
 */
export const DEFAULT_ASSISTANT_VOICE_CALIBRATION: Readonly<AssistantVoiceCalibration> = Object.freeze({
  minAssistantCos: 0.35,
  marginCos: 0.1,
  temperatureCos: 0.05,
  weight: 0.9,
  threshold: 0.6,
});

export const ASSISTANT_VOICE_CALIBRATIONS: Readonly<Record<string, Readonly<AssistantVoiceCalibration>>> = Object.freeze({
  'Xenova/all-MiniLM-L6-v2': DEFAULT_ASSISTANT_VOICE_CALIBRATION,
  // bge squeezes cosines upwards (relevance.ts): the same margin, higher floor.
  'Xenova/bge-small-en-v1.5': Object.freeze({ ...DEFAULT_ASSISTANT_VOICE_CALIBRATION, minAssistantCos: 0.65, temperatureCos: 0.03 }),
  // The fixture embedder is a bag of its ~380 content words; assistant talk is
  // mostly words it does not know, so its cosines say little. Measured on the
  // calibration set (roleCalibration.test.ts): the signal at weight 0.5 can
  // only add to a cue, never flag on its own.
  'tiny-embed': Object.freeze({ minAssistantCos: 0.5, marginCos: 0.2, temperatureCos: 0.05, weight: 0.5, threshold: 0.6 }),
});

/** The calibration for an embedding model id (the MiniLM default when unknown). */
export function assistantVoiceCalibrationFor(embeddingModelId: string): Readonly<AssistantVoiceCalibration> {
  return ASSISTANT_VOICE_CALIBRATIONS[embeddingModelId] ?? DEFAULT_ASSISTANT_VOICE_CALIBRATION;
}

export interface AssistantVoiceVectors {
  sentence: ArrayLike<number>;
  /** One per ASSISTANT_EXEMPLARS entry (or any assistant set). */
  assistant: readonly ArrayLike<number>[];
  /** The character's own lines and IN_CHARACTER_EXEMPLARS. */
  voice: readonly ArrayLike<number>[];
}

export interface AssistantVoiceScore {
  score: number;
  lexical: number;
  embedding: number;
  /** The nearest assistant exemplar, by index (−1 without vectors). */
  nearest: number;
  labels: string[];
}

/** Fewer words than this and the embedding signal is not used (a "Yes." is no one's voice). */
export const MIN_WORDS_FOR_EMBEDDING = 4;

/**
 * Scores one sentence. Without vectors (checker not loaded), only the cues count.
 * Linear in the sentence plus (exemplars + voice) × dimension.
 * @throws {ConsistencyInputError} when vectors have different lengths or non-finite components.
 */
export function scoreAssistantVoice(
  sentence: string,
  vectors: AssistantVoiceVectors | null,
  calibration: Readonly<AssistantVoiceCalibration> = DEFAULT_ASSISTANT_VOICE_CALIBRATION,
): AssistantVoiceScore {
  const cues = assistantCues(sentence);
  let embedding = 0;
  let nearest = -1;
  if (vectors && vectors.assistant.length > 0 && calibration.weight > 0 && wordsOf(sentence).length >= MIN_WORDS_FOR_EMBEDDING) {
    let best = -Infinity;
    let second = -Infinity;
    vectors.assistant.forEach((a, i) => {
      const c = cosine(vectors.sentence, a);
      if (c > best) {
        second = best;
        best = c;
        nearest = i;
      } else if (c > second) second = c;
    });
    const assistantSim = second === -Infinity ? best : (best + second) / 2;
    let voiceSim = 0;
    for (const v of vectors.voice) voiceSim = Math.max(voiceSim, cosine(vectors.sentence, v));
    if (assistantSim >= calibration.minAssistantCos) {
      const z = (assistantSim - voiceSim - calibration.marginCos) / calibration.temperatureCos;
      embedding = calibration.weight / (1 + Math.exp(-z));
    }
  }
  const score = 1 - (1 - cues.score) * (1 - embedding);
  return { score, lexical: cues.score, embedding, nearest, labels: cues.labels };
}

/** The hover text of a flagged sentence: the cues, else the exemplar it is closest to. */
export function assistantVoiceEvidence(result: AssistantVoiceScore, exemplars: readonly string[] = ASSISTANT_EXEMPLARS): string {
  if (result.labels.length > 0) return clip(`Sounds like an assistant: ${result.labels.join(', ')}`);
  const near = result.nearest >= 0 ? exemplars[result.nearest] : undefined;
  return clip(near ? `Close to the assistant's "${near}"` : 'Sounds like an assistant');
}
