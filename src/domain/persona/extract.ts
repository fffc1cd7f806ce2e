/**
 * Proposes persona statements — short, atomic, third-person facts the
 * consistency checker holds replies to — from a card's description,
 * personality and scenario.
 *
 * Sources: only `description`, `personality` and `scenario`. `first_mes`,
 * `mes_example`, `creator_notes`, `tags` and the system prompts are never read:
 * greetings and example dialogues are in-character performance (Seraphina's
 * examples say "rose eyes" while her definition says amber), and notes/tags are
 * addressed to humans.
 *
 * Pipeline per field: resolve `{{char}}` to the name (the user placeholder is
 * kept as `{{user}}` until the end) → drop example-dialogue regions → turn
 * `[...]` W++/PList blocks into sentences → split the remaining prose into
 * sentences and filter them → dedupe → length limits.
 *
 * Decisions (see the tests for each):
 * - Second-person sentences are skipped. In a description "You …" is either
 *   narration about the user ("You were attacked by beasts") or an instruction
 *   to the model ("You are to stay in character"); rewriting "you" to a name is
 *   unreliable, and neither is a fact about the character as written.
 * - Imperatives ("Write as…", "Never break character") and questions are skipped.
 * - A sentence naming the user (or "you") but not the character is skipped; a
 *   sentence naming neither is kept as a world fact ("The Roomba has a robotic
 *   design.").
 * - A sentence starting "She/He" or "Her/His" gets the character's name
 *   instead: NLI models compare names far better than unresolved pronouns.
 * - Dialogue: a line `{{user}}: …` or `Name: "…"`/`Name: *…*` and everything
 *   after a `<START>` line (up to the next `[`-block, heading or rule) is
 *   skipped; so are sentences that open with a quote or are mostly quoted, and
 *   `*action*` spans of four or more words.
 * - Without `opts.user`, statements keep the `{{user}}` placeholder so they can
 *   be resolved per chat; callers must resolve it before showing or scoring.
 */
import type { CardData } from '../character';
import { resolveMacros } from '../text/macros';
import { splitSentences } from '../text/sentences';
import {
  asSentence,
  isPluralPhrase,
  lowerTitleCase,
  startsWithVerb,
  thirdPerson,
  withArticle,
} from './english';
import { atomicPredicates, MAX_SPLIT_WORDS } from './clauses';
import { parseBlock, splitKeyValue, splitTopLevel, splitValueItems } from './plist';

/** Options for {@link extractStatements}. */
export interface ExtractOptions {
  /** The user's display name; when absent `{{user}}` is kept in the output. */
  user?: string;
  /**
   * The name statements call the character by (the card's name when absent;
   * the editor offers the nickname too). Every reference that opens a fact —
   * the name, the nickname, the first name, she/he — becomes this name.
   */
  name?: string;
}

/**
 * Length limits for a proposal. Below 3 words a sentence cannot name a subject
 * and say something about it ("Seraphina is warm." is the shortest useful
 * form); past ~30 words / 220 characters a sentence almost always bundles
 * several facts, and an NLI hypothesis that long dilutes the entailment signal
 * (the checker's hypotheses are meant to be one fact each).
 */
export const MIN_STATEMENT_WORDS = 3;
export const MIN_STATEMENT_CHARS = 10;
export const MAX_STATEMENT_WORDS = 30;
export const MAX_STATEMENT_CHARS = 220;

const USER = '{{user}}';

type Category =
  | 'self'
  | 'traits'
  | 'body'
  | 'clothes'
  | 'preference'
  | 'species'
  | 'occupation'
  | 'gender'
  | 'identity'
  | 'age'
  | 'height'
  | 'alias'
  | 'prose'
  | 'meta'
  | 'generic';

