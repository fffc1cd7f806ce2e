/**
 * Synthetic persona and replies for `npm run bench:checker` (scripts/bench/checker.mjs).
 * Pure data, no imports: loaded by Node and, through Vite, by the bench pages.
 *
 * - statements(n): the first n of a fixed, seeded list of 200 persona facts
 *   written like extracted card statements (8–16 words). 14 hand-written "core"
 *   facts are spread over the first ~40 positions; some of them are what the
 *   replies below talk about (and a few are what they contradict). The rest
 *   come from templates × fillers, so most statements have nothing to do with
 *   a given reply.
 * - REPLIES: 4-sentence role-play replies (dialogue + one *action*), each with
 *   the user's turn it answers.
 *
 * The words are mostly from the tiny fixture models' vocabulary
 * (e2e/fixtures/models/word_classes.json), so the same inputs also give
 * known-rule answers with `--fixture` (tiny-nli / tiny-embed): e.g. "I have
 * never been afraid of the deep water" contradicts "Maren is afraid of deep
 * water" under tiny-nli's word rule.
 */

export const PERSONA_NAME = 'Maren';

/** Hand-written facts; several are touched (kept or broken) by REPLIES. */
const CORE = [
  'Maren is afraid of deep water since her brother drowned in a storm.',
  'Maren grew up in a small fishing village on the north shore.',
  'She carries an old sword that her mother gave her.',
  'Maren bakes bread for the tavern every morning before the sun rises.',
  'She has no sister and no brother left alive.',
  'Maren loves horses and rides to the market every morning.',
  'She can read and write better than anyone in her village.',
  'Maren sings beautifully, and the whole tavern goes quiet when she does.',
  'She is shy and quiet with strangers but warm with her friends.',
  'Her father was a sailor who taught her to read the stars at night.',
  'Maren never drinks wine or ale.',
  'She wears a silver ring that belonged to her mother.',
  'Maren knows every path through the forest east of the village.',
  'She is brave in a fight but hates the cold of winter.',
];

const THINGS = ['sword', 'shield', 'bow', 'book', 'letter', 'map', 'key', 'ring', 'necklace', 'lantern', 'candle', 'knife', 'potion', 'crown', 'rose', 'coin', 'cloak', 'hat'];
const PLACES = ['village', 'city', 'town', 'castle', 'tower', 'forest', 'mountain', 'cave', 'beach', 'island', 'tavern', 'inn', 'library', 'temple', 'market', 'kitchen', 'garden', 'bridge'];
const RELATIVES = ['mother', 'father', 'sister', 'brother', 'husband', 'friend', 'teacher'];
const JOBS = ['healer', 'baker', 'merchant', 'sailor', 'soldier', 'teacher', 'doctor', 'guard', 'knight', 'mage', 'witch', 'hunter', 'cook'];
const ACTIVITIES = ['swim', 'read', 'write', 'sing', 'dance', 'paint', 'draw', 'ride', 'cook', 'fight', 'hunt', 'climb', 'travel', 'sleep', 'study'];
const ANIMALS = ['wolf', 'cat', 'dog', 'horse', 'bird', 'dragon', 'fish'];
const COLORS = ['blue', 'green', 'brown', 'grey', 'black', 'white', 'red', 'golden', 'silver', 'purple'];
const TRAITS = ['kind', 'gentle', 'brave', 'shy', 'proud', 'honest', 'loyal', 'curious', 'clever', 'calm', 'quiet', 'stubborn', 'patient', 'nervous', 'cheerful', 'grumpy', 'polite', 'friendly', 'generous', 'lazy'];
const FOODS = ['tea', 'coffee', 'wine', 'ale', 'bread', 'cake', 'apple', 'soup', 'meat', 'fish'];
const TIMES = ['morning', 'evening', 'night', 'winter', 'summer', 'spring'];
const WEATHER = ['rain', 'storm', 'snow', 'wind', 'sun', 'cold'];

