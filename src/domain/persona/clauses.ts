/**
 * Splitting one prose sentence about the character into atomic facts:
 *
 * - coordinated predicates share the subject: "Anne has a scar and carries a
 *   cutlass" → "has a scar" | "carries a cutlass";
 * - a modal or negation carries over to a bare verb: "can swim and sail" →
 *   "can swim" | "can sail"; "doesn't drink or smoke" → both negative;
 * - lists of objects or adjectives share the verb: "loves storms, rum and old
 *   maps" → three facts, "is kind, brave and stubborn" → three, "never drinks
 *   rum or gin" → two negative facts.
 *
 * It is deliberately conservative: when a shape is ambiguous ("salt and
 * pepper hair", "a scar on her cheek and a tattoo"?) the phrase stays whole,
 * because a wrong split invents a fact the writer never wrote. Every step is a
 * single pass over the words, so the cost is linear in the sentence.
 */
import { isBaseVerb, isPastVerb, isThirdPersonVerb, DETERMINER_WORDS } from './english';

/** Sentences longer than this are not split (they fail the length limits anyway). */
export const MAX_SPLIT_WORDS = 60;

/** Words that start a predicate on their own ("and never learned to swim"). */
const CLAUSE_STARTERS = new Set([
  'is', 'was', 'are', 'were', 'has', 'had', 'have', 'does', 'did', 'can', 'cannot', "can't", 'could', 'will',
  "won't", 'would', 'should', 'must', 'may', 'might', 'never', 'always', 'often', 'sometimes', 'usually',
  'rarely', 'seldom', "doesn't", "isn't", "wasn't", "hasn't", "didn't", 'also', 'secretly', 'still',
]);

/** Auxiliaries whose meaning carries over to a bare verb after "and"/"or". */
const CARRIED_AUX = new Set([
  'can', 'cannot', "can't", 'could', "couldn't", 'will', "won't", 'would', "wouldn't", 'should', 'must', 'may',
  'might', "doesn't", "didn't", "don't", 'does', 'did', 'not', 'never', 'to',
]);

const NEGATIONS = new Set(['not', 'never', 'no', 'cannot', "can't", "doesn't", "didn't", "don't", "won't", "isn't", "wasn't", "hasn't", 'nor', "couldn't", "wouldn't"]);

/** Where the first item of a list cannot start: the item is after these words. */
const PREPOSITIONS = new Set(['of', 'with', 'to', 'for', 'about', 'in', 'on', 'at', 'by', 'from', 'into', 'like', 'than', 'as', 'over', 'under', 'around', 'through']);

const BE_HAVE = new Set(['is', 'was', 'are', 'were', 'has', 'had', 'have', 'be', 'been', 'being']);

/** Longest list item (in words) still read as an item rather than a clause. */
const MAX_ITEM_WORDS = 5;
/** The first item may carry a short modifier ("a scar on her cheek"). */
const MAX_FIRST_ITEM_WORDS = 8;

/** A list after these words is not a list of separate facts ("except when sleeping or eating"). */
const LIST_BLOCKERS = new Set(['except', 'unless', 'between', 'either', 'neither', 'both', 'including', 'besides', 'than', 'until', 'if', 'when', 'while', 'whether']);

const bare = (word: string): string => word.toLowerCase().replace(/’/g, "'").replace(/^[^a-z']+|[^a-z']+$/g, '');

function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}

function isNegative(tokens: readonly string[]): boolean {
  return tokens.some((t) => NEGATIONS.has(bare(t)) || /n't$/.test(bare(t)));
}

/** The auxiliaries at the start of a predicate ("does not", "can", "never"). */
function leadingAux(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    if (!CARRIED_AUX.has(bare(t))) break;
    out.push(t);
  }
  return out;
}

/** The first verb of a predicate after its auxiliaries and adverbs. */
function mainVerb(tokens: readonly string[]): string {
  for (const t of tokens) {
    const w = bare(t);
    if (CARRIED_AUX.has(w) || /ly$/.test(w) || w === 'also') continue;
    return w;
  }
  return '';
}