const CATEGORY_KEYS: [Category, string[]][] = [
  ['traits', ['personality', 'personalities', 'persona', 'mind', 'traits', 'trait', 'personality traits', 'nature', 'temperament', 'demeanor', 'demeanour', 'attitude', 'character', 'disposition', 'mentality', 'behavior', 'behaviour', 'quirks']],
  ['body', ['body', 'appearance', 'features', 'looks', 'physical', 'physical features', 'physique', 'physical appearance', 'physical traits', 'figure']],
  ['clothes', ['clothes', 'clothing', 'outfit', 'outfits', 'attire', 'wears', 'wearing', 'dress', 'garments', 'apparel']],
  ['preference', ['likes', 'like', 'loves', 'love', 'hates', 'hate', 'dislikes', 'dislike', 'fears', 'fear', 'enjoys', 'enjoy', 'wants', 'want', 'desires', 'desire', 'needs']],
  ['species', ['species', 'race']],
  ['occupation', ['occupation', 'job', 'profession', 'role', 'title', 'class', 'position', 'rank', 'vocation']],
  ['gender', ['gender', 'sex']],
  ['identity', ['nationality', 'ethnicity', 'sexuality', 'sexual orientation', 'orientation', 'alignment', 'religion', 'faith', 'marital status']],
  ['age', ['age']],
  ['height', ['height']],
  ['alias', ['nickname', 'nicknames', 'alias', 'aliases', 'aka', 'also known as']],
  ['prose', ['scenario', 'setting', 'background', 'backstory', 'history', 'bio', 'biography', 'description', 'summary', 'lore', 'story', 'world']],
  ['meta', ['genre', 'genres', 'tags', 'tag', 'style', 'writing style', 'format', 'note', 'notes', 'ooc', 'creator', 'author', 'version', 'rating', 'nsfw', 'pov', 'language', 'theme', 'themes', 'instructions', 'instruction', 'rules', 'example', 'examples', 'greeting', 'first message', 'warning', 'response style', 'template', 'character version', 'creator notes', 'category']],
];

const CATEGORY_BY_KEY = new Map<string, Category>(
  CATEGORY_KEYS.flatMap(([category, keys]) => keys.map((k): [string, Category] => [k, category])),
);

/** Plural attribute names that take "are" rather than "include" ("eyes are amber"). */
const BODY_PART_PLURALS = new Set(['eyes', 'lips', 'ears', 'hands', 'legs', 'arms', 'teeth', 'wings', 'horns', 'nails', 'feet', 'eyebrows', 'lashes', 'eyelashes', 'breasts', 'cheeks', 'fangs', 'claws']);

/** Singular body nouns that make a one-word body item a thing she has, not an adjective. */
const SINGULAR_BODY_NOUNS = new Set(['beard', 'mustache', 'moustache', 'scar', 'tattoo', 'tail', 'ponytail', 'braid', 'goatee', 'piercing', 'tan', 'mole', 'birthmark', 'halo', 'bun', 'mohawk', 'fringe', 'bob', 'hump', 'limp']);

const GENDER_ADJECTIVES = /^(?:male|female|non-?binary|genderfluid|genderqueer|agender|intersex|trans(?:gender)?|cis(?:gender)?)$/i;

/** Sentence openers that mark an instruction to the model rather than a fact. */
const IMPERATIVES = new Set([
  'write', 'do', "don't", 'dont', 'never', 'always', 'avoid', 'stay', 'use', 'remember', 'describe',
  'respond', 'reply', 'keep', 'be', 'refer', 'make', 'include', 'continue', 'act', 'play',
  'roleplay', 'speak', 'focus', 'ensure', 'narrate', 'generate', 'follow', 'consider', 'note',
  'please', 'try', 'let', 'only', 'portray', 'embody', 'assume', 'pretend', 'imagine', 'ignore',
]);

/** Titles kept in front of a name ("Captain Anne Bonny"), never taken for a first name. */
const TITLES = new Set([
  'captain', 'capt', 'lady', 'lord', 'sir', 'dame', 'dr', 'doctor', 'mr', 'mrs', 'ms', 'miss', 'mx', 'professor', 'prof',
  'king', 'queen', 'prince', 'princess', 'duke', 'duchess', 'count', 'countess', 'baron', 'baroness', 'father',
  'mother', 'sister', 'brother', 'master', 'mistress', 'madam', 'madame', 'general', 'commander', 'admiral',
  'sergeant', 'lieutenant', 'major', 'colonel', 'detective', 'officer', 'agent', 'saint', 'st', 'emperor', 'empress',
]);

