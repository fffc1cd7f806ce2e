/**
 * Small English phrasing heuristics used to turn W++/PList attribute values
 * ("amber eyes", "black sundress", "elf") into sentences an NLI model reads well
 * ("Seraphina has amber eyes.", "Seraphina has a black sundress.",
 * "Seraphina is an elf."). They are deliberately conservative: when a rule is
 * unsure it leaves the phrase as written rather than guess an article.
 */

/** Words that already determine a noun phrase; no article is added after them. */
const DETERMINERS = new Set([
  'a', 'an', 'the', 'his', 'her', 'their', 'its', 'my', 'your', 'our', 'some', 'many', 'several',
  'few', 'no', 'every', 'each', 'this', 'that', 'these', 'those', 'much', 'lots', 'plenty', 'one',
  'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'both', 'any', 'all',
  'more', 'most', 'less', 'little', 'another',
]);

/** Head nouns used without an article ("pink hair", "soft skin"). */
const MASS_NOUNS = new Set([
  'hair', 'skin', 'fur', 'stubble', 'makeup', 'make-up', 'jewelry', 'jewellery', 'clothing',
  'armor', 'armour', 'attire', 'lingerie', 'equipment', 'gear', 'footwear', 'underwear', 'headwear',
  'silk', 'leather', 'cotton', 'wool', 'lace', 'denim', 'velvet', 'muscle', 'musculature', 'magic',
  'energy', 'strength', 'intelligence', 'lipstick', 'eyeliner', 'mascara', 'perfume', 'polish',
  'plumage', 'freckling', 'cleavage', 'complexion',
]);

/** Plurals that do not end in -s. */
const IRREGULAR_PLURALS = new Set(['teeth', 'feet', 'people', 'children', 'men', 'women', 'mice', 'geese', 'antlers']);

/** Modal verbs and frequency adverbs that start a predicate ("can fly", "never lies"). */
const PREDICATE_STARTERS = new Set([
  'is', 'was', 'are', 'has', 'had', 'have', 'does', 'did', 'can', 'cannot', "can't", 'could', 'will',
  "won't", 'would', 'should', 'must', 'may', 'might', 'never', 'always', 'often', 'sometimes',
  'usually', 'rarely', 'seldom', 'only', 'still', "doesn't", "isn't", "wasn't", 'hardly',
]);

/** Adjective endings in -s that the third-person-verb guess must not take for verbs. */
const NOT_VERB_ENDINGS = /(?:ss|us|is|ics|ys|'s|’s)$/i;

function firstWord(phrase: string): string {
  return (phrase.trim().split(/\s+/)[0] ?? '').toLowerCase();
}

function headNoun(phrase: string): string {
  const words = phrase.trim().toLowerCase().replace(/[.,;:!?]+$/, '').split(/\s+/);
  // "a scar on her cheek": the head is before the preposition.
  const cut = words.findIndex((w, i) => i > 0 && /^(?:on|of|with|in|at|around|under|over|from|that|which)$/.test(w));
  const head = cut > 0 ? words[cut - 1] : words[words.length - 1];
  return head ?? '';
}

/** True when the phrase's head noun looks plural ("amber eyes", "white teeth"). */
export function isPluralPhrase(phrase: string): boolean {
  const head = headNoun(phrase);
  if (IRREGULAR_PLURALS.has(head)) return true;
  return head.length > 2 && head.endsWith('s') && !NOT_VERB_ENDINGS.test(head);
}

/** True when the phrase starts with a determiner, number or possessive. */
export function hasDeterminer(phrase: string): boolean {
  const w = firstWord(phrase);
  return DETERMINERS.has(w) || /^\d/.test(w);
}

/** "a" or "an" for the word that follows, by its (approximate) first sound. */
export function indefiniteArticle(word: string): 'a' | 'an' {
  const w = word.toLowerCase();
  if (/^(?:hour|honest|honou?r|heir)/.test(w)) return 'an';
  if (/^(?:uni|use|usu|uti|ure|eu|ewe|one|once|ufo)/.test(w)) return 'a';
  return /^[aeiou]/.test(w) ? 'an' : 'a';
}

/**
 * Add "a"/"an" before a singular countable noun phrase; leave plurals, mass
 * nouns and phrases that already have a determiner alone.
 */
export function withArticle(phrase: string): string {
  const p = phrase.trim();
  if (!p || hasDeterminer(p) || isPluralPhrase(p) || MASS_NOUNS.has(headNoun(p))) return p;
  return `${indefiniteArticle(p)} ${p}`;
}

/**
 * True when the phrase starts like a predicate ("assists {{user}} with code",
 * "can fly", "loves tea") rather than like an adjective or noun. The -s guess
 * is the weak part: "provides" yes, "curious"/"careless" no.
 */
export function startsWithVerb(phrase: string): boolean {
  const w = firstWord(phrase).replace(/[^a-z'’]/g, '');
  if (PREDICATE_STARTERS.has(w)) return true;
  return w.length > 3 && w.endsWith('s') && !NOT_VERB_ENDINGS.test(w) && !/ous$|ness$|less$/.test(w);
}

/**
 * Lower-case a phrase written in Title Case ("Quick-Witted" → "quick-witted"),
 * as personality lists often are; leaves ALL CAPS and mixed proper nouns.
 */
export function lowerTitleCase(phrase: string): string {
  return /^(?:\p{Lu}[\p{Ll}'’-]*)(?:[\s-]+\p{Lu}[\p{Ll}'’-]*)*$/u.test(phrase) ? phrase.toLowerCase() : phrase;
}

/** Third-person singular of a preference verb key ("like" → "likes"). */
export function thirdPerson(verb: string): string {
  const v = verb.toLowerCase();
  if (v.endsWith('s')) return v;
  if (/(?:sh|ch|x|z|o)$/.test(v)) return `${v}es`;
  if (/[^aeiou]y$/.test(v)) return `${v.slice(0, -1)}ies`;
  return `${v}s`;
}

/** Capitalise the first letter and end with exactly one period (or keep `!`/`.`). */
export function asSentence(text: string): string {
  let s = text.trim().replace(/\s+/g, ' ').replace(/[\s,;:–—-]+$/, '');
  if (!s) return s;
  s = s.replace(/!+$/, '.');
  if (!/[.!?…]["'”’)]*$/.test(s)) s += '.';
  return s.charAt(0).toUpperCase() + s.slice(1);
}
