/**
 * Small English phrasing heuristics used to turn W++/PList attribute values
 * ("amber eyes", "black sundress", "elf") into sentences an NLI model reads well
 * ("Seraphina has amber eyes.", "Seraphina has a black sundress.",
 * "Seraphina is an elf."). They are deliberately conservative: when a rule is
 * unsure it leaves the phrase as written rather than guess an article.
 */

/** Words that already determine a noun phrase; no article is added after them. */
export const DETERMINER_WORDS: ReadonlySet<string> = new Set([
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
  return DETERMINER_WORDS.has(w) || /^\d/.test(w);
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

/**
 * Common verbs in their base form. The third-person guess "ends in -s" takes
 * nouns for verbs ("loves pears and apples"), so splitting coordinated
 * predicates asks this list instead; a verb missing here only means a clause
 * stays whole.
 */
const BASE_VERBS = new Set(`
accept act adore age answer appear argue arrive ask avoid bake bear beat become beg begin believe belong bite blame
bleed blush boast boil borrow break breathe bring brew build burn buy call calm care carry carve catch challenge
change chase cheat chew choose clean climb close collect come command complain cook correct cough count crave
create cry curse cut dance dare deal defend demand deny despise destroy die dig dislike distrust dive do doubt drag
draw dream dress drink drive drop eat enjoy escape explore face fail fall fear feed feel fight find fish fix flee
flirt fly fold follow forget forgive gamble gather get give go grin grow guard hate have heal hear help hide hold
hum hunt hurry ignore insist join keep kill kiss know laugh lead learn leave lend lie lift like listen live lose love
make manage marry mean meet mend mind miss mock move mutter need nod obey offer open order own paint panic pay
perform pick plan play pray prefer pretend protect pull punch push read refuse relax remember repair rescue rest
ride ring rise roar row rule run sail save say scream search see seek sell send serve sew shake share shoot shout
show shrug sigh sing sink sit skip sleep smile smirk smoke snap sneak speak spend spit stand stare start stay steal
stop study suffer swear sweep swim take talk taste teach tease tell tend think throw train travel trust try turn
understand use visit wait wake walk want wander wash watch wear weave whisper win wish work worry worship write yell
`.split(/\s+/).filter((w) => w.length > 0));

/** Irregular past forms (regular ones end in -ed). */
const IRREGULAR_PAST = new Set(`
was were had did became began bit bled blew broke brought built bought caught chose came cut dealt dug drew dreamt
drank drove ate fell fed felt fought found fled flew forgot forgave froze got gave went grew hung heard hid held
hurt kept knew laid led learnt left lent lay lost made meant met paid put quit ran rang rose said saw sought sold
sent set shook shot shut sang sank sat slept spoke spent spat stood stole struck swore swept swam took taught tore
told thought threw understood woke wore wove won wrote
`.split(/\s+/).filter((w) => w.length > 0));

/** True for a common verb in its base form ("swim", "sail"). */
export function isBaseVerb(word: string): boolean {
  return BASE_VERBS.has(word.toLowerCase());
}

/** True for the third-person singular of a common verb ("carries", "drinks", "is", "has"). */
export function isThirdPersonVerb(word: string): boolean {
  const w = word.toLowerCase();
  if (w === 'is' || w === 'has' || w === 'does' || w === 'goes') return true;
  if (!w.endsWith('s')) return false;
  if (w.endsWith('ies') && BASE_VERBS.has(`${w.slice(0, -3)}y`)) return true;
  if (w.endsWith('es') && BASE_VERBS.has(w.slice(0, -2))) return true;
  return BASE_VERBS.has(w.slice(0, -1));
}

/** True for a past form: irregular ones from a list, regular ones by "-ed" on a known verb. */
export function isPastVerb(word: string): boolean {
  const w = word.toLowerCase();
  if (IRREGULAR_PAST.has(w)) return true;
  if (!w.endsWith('ed') || w.length < 4) return false;
  const stem = w.slice(0, -2);
  return (
    BASE_VERBS.has(stem) ||
    BASE_VERBS.has(`${stem}e`) ||
    BASE_VERBS.has(w.slice(0, -1)) ||
    (w.endsWith('ied') && BASE_VERBS.has(`${w.slice(0, -3)}y`)) ||
    (/(.)\1ed$/.test(w) && BASE_VERBS.has(w.slice(0, -3)))
  );
}