interface Ctx {
  /** The name statements use (ExtractOptions.name, else the card's name). */
  name: string;
  /** Lower-case spellings that refer to the character, longest first. */
  charAliases: string[];
  /** Lower-case spellings that refer to the user. */
  userAliases: string[];
}

/**
 * Propose persona statements for a card. Pure and deterministic; the result is
 * deduplicated (case- and punctuation-insensitive) and in source order.
 */
export function extractStatements(card: CardData, opts: ExtractOptions = {}): string[] {
  const cardName = card.name.trim() || 'The character';
  const name = opts.name?.trim() || cardName;
  const nameWords = cardName.split(/\s+/);
  // "Captain Anne Bonny": the title is not a first name; "Anne" and "Anne Bonny" are the character too.
  const titled = nameWords.length > 1 && TITLES.has(bare(nameWords[0] ?? ''));
  const untitled = titled ? nameWords.slice(1) : nameWords;
  const firstName = untitled.length > 1 && (untitled[0]?.length ?? 0) >= 3 ? untitled[0] : undefined;
  const ctx: Ctx = {
    name,
    charAliases: [cardName, name, titled ? untitled.join(' ') : '', card.nickname.trim(), firstName ?? '']
      .filter((a) => a.length > 0)
      .map((a) => a.toLowerCase())
      .sort((a, b) => b.length - a.length),
    userAliases: [USER, opts.user?.trim().toLowerCase() ?? ''].filter((a) => a.length > 0),
  };

  const proposals = [
    ...fieldStatements(card.description, ctx),
    ...personalityStatements(card.personality, ctx),
    ...fieldStatements(card.scenario, ctx),
  ];

  const seen = new Set<string>();
  const out: string[] = [];
  for (const proposal of proposals) {
    const text = opts.user ? resolveMacros(proposal, { char: name, user: opts.user }) : proposal;
    if (!withinLimits(text)) continue;
    const key = dedupeKey(text);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(text);
  }
  return out;
}

/** Case-, accent- and punctuation-insensitive identity of a statement. */
export function dedupeKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}{}]+/gu, ' ')
    .trim();
}

function withinLimits(text: string): boolean {
  const words = text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
  return (
    words >= MIN_STATEMENT_WORDS &&
    words <= MAX_STATEMENT_WORDS &&
    text.length >= MIN_STATEMENT_CHARS &&
    text.length <= MAX_STATEMENT_CHARS
  );
}

function prepare(text: string, ctx: Ctx): string {
  return resolveMacros(text.replace(/\r\n?/g, '\n'), { char: ctx.name, user: USER })
    // Markdown links and images: keep the label only.
    // `[` is excluded inside the label so an unclosed `[` scans only to the next one (linear).
    .replace(/!?\[([^[\]\n]*)\]\([^()\n]*\)/g, '$1');
}

/** A personality field that is just a list ("Cool, Impulsive, Wary") is read as traits. */
function personalityStatements(text: string, ctx: Ctx): string[] {
  const prepared = prepare(text, ctx).trim();
  if (!prepared) return [];
  const looksLikeList =
    !/[[\]:=\n]/.test(prepared) &&
    !/[.!?]\s+\S/.test(prepared) &&
    prepared
      .replace(/[.!]$/, '')
      .split(/[,;]/)
      .every((item) => item.trim().split(/\s+/).length <= 4);
  if (looksLikeList) return attributeStatements('personality', prepared.replace(/[.!]$/, ''), ctx);
  return fieldStatements(text, ctx);
}

function fieldStatements(text: string, ctx: Ctx): string[] {
  const prepared = prepare(text, ctx);
  if (!prepared.trim()) return [];
  const kept = withoutDialogue(prepared.split('\n'), ctx).join('\n');

  const out: string[] = [];
  // `[...]` blocks (W++/PList) and the prose between them, in source order.
  let at = 0;
  for (const block of kept.matchAll(/\[([^[\]]*)\]/g)) {
    out.push(...proseStatements(kept.slice(at, block.index), ctx));
    for (const segment of parseBlock(block[1] ?? '')) {
      if (segment.kind === 'attribute') out.push(...attributeStatements(segment.key, segment.value, ctx));
      else out.push(...proseStatements(segment.text, ctx));
    }
    at = block.index + block[0].length;
  }
  out.push(...proseStatements(kept.slice(at), ctx));
  return out;
}