/**
 * True when `tokens[at]` starts a new predicate of the same subject, given the
 * predicate so far. Third-person forms come from a verb list (the -s guess
 * takes "apples" for a verb); a past form only continues a past predicate; a
 * bare verb only follows a carried auxiliary.
 */
function startsPredicate(tokens: readonly string[], at: number, first: readonly string[]): boolean {
  const w = bare(tokens[at] ?? '');
  if (!w) return false;
  if (CLAUSE_STARTERS.has(w) && w !== 'still') return true;
  if (isThirdPersonVerb(w)) return true;
  const verb = mainVerb(first);
  if (isPastVerb(w) && isPastVerb(verb) && !BE_HAVE.has(w)) return true;
  if (isBaseVerb(w) && leadingAux(first).length > 0) return true;
  return false;
}

/**
 * Splits a predicate (the sentence after its subject) into coordinated
 * predicates at "and"/"but" (and "or" after a negation, and a comma) before a
 * new verb. A bare verb gets the first predicate's auxiliaries.
 */
export function splitPredicates(predicate: string): string[] {
  const tokens = words(predicate);
  if (tokens.length === 0) return [];
  // "neither sings nor dances" is one fact about two things; split it and the negation is lost.
  const paired = tokens.some((t) => bare(t) === 'neither' || bare(t) === 'either');
  if (paired || tokens.length > MAX_SPLIT_WORDS || /["“”()[\]]/.test(predicate)) return [predicate.trim()];
  const out: string[][] = [];
  let current: string[] = [];
  let first: string[] | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const w = bare(t);
    const prev = tokens[i - 1] ?? '';
    const base = first ?? current;
    const conj = w === 'and' || w === 'but' || (w === 'or' && isNegative(base)) || w === 'nor';
    // "cannot and will not talk": auxiliaries alone share the verb that follows.
    const auxOnly = current.every((c) => CARRIED_AUX.has(bare(c)) || CLAUSE_STARTERS.has(bare(c)));
    if (current.length > 0 && !auxOnly && conj && startsPredicate(tokens, i + 1, base)) {
      out.push(current);
      first ??= current;
      current = carry(first, tokens[i + 1]!);
      continue;
    }
    if (current.length > 1 && /,$/.test(prev) && !conj && CLAUSE_STARTERS.has(w) && w !== 'still' && w !== 'also') {
      out.push(current);
      first ??= current;
      current = carry(first, t);
    }
    current.push(t);
  }
  out.push(current);
  return out.map((p) => p.join(' ').replace(/[,;]+$/, '').trim()).filter((p) => p.length > 0);
}

/** Auxiliaries of the first predicate that a bare verb needs ("can" swim and "can" sail). */
function carry(first: readonly string[], next: string): string[] {
  const w = bare(next);
  if (isThirdPersonVerb(w) || CLAUSE_STARTERS.has(w) || isPastVerb(w)) return [];
  return leadingAux(first).map((t) => t.replace(/,$/, ''));
}

type Shape = 'det' | 'ing' | 'word' | 'other';

function shapeOf(item: readonly string[]): Shape {
  const w = bare(item[0] ?? '');
  if (DETERMINER_WORDS.has(w) || /^\d/.test(w)) return 'det';
  if (w.length > 4 && w.endsWith('ing')) return 'ing';
  return item.length === 1 ? 'word' : 'other';
}

/**
 * Splits one predicate's object or adjective list ("loves storms, rum and old
 * maps") into predicates that share the verb. Returns the predicate whole
 * when it holds no list or the list's shape is ambiguous.
 */
export function splitList(predicate: string): string[] {
  const whole = [predicate];
  const tokens = words(predicate);
  if (tokens.length > MAX_SPLIT_WORDS || /["“”()[\]:;]/.test(predicate)) return whole;
  const negative = isNegative(tokens);
  // The last conjunction closes the list: "a mixture of black and white furs, yellow eyes and a tail".
  const conjAt = tokens.findLastIndex((t, i) => {
    const w = bare(t);
    return i > 0 && (w === 'and' || (w === 'or' && negative) || w === 'nor' || w === 'but');
  });
  if (conjAt < 1) return whole;
  const conj = bare(tokens[conjAt]!);
  const last = tokens.slice(conjAt + 1);
  if (last.length === 0 || last.length > MAX_ITEM_WORDS) return whole;
  if (last.some((t) => ['and', 'or', 'but', 'nor'].includes(bare(t)))) return whole;

  // Items before the conjunction, separated by commas: head, middle..., then `last`.
  const before = tokens.slice(0, conjAt);
  const groups: string[][] = [[]];
  for (const t of before) {
    groups[groups.length - 1]!.push(t.replace(/,$/, ''));
    if (/,$/.test(t)) groups.push([]);
  }
  if (groups[groups.length - 1]!.length === 0) groups.pop(); // Oxford comma
  const head = groups[0]!;
  const middle = groups.slice(1);
  if (middle.some((m) => m.length === 0 || m.length > MAX_ITEM_WORDS)) return whole;
  if (conj === 'but' && (middle.length > 0 || last.length > 1)) return whole;
  const later = [...middle, last];
  if (later.some((item) => startsPredicate(item, 0, head))) return whole;

  const shapes = later.map(shapeOf);
  const firstItemStart = firstItemIndex(head, shapes);
  if (firstItemStart <= 0) return whole;
  const prefix = head.slice(0, firstItemStart);
  if (prefix.some((t) => LIST_BLOCKERS.has(bare(t)))) return whole;
  const firstItem = head.slice(firstItemStart);
  if (firstItem.length === 0 || firstItem.length > MAX_FIRST_ITEM_WORDS) return whole;
  // Two items with no commas: only clear shapes ("kind and brave", "a scar and
  // a cutlass", "sailing and fishing"), never "salt and pepper hair".
  if (middle.length === 0) {
    const a = shapeOf(firstItem);
    const b = shapes[0]!;
    if (b === 'other' || a !== b) return whole;
  }
  // "no fear or shame": the determiner "no" distributes, or the negation is lost.
  const carriedNo = bare(firstItem[0] ?? '') === 'no' ? 'no ' : '';
  const lead = prefix.join(' ');
  return [firstItem, ...later].map((item, i) => {
    const text = item.join(' ');
    const det = i > 0 && carriedNo && shapeOf(item) !== 'det' ? carriedNo : '';
    return `${lead} ${det}${text}`.trim();
  });
}

/**
 * Where the first list item starts inside the words before the first comma or
 * conjunction. When the later items start with a determiner (or an -ing
 * form), the first one starts at the first such word after the verb; else it
 * is the words after the last preposition or verb.
 */
function firstItemIndex(head: readonly string[], shapes: readonly Shape[]): number {
  const anchor = shapes.includes('det') ? 'det' : shapes.includes('ing') ? 'ing' : null;
  if (anchor) {
    for (let i = 1; i < head.length; i++) {
      if (shapeOf([head[i]!]) === anchor) return i;
    }
    // "green eyes, a crooked nose and freckles": mixed shapes, read backwards.
  }
  for (let i = head.length - 1; i >= 0; i--) {
    const w = bare(head[i]!);
    if (PREPOSITIONS.has(w) || BE_HAVE.has(w) || CARRIED_AUX.has(w) || isThirdPersonVerb(w) || isPastVerb(w) || CLAUSE_STARTERS.has(w)) {
      return i + 1;
    }
  }
  return -1;
}

/** Both splits: coordinated predicates, then each one's list. */
export function atomicPredicates(predicate: string): string[] {
  if (words(predicate).length > MAX_SPLIT_WORDS) return [predicate.trim()];
  return splitPredicates(predicate).flatMap(splitList);
}
