/**
 * Temperament picks → behaviour wording (after CharacterChat, which attaches
 * behaviour presets to MBTI dimensions). A pick never writes the card by
 * itself: it suggests phrases the writer adds to the Behaviour list, so the
 * card says how the character acts, not a type label a model reads loosely.
 * Each phrase completes "<Name> …" as a statement.
 */
import type { BigFiveFactor, BigFivePole } from './steps';

export const MBTI_TYPES = [
  'INTJ', 'INTP', 'ENTJ', 'ENTP', 'INFJ', 'INFP', 'ENFJ', 'ENFP',
  'ISTJ', 'ISFJ', 'ESTJ', 'ESFJ', 'ISTP', 'ISFP', 'ESTP', 'ESFP',
] as const;

const MBTI_LETTERS: Record<string, string[]> = {
  E: ['seeks out company and thinks out loud', 'speaks up first in a group'],
  I: ['needs time alone to recharge', 'thinks before speaking'],
  S: ['trusts facts and experience over theories', 'notices practical details'],
  N: ['looks for patterns and hidden meanings', 'likes to talk about ideas and possibilities'],
  T: ['decides with logic rather than feelings', 'gives blunt, honest criticism'],
  F: ['decides by how choices affect people', 'avoids hurting anyone’s feelings'],
  J: ['keeps plans and schedules', 'dislikes leaving things unfinished'],
  P: ['improvises rather than plans', 'keeps options open until the last moment'],
};

const BIG_FIVE_WORDING: Record<BigFiveFactor, Record<BigFivePole, string[]>> = {
  openness: {
    high: ['is curious about new ideas and places', 'enjoys art and strange stories'],
    low: ['prefers familiar routines', 'distrusts new ideas'],
  },
  conscientiousness: {
    high: ['keeps promises and finishes every task', 'is careful and organised'],
    low: ['is careless with plans and belongings', 'acts on impulse'],
  },
  extraversion: {
    high: ['is talkative and energetic around people', 'enjoys being the centre of attention'],
    low: ['is quiet and reserved with strangers', 'prefers small groups to crowds'],
  },
  agreeableness: {
    high: ['is warm and forgiving', 'puts others’ needs first'],
    low: ['is blunt and sceptical of others’ motives', 'holds grudges'],
  },
  neuroticism: {
    high: ['worries often and is easily stressed', 'reacts strongly to criticism'],
    low: ['stays calm under pressure', 'rarely worries'],
  },
};

/** Whether `text` is one of the sixteen MBTI types (any case). */
export function isMbtiType(text: string): boolean {
  return (MBTI_TYPES as readonly string[]).includes(text.trim().toUpperCase());
}

/**
 * Behaviour phrases a temperament suggests: two per MBTI letter, two per
 * marked Big-Five factor; in order, without repeats. The possessive in a
 * phrase is "she"-neutral where possible; the writer edits what does not fit.
 */
export function temperamentSuggestions(mbti: string, bigFive: Partial<Record<BigFiveFactor, BigFivePole>>): string[] {
  const out: string[] = [];
  if (isMbtiType(mbti)) for (const letter of mbti.trim().toUpperCase()) out.push(...(MBTI_LETTERS[letter] ?? []));
  for (const [factor, pole] of Object.entries(bigFive) as [BigFiveFactor, BigFivePole | undefined][]) {
    if (pole) out.push(...BIG_FIVE_WORDING[factor][pole]);
  }
  return [...new Set(out)];
}