/** Drop example dialogues and speaker lines (see the module comment). */
function withoutDialogue(lines: string[], ctx: Ctx): string[] {
  const kept: string[] = [];
  let mode: 'none' | 'examples' | 'speaker' = 'none';
  for (const line of lines) {
    const t = line.trim();
    if (/<start>/i.test(t)) {
      mode = 'examples';
      continue;
    }
    if (mode === 'examples') {
      if (!/^(?:\[|#|-{3,}$|\*{3,}$|_{3,}$)/.test(t)) continue;
      mode = 'none';
    }
    if (isSpeakerLine(t, ctx)) {
      mode = 'speaker';
      continue;
    }
    if (mode === 'speaker') {
      if (t === '' || /^[*"“]/.test(t)) continue;
      mode = 'none';
    }
    kept.push(line);
  }
  return kept;
}

function isSpeakerLine(line: string, ctx: Ctx): boolean {
  const lower = line.toLowerCase();
  for (const alias of ctx.userAliases) {
    if (lower.startsWith(`${alias}:`)) return true;
  }
  for (const alias of ctx.charAliases) {
    // `Seraphina: "Hello"` is dialogue; `Seraphina: caring, protective` is PList.
    if (lower.startsWith(alias) && /^\s*:\s*[*"“'‘(]/.test(line.slice(alias.length))) return true;
  }
  return false;
}

/** Who an attribute key is about, and which attribute. */
function readKey(key: string, ctx: Ctx): { subject: 'char' | 'user' | string; attr: string } {
  const k = key.trim().replace(/\s+/g, ' ');
  const lower = k.toLowerCase();
  const clean = (attr: string) =>
    attr
      .toLowerCase()
      .replace(/\s+(?:is|are|includes?|=)$/, '')
      .trim();
  const possessed = (alias: string): string | null => {
    if (!lower.startsWith(alias)) return null;
    const rest = /^(?:'s|’s|s'|')?\s+(.+)$/.exec(k.slice(alias.length));
    return rest?.[1] ? clean(rest[1]) : null;
  };
  for (const alias of ctx.userAliases) {
    if (lower === alias || possessed(alias) !== null) return { subject: 'user', attr: '' };
  }
  for (const alias of ctx.charAliases) {
    if (lower === alias) return { subject: 'char', attr: 'self' };
    const attr = possessed(alias);
    if (attr !== null) return { subject: 'char', attr };
  }
  const other = /^(.+?)(?:'s|’s)\s+(.+)$/.exec(k);
  if (other?.[1] && other[2]) return { subject: other[1], attr: clean(other[2]) };
  return { subject: 'char', attr: clean(k) };
}

function categoryOf(attr: string): Category {
  if (attr === 'self') return 'self';
  const known = CATEGORY_BY_KEY.get(attr);
  if (known) return known;
  if (/\bnotes?$/.test(attr)) return 'meta';
  return 'generic';
}

/** Sentences for one `key: value` attribute (W++, PList or a plain line). */
function attributeStatements(key: string, value: string, ctx: Ctx): string[] {
  const { subject, attr } = readKey(key, ctx);
  if (subject === 'user') return [];
  const category = categoryOf(attr);
  if (category === 'meta') return [];
  if (category === 'prose') return proseStatements(value.replace(/^["“]|["”]$/g, ''), ctx);

  const s = subject === 'char' ? ctx.name : subject;
  const items = splitValueItems(value, category === 'traits' || category === 'self');
  return items.flatMap((item) => {
    const sentence = phrase(category, attr, s, item);
    return sentence ? [asSentence(sentence)] : [];
  });
}

function phrase(category: Category, attr: string, s: string, item: string): string | null {
  switch (category) {
    case 'self':
    case 'traits':
      return startsWithVerb(item) ? `${s} ${item}` : traitPhrase(s, lowerTitleCase(item));
    case 'body':
      return bodyPhrase(s, item);
    case 'clothes':
      return `${s} wears ${withArticle(item.replace(/^(?:wears|wearing)\s+/i, ''))}`;
    case 'preference': {
      const verb = thirdPerson(attr.replace(/s$/, ''));
      return `${s} ${verb} ${item}`;
    }
    case 'species':
    case 'occupation':
      return `${s} is ${withArticle(lowerTitleCase(item))}`;
    case 'gender':
      return GENDER_ADJECTIVES.test(item) ? `${s} is ${item.toLowerCase()}` : `${s} is ${withArticle(item.toLowerCase())}`;
    case 'identity':
      return `${s} is ${item}`;
    case 'age': {
      const years = /^(\d{1,5})\s*(?:years?(?:\s+old)?|yrs?(?:\s+old)?|y\/?o|yo)?$/i.exec(item);
      return years ? `${s} is ${years[1]} years old` : genericPhrase(attr, s, item);
    }
    case 'height':
      if (/^\d/.test(item)) return /\btall$/i.test(item) ? `${s} is ${item}` : `${s} is ${item} tall`;
      return `${s} is ${item}`;
    case 'alias':
      return `${s} is also known as ${item}`;
    case 'generic':
      return genericPhrase(attr, s, item);
    case 'prose':
    case 'meta':
      return null;
  }
}

/**
 * Nouns a trait list names as something the character has, not is: "dry
 * humour" is not what Mira is ("Mira is dry humour") but what she has.
 */
const TRAIT_NOUNS = new Set([
  'wit', 'temper', 'heart', 'tongue', 'mind', 'soul', 'spirit', 'smile', 'laugh', 'voice', 'streak', 'personality',
  'attitude', 'demeanor', 'demeanour', 'nature', 'manner', 'manners', 'charm', 'will', 'resolve', 'ego', 'conscience',
  'imagination', 'memory', 'patience', 'curiosity', 'confidence', 'courage', 'pride', 'intellect', 'instinct',
  'instincts', 'opinions', 'morals', 'principles', 'values', 'fears', 'sarcasm', 'mouth',
]);

function traitPhrase(s: string, item: string): string {
  const words = item.split(/\s+/);
  const head = bare(words[words.length - 1] ?? '');
  if (head === 'humour' || head === 'humor') {
    // "dry humour" → "a dry sense of humour"; "sense of humour" is already whole.
    if (/\bsense of humou?r$/i.test(item)) return `${s} has ${withArticle(item)}`;
    const kind = words.slice(0, -1).join(' ');
    return `${s} has ${withArticle(`${kind ? `${kind} ` : ''}sense of ${words[words.length - 1]}`)}`;
  }
  if (TRAIT_NOUNS.has(head) && (words.length > 1 || isPluralPhrase(item))) return `${s} has ${withArticle(item)}`;
  if (words.length === 1 && /(?:ness|ity|ism)$/.test(head) && head.length > 6) return `${s} shows ${item}`;
  return `${s} is ${item}`;
}

function bodyPhrase(s: string, item: string): string {
  const words = item.split(/\s+/);
  const one = words.length === 1 ? (words[0] ?? '').toLowerCase() : null;
  const adjective =
    /\b(?:tall|short|old|young|petite|slim|slender|curvy|muscular|lbs|kg|cm|ft)$/i.test(item) ||
    (one !== null && !isPluralPhrase(one) && !SINGULAR_BODY_NOUNS.has(one) && !/(?:hair|skin|fur)$/.test(one));
  return adjective ? `${s} is ${lowerTitleCase(item)}` : `${s} has ${withArticle(item)}`;
}

function genericPhrase(attr: string, s: string, item: string): string {
  const verb = BODY_PART_PLURALS.has(attr) ? 'are' : isPluralPhrase(attr) ? 'include' : 'is';
  return `${s}'s ${attr} ${verb} ${item}`;
}

/** Sentences from free prose: split, filter, normalise. */
function proseStatements(text: string, ctx: Ctx): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const cleaned = stripMarkdown(line);
    if (!cleaned || /:$/.test(cleaned)) continue; // a heading such as "Appearance:"
    for (const sentence of splitSentences(cleaned)) out.push(...sentenceStatements(sentence, ctx));
  }
  return out;
}

function stripMarkdown(line: string): string {
  return line
    .replace(/^\s*(?:#{1,6}\s+|>\s*|[-*•]\s+|\d+[.)]\s+)/, '')
    .replace(/<[^>\n]+>/g, ' ')
    .replace(/\*\*([^*]+)\*\*|__([^_]+)__/g, (_m, a?: string, b?: string) => a ?? b ?? '')
    .replace(/(^|[^\p{L}\p{N}_])_([^_]+)_(?![\p{L}\p{N}_])/gu, '$1$2')
    // A single-asterisk span of 4+ words is a role-play action, not a fact.
    .replace(/\*([^*]+)\*/g, (_m, inner: string) => (inner.trim().split(/\s+/).length >= 4 ? ' ' : inner))
    .replace(/[*`~]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function mentions(text: string, aliases: string[]): boolean {
  const lower = text.toLowerCase();
  return aliases.some((alias) => {
    const at = lower.indexOf(alias);
    if (at < 0) return false;
    const before = lower.charAt(at - 1);
    const after = lower.charAt(at + alias.length);
    return !/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after);
  });
}

function quotedShare(sentence: string): number {
  const quoted = [...sentence.matchAll(/"[^"]*"|“[^”]*”/g)].reduce((n, m) => n + m[0].length, 0);
  return quoted / Math.max(1, sentence.length);
}

function sentenceStatements(raw: string, ctx: Ctx): string[] {
  const s = raw.trim();
  if (!s) return [];
  if (/^["“'‘«]/.test(s) || quotedShare(s) > 0.4) return []; // dialogue
  if (/\?["'”’)]*$/.test(s)) return []; // question

  // "Flux the Cat personality is: smart, cool, wary" reads as an attribute list.
  const kv = splitKeyValue(s.replace(/[.!]$/, ''));
  if (kv) {
    const { subject, attr } = readKey(kv.key, ctx);
    if (subject !== 'user' && categoryOf(attr) !== 'generic') return attributeStatements(kv.key, kv.value, ctx);
  }

  const first = (s.split(/\s+/)[0] ?? '').toLowerCase().replace(/[^a-z'’]/g, '');
  if (/^(?:you|your|you're|youre|yours|yourself)$/.test(first)) return [];
  if (IMPERATIVES.has(first)) return [];

  const refsChar = mentions(s, ctx.charAliases) || /^(?:she|he|her|his)\b/i.test(s);
  const refsUser = mentions(s, ctx.userAliases) || /\b(?:you|your|yours|yourself)\b/i.test(s);
  if (!refsChar && refsUser) return [];

  if (s.split(/\s+/).length > MAX_SPLIT_WORDS) return [asSentence(withSubject(s, ctx))];
  const out: string[] = [];
  let lastSubject: string | null = null;
  for (const clause of clauses(s.replace(/[.!]+$/, ''), ctx)) {
    const parsed = readSubject(clause, ctx);
    if (parsed) lastSubject = parsed.subject;
    // "…; never drinks rum": a clause that opens with a verb continues the last subject.
    const subject = parsed?.subject ?? (lastSubject && startsWithVerb(clause) ? lastSubject : null);
    if (subject === null) {
      lastSubject = null;
      out.push(asSentence(clause));
      continue;
    }
    const predicate = parsed ? parsed.predicate : clause;
    for (const p of atomicPredicates(predicate)) out.push(asSentence(`${subject} ${p}`));
  }
  return out;
}

function bare(word: string): string {
  return word.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** The sentence with a leading pronoun or alias replaced by the chosen name (no splitting). */
function withSubject(s: string, ctx: Ctx): string {
  const parsed = readSubject(s, ctx);
  return parsed ? `${parsed.subject} ${parsed.predicate}` : s;
}

/**
 * Clauses of a sentence: at top-level semicolons, and at "and"/"but" before
 * a new subject that is the character ("…, and her eyes are grey").
 */
function clauses(sentence: string, ctx: Ctx): string[] {
  // "…; such as peeing" is not a clause of its own: it stays with what it qualifies.
  const parts: string[] = [];
  for (const part of splitTopLevel(sentence, ';')) {
    const startsOwnClause = /^(?:\p{Lu}|she\b|he\b|her\b|his\b)/u.test(part) || startsWithVerb(part) || aliasAt(part.toLowerCase(), 0, ctx) !== null;
    if (parts.length > 0 && !startsOwnClause) parts[parts.length - 1] += `; ${part}`;
    else parts.push(part);
  }
  return parts.flatMap((part) => {
    const out: string[] = [];
    // One pass: each cut moves forward; the pattern has no nested quantifiers.
    // A new subject after "and"/"but": a pronoun, or after a comma any capitalised word ("…, and Tom rows").
    const cut = /,?\s+(?:and|but)\s+(?=(?:[Ss]he|[Hh]e|[Hh]er|[Hh]is)\s)|,\s+(?:and|but)\s+(?=\p{Lu})/gu;
    let from = 0;
    for (const m of part.matchAll(cut)) {
      out.push(part.slice(from, m.index).trim());
      from = m.index + m[0].length;
    }
    out.push(part.slice(from).trim());
    return out.flatMap((c) => splitAtAlias(c, ctx)).filter((c) => c.length > 0);
  });
}

/** "…and Anne carries a cutlass": a cut before the character's own name. */
function splitAtAlias(clause: string, ctx: Ctx): string[] {
  const lower = clause.toLowerCase();
  const cuts: [number, number][] = [];
  for (const m of lower.matchAll(/,?\s+(?:and|but)\s+/g)) {
    const after = m.index + m[0].length;
    if (aliasAt(lower, after, ctx) !== null) cuts.push([m.index, after]);
  }
  if (cuts.length === 0) return [clause];
  const out: string[] = [];
  let from = 0;
  for (const [start, end] of cuts) {
    out.push(clause.slice(from, start).trim());
    from = end;
  }
  out.push(clause.slice(from).trim());
  return out;
}

/** Length of the character alias (with an optional title) that starts at `at`, or null. */
function aliasAt(lower: string, at: number, ctx: Ctx): { length: number; title: string } | null {
  let start = at;
  let title = '';
  const word = /^[\p{L}.]+/u.exec(lower.slice(at, at + 20))?.[0] ?? '';
  if (TITLES.has(bare(word)) && lower.charAt(at + word.length) === ' ') {
    title = word;
    start = at + word.length + 1;
  }
  for (const alias of ctx.charAliases) {
    if (!lower.startsWith(alias, start)) continue;
    const next = lower.charAt(start + alias.length);
    if (next === ' ' || next === "'" || next === '’') return { length: start + alias.length - at, title: title && !ctx.name.toLowerCase().startsWith(title) && !alias.startsWith(title) ? title : '' };
  }
  return null;
}

/**
 * The clause's subject when it is the character — a pronoun, the name, the
 * nickname or a first name, possessive or not — rendered with the chosen name
 * (a title written before it stays); null for any other subject.
 */
function readSubject(clause: string, ctx: Ctx): { subject: string; predicate: string } | null {
  const pronoun = /^(she|he|her|his)\s+(.*)$/is.exec(clause);
  if (pronoun) {
    const possessive = /^(?:her|his)$/i.test(pronoun[1] ?? '');
    return possessive ? possessiveSubject(`${ctx.name}'s`, pronoun[2] ?? '') : { subject: ctx.name, predicate: pronoun[2] ?? '' };
  }
  const lower = clause.toLowerCase();
  const hit = aliasAt(lower, 0, ctx);
  if (!hit) return null;
  const title = hit.title ? `${clause.slice(0, hit.title.length)} ` : '';
  const rest = clause.slice(hit.length);
  const poss = /^(?:'s|’s|'|’)\s+(.*)$/s.exec(rest);
  if (poss) return possessiveSubject(`${title}${ctx.name}'s`, poss[1] ?? '');
  if (!/^\s+\S/.test(rest)) return null;
  return { subject: `${title}${ctx.name}`, predicate: rest.trim() };
}

/** "Her eyes are grey" → subject "Maren's eyes", predicate "are grey" (the noun runs up to a be/have verb). */
function possessiveSubject(owner: string, rest: string): { subject: string; predicate: string } {
  const words = rest.split(/\s+/);
  const verbAt = words.findIndex((w, i) => i > 0 && i <= 4 && /^(?:is|are|was|were|has|have|had)$/i.test(w));
  if (verbAt < 0) return { subject: owner, predicate: rest };
  return { subject: `${owner} ${words.slice(0, verbAt).join(' ')}`, predicate: words.slice(verbAt).join(' ') };
}