/** Templates: (pick) => sentence. `pick(list)` draws from the seeded generator. */
const TEMPLATES = [
  (p) => `Maren is afraid of ${p(ANIMALS)}s and will not go near the ${p(PLACES)} at ${p(TIMES)}.`,
  (p) => `She has ${p(COLORS)} hair, ${p(COLORS)} eyes and a small scar on her ${p(['hand', 'arm', 'face', 'leg'])}.`,
  (p) => `Her ${p(RELATIVES)} was a ${p(JOBS)} in the ${p(PLACES)} near the ${p(['sea', 'river', 'lake', 'mountain'])}.`,
  (p) => `Maren carries a ${p(THINGS)} that her ${p(RELATIVES)} gave her long ago.`,
  (p) => `She loves to ${p(ACTIVITIES)} in the ${p(TIMES)} when the ${p(PLACES)} is quiet.`,
  (p) => `Maren is ${p(TRAITS)} with strangers but ${p(TRAITS)} with people she trusts.`,
  (p) => `She worked as a ${p(JOBS)} at the ${p(PLACES)} for ${p(['two', 'three', 'five', 'seven', 'ten'])} years.`,
  (p) => `Maren can ${p(ACTIVITIES)} better than anyone else in the ${p(PLACES)}.`,
  (p) => `She never eats ${p(FOODS)} because it reminds her of the ${p(['war', 'storm', 'fire', 'winter'])}.`,
  (p) => `Maren hopes to find the lost ${p(THINGS)} of the old ${p(['king', 'queen', 'knight', 'mage', 'witch'])} one day.`,
  (p) => `She keeps a ${p(THINGS)} hidden under her bed in the ${p(['inn', 'tower', 'house', 'room'])}.`,
  (p) => `Maren dislikes ${p(WEATHER)} and always stays home when it comes.`,
  (p) => `She prefers ${p(FOODS)} to ${p(FOODS)} and drinks it every ${p(TIMES)}.`,
  (p) => `Maren once saved a ${p(JOBS)} from a ${p(ANIMALS)} on the ${p(['road', 'path', 'bridge', 'beach'])} to the ${p(PLACES)}.`,
  (p) => `She learned to ${p(ACTIVITIES)} from a ${p(TRAITS)} ${p(JOBS)} in the ${p(['north', 'south', 'east', 'west'])}.`,
  (p) => `Maren owes money to a ${p(['greedy', 'cruel', 'rich', 'old'])} ${p(JOBS)} in the ${p(['city', 'town', 'market'])}.`,
  (p) => `She believes that ${p(['magic', 'dragons', 'spells', 'ghosts'])} are real and ${p(['dangerous', 'beautiful', 'sad', 'strange'])}.`,
  (p) => `Maren has a ${p(['pet', 'old', 'loyal', 'lazy'])} ${p(ANIMALS)} named after her ${p(RELATIVES)}.`,
  (p) => `She is ${p(['twenty', 'thirty', 'nineteen', 'twenty-five'])} years old and has never left the ${p(PLACES)} for long.`,
  (p) => `Maren writes letters to her ${p(RELATIVES)} every ${p(TIMES)} but never sends them.`,
];

/** Deterministic PRNG (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildAll(total = 200) {
  const next = rng(20241122);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const generated = [];
  const seen = new Set(CORE);
  let guard = 0;
  while (generated.length < total - CORE.length && guard++ < 100_000) {
    const text = pick(TEMPLATES)(pick);
    if (seen.has(text)) continue;
    seen.add(text);
    generated.push(text);
  }
  // Core facts at positions 0, 3, 6, … (so 10 statements hold 4 of them, 30 hold 10, 50+ all 14).
  const out = [];
  let core = 0;
  let gen = 0;
  for (let i = 0; i < total; i++) {
    if (core < CORE.length && i % 3 === 0) out.push(CORE[core++]);
    else out.push(generated[gen++]);
  }
  return out;
}

const ALL = buildAll();

/** The first n statements (n ≤ 200) in the studio's statement shape. */
export function statements(n) {
  if (n > ALL.length) throw new Error(`at most ${ALL.length} statements`);
  return ALL.slice(0, n).map((text, i) => ({ id: `s${i}`, version: 1, text, enabled: true }));
}

/**
 * Replies of exactly 4 sentences under the studio's segmenter (checked by the
 * bench page), ~60–90 characters per sentence.
 */
export const REPLIES = [
  {
    userTurn: 'Are you afraid of the water?',
    text:
      'I have never been afraid of the deep water, not even as a child. ' +
      '*She turns the old sword over in her hands.* ' +
      'My mother gave me this blade before the long winter came to the village. ' +
      'We should leave before the stars come out tonight.',
  },
  {
    userTurn: 'What do you do for work?',
    text:
      '*She wipes the flour from her hands and smiles.* ' +
      'I bake bread for the tavern every morning before the sun comes up. ' +
      'My father taught me the trade when I was a little girl. ' +
      'It is honest work, and the soup is free for the baker.',
  },
  {
    userTurn: 'Tell me about your family.',
    text:
      'My sister lives in the city now, far away from the sea. ' +
      '*Maren looks down at the silver ring on her finger.* ' +
      'My brother was a sailor who drowned in a storm three years ago. ' +
      'I do not like to talk about him with strangers.',
  },
  {
    userTurn: 'Do you like horses?',
    text:
      'I hate horses, they are loud and stubborn and they smell. ' +
      '*She laughs and pats the grey horse anyway.* ' +
      'This one is different, she carried me home through the snow. ' +
      'Maybe I am just a coward around big animals.',
  },
  {
    userTurn: 'Can you read this map?',
    text:
      '*She squints at the old map under the lantern light.* ' +
      'I never learned to read, so the letters mean nothing to me. ' +
      'But I know the forest path to the east like my own hand. ' +
      'We could reach the tower in two days if the rain holds off.',
  },
  {
    userTurn: 'Will you sing for us tonight?',
    text:
      'Music was a gift of my mother, and she sang far better than me. ' +
      '*She clears her throat and hums a quiet song anyway.* ' +
      'The tavern goes silent as her voice fills the warm room. ' +
      'I only sing when the night is calm and the fire is warm.',
  },
];
