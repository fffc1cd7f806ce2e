/**
 * Chat prompt assembly: card + persona statements + lorebook + history →
 * role-tagged messages that fit the model's context.
 *
 * Layout:
 *   system:    system prompt, [before_char lore], description, personality,
 *              scenario, "Facts about {char}" (enabled statements),
 *              [after_char lore], example dialogues
 *   user/assistant: the history (oldest may be dropped)
 *   system:    post-history instructions + the "in character" restatement
 *   assistant: continuePrefix (only when continuing a reply)
 *
 * IMPORTANT: WebLLM accepts a system message only in first position and wants
 * the last message from the user; run the result through
 * {@link foldForStrictTemplates} for such engines.
 *
 * Never in the prompt: `creator_notes`, `creator_notes_multilingual`, `tags`,
 * `creator`, `character_version` (addressed to humans; NOTES.md), nor
 * `first_mes`/`alternate_greetings` (the greeting reaches the model as the
 * first history message, if the chat has it).
 */
import type { CardData, PersonaStatement } from '../character';
import { resolveMacros, type MacroNames } from '../text/macros';
import { activateLorebook, loreDropOrder, type ActiveLoreEntry } from './lorebook';

export type PromptRole = 'system' | 'user' | 'assistant';

/** One chat-completion message. */
export interface PromptMessage {
  role: PromptRole;
  content: string;
}

/** A message of the chat so far, oldest first. */
export interface HistoryMessage {
  role: 'user' | 'assistant';
  /** Display name; not sent (chat templates carry roles, not names). */
  name?: string;
  content: string;
}

/** Everything {@link assemblePrompt} needs. */
export interface AssembleInput {
  card: CardData;
  /** All statements of the character; only enabled ones are listed. */
  statements: PersonaStatement[];
  history: HistoryMessage[];
  userName: string;
  /** The model's context window, in tokens. */
  contextSize: number;
  /** Tokens reserved for the reply. */
  maxReplyTokens: number;
  /** The model's tokenizer, or {@link estimateTokens}. */
  countTokens: (text: string) => number;
  /** Statements to stress when regenerating "in character". */
  restate?: string[];
  /** Start of the reply to continue (sent as a trailing assistant message). */
  continuePrefix?: string;
  /**
   * A group scene (issue 13 §3): who else is present, as a system section
   * after the speaker's own facts (domain/group.ts `sceneNote`), and the
   * stop strings for the others' turns. Never dropped.
   */
  scene?: { note: string; stops: string[] };
  /**
   * Tokens a chat template adds around each message (role header, end marker:
   * ~5 for Llama 3 and ChatML). Default {@link MESSAGE_OVERHEAD_TOKENS}.
   */
  messageOverheadTokens?: number;
}

/** What had to be left out to fit the budget. */
export interface DroppedReport {
  /** Example dialogue blocks dropped (always the last ones). */
  exampleBlocks: number;
  /** Oldest history messages dropped (`history.slice(0, n)` is not sent). */
  historyMessages: number;
  /** Ids of triggered lorebook entries dropped for the context budget. */
  lorebookEntries: number[];
  /** Ids of triggered entries over the lorebook's own `token_budget`. */
  lorebookOverBookBudget: number[];
}

/** The assembled prompt and how it was fitted. */
export interface AssembledPrompt {
  messages: PromptMessage[];
  /** Stop sequences for the engine (the user's turn marker). */
  stop: string[];
  /** Σ countTokens(content) + overhead per message. */
  tokenCount: number;
  /** contextSize − maxReplyTokens. */
  budget: number;
  /** True when even the parts that are never dropped exceed the budget. */
  overBudget: boolean;
  dropped: DroppedReport;
  /** Ids of lorebook entries in the prompt, in prompt order. */
  lorebookEntries: number[];
}

/** Thrown when the settings leave no room for a prompt at all. */
export class PromptBudgetError extends Error {
  constructor(contextSize: number, maxReplyTokens: number) {
    super(`No room for a prompt: context ${contextSize} tokens, reply reserve ${maxReplyTokens}.`);
    this.name = 'PromptBudgetError';
  }
}

/** Default per-message template overhead (Llama 3 / ChatML headers and end marker). */
export const MESSAGE_OVERHEAD_TOKENS = 5;

/** The system prompt used when the card has none (and for `{{original}}`). */
export const DEFAULT_SYSTEM_PROMPT =
  "Write {{char}}'s next reply in a fictional role-play chat between {{char}} and {{user}}. " +
  "Stay in character: keep {{char}}'s personality, appearance, history and knowledge consistent " +
  'with the character information and facts below. Write only as {{char}}; never write ' +
  "{{user}}'s words or actions. Be vivid and proactive, and do not repeat earlier replies.";

/**
 * What `{{original}}` stands for in a card's post-history instructions: the
 * studio has no global post-history prompt, so it is empty.
 */
export const DEFAULT_POST_HISTORY_INSTRUCTIONS = '';

const ORIGINAL_MACRO = /\{\{\s*original\s*\}\}/gi;

/** Split `mes_example` into dialogue blocks on `<START>` lines; empty blocks dropped. */
export function splitExampleBlocks(mesExample: string): string[] {
  return mesExample
    .replace(/\r\n?/g, '\n')
    .split(/<start>/i)
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}

/** The card's system prompt with `{{original}}` expanded, or the default. */
export function systemPromptOf(card: CardData): string {
  const own = card.system_prompt.trim();
  return own ? own.replace(ORIGINAL_MACRO, () => DEFAULT_SYSTEM_PROMPT) : DEFAULT_SYSTEM_PROMPT;
}

function restateNote(statements: string[], char: string): string {
  const list = statements.map((s) => `- ${s.trim()}`).join('\n');
  return (
    `[Important: in the next reply, ${char} must stay in character and be consistent with these facts about ${char}:\n` +
    `${list}\nDo not contradict them, and do not mention this note.]`
  );
}

interface Parts {
  coreBefore: string[];
  coreAfter: string[];
  loreBefore: ActiveLoreEntry[];
  loreAfter: ActiveLoreEntry[];
  examples: string[];
  finalNote: string;
}

function buildParts(input: AssembleInput, names: MacroNames, lore: ActiveLoreEntry[]): Parts {
  const r = (text: string) => resolveMacros(text.replace(/\r\n?/g, '\n').trim(), names);
  const { card } = input;
  const coreBefore = [r(systemPromptOf(card))];
  const coreAfter: string[] = [];
  if (card.description.trim()) coreAfter.push(r(card.description));
  if (card.personality.trim()) coreAfter.push(`${names.char}'s personality: ${r(card.personality)}`);
  if (card.scenario.trim()) coreAfter.push(`Scenario: ${r(card.scenario)}`);
  const facts = input.statements.filter((s) => s.enabled && s.text.trim()).map((s) => `- ${r(s.text)}`);
  if (facts.length > 0) coreAfter.push(`Facts about ${names.char}:\n${facts.join('\n')}`);
  if (input.scene?.note.trim()) coreAfter.push(input.scene.note.trim());

  const notes: string[] = [];
  const phi = card.post_history_instructions.trim();
  if (phi) {
    const expanded = r(phi.replace(ORIGINAL_MACRO, () => DEFAULT_POST_HISTORY_INSTRUCTIONS));
    if (expanded) notes.push(expanded);
  }
  const restate = (input.restate ?? []).map(r).filter((s) => s.length > 0);
  if (restate.length > 0) notes.push(restateNote(restate, names.char));

  return {
    coreBefore,
    coreAfter,
    loreBefore: lore.filter((l) => l.entry.position === 'before_char'),
    loreAfter: lore.filter((l) => l.entry.position !== 'before_char'),
    examples: splitExampleBlocks(card.mes_example).map(r),
    finalNote: notes.join('\n\n'),
  };
}

function systemContent(parts: Parts, examplesKept: number, droppedLore: Set<ActiveLoreEntry>): string {
  const keep = (list: ActiveLoreEntry[]) => list.filter((l) => !droppedLore.has(l)).map((l) => l.content);
  const sections = [...parts.coreBefore, ...keep(parts.loreBefore), ...parts.coreAfter, ...keep(parts.loreAfter)];
  const examples = parts.examples.slice(0, examplesKept);
  if (examples.length > 0) {
    sections.push(
      'Example dialogues (they show how the characters write; they are not part of this conversation):\n' +
        examples.map((e) => `[Example dialogue]\n${e}`).join('\n\n'),
    );
  }
  return sections.filter((s) => s.length > 0).join('\n\n');
}

/**
 * Assemble the chat prompt for the next reply, fitting it into
 * `contextSize − maxReplyTokens`. When space runs out it drops, in order:
 * example dialogue blocks (last first), the oldest history messages (never the
 * last user message or anything after it), then lorebook entries (lowest
 * priority first). The system prompt, card fields, statements, post-history
 * instructions and restatement are never dropped; if they alone do not fit,
 * the result says `overBudget` rather than cutting them.
 *
 * @throws {PromptBudgetError} when `maxReplyTokens ≥ contextSize`.
 */
export function assemblePrompt(input: AssembleInput): AssembledPrompt {
  const budget = input.contextSize - input.maxReplyTokens;
  if (!(budget > 0)) throw new PromptBudgetError(input.contextSize, input.maxReplyTokens);
  const overhead = input.messageOverheadTokens ?? MESSAGE_OVERHEAD_TOKENS;
  const names: MacroNames = { char: input.card.name.trim() || 'Character', user: input.userName.trim() || 'User' };

  // Counting can be a real tokenizer; never count the same string twice.
  const memo = new Map<string, number>();
  const count = (text: string): number => {
    let n = memo.get(text);
    if (n === undefined) {
      n = input.countTokens(text);
      memo.set(text, n);
    }
    return n;
  };

  const history = input.history.map((m) => ({
    role: m.role,
    content: resolveMacros(m.content, names),
  }));
  const lore = activateLorebook(input.card.character_book, {
    history: history.map((m) => m.content),
    names,
    countTokens: count,
  });
  const parts = buildParts(input, names, lore.active);
  const prefix = input.continuePrefix ? resolveMacros(input.continuePrefix, names) : '';

  let lastUser = -1;
  history.forEach((m, i) => {
    if (m.role === 'user') lastUser = i;
  });
  const protectedFrom = lastUser >= 0 ? lastUser : Math.max(0, history.length - 1);

  let examplesKept = parts.examples.length;
  let historyStart = 0;
  const droppedLore = new Set<ActiveLoreEntry>();
  const loreByDropOrder = [...lore.active].sort((a, b) =>
    loreDropOrder(a.entry, b.entry, (e) => input.card.character_book?.entries.indexOf(e) ?? 0),
  );

  const tailCost =
    (parts.finalNote ? count(parts.finalNote) + overhead : 0) + (prefix ? count(prefix) + overhead : 0);
  const messageCost = (i: number): number => count(history[i]?.content ?? '') + overhead;
  const systemCost = (): number => count(systemContent(parts, examplesKept, droppedLore)) + overhead;

  // Costs are kept as running sums so a long history is fitted in linear time.
  let system = systemCost();
  let kept = 0;
  for (let i = 0; i < history.length; i++) kept += messageCost(i);
  while (system + kept + tailCost > budget) {
    if (examplesKept > 0) {
      examplesKept--;
      system = systemCost();
    } else if (historyStart < protectedFrom) {
      kept -= messageCost(historyStart);
      historyStart++;
    } else {
      const next = loreByDropOrder.find((l) => !droppedLore.has(l));
      if (!next) break;
      droppedLore.add(next);
      system = systemCost();
    }
  }
  const total = system + kept + tailCost;

  const messages: PromptMessage[] = [
    { role: 'system', content: systemContent(parts, examplesKept, droppedLore) },
    ...history.slice(historyStart),
  ];
  if (parts.finalNote) messages.push({ role: 'system', content: parts.finalNote });
  if (prefix) messages.push({ role: 'assistant', content: prefix });

  return {
    messages,
    stop: [...new Set([`\n${names.user}:`, ...(input.scene?.stops ?? [])])],
    tokenCount: total,
    budget,
    overBudget: total > budget,
    dropped: {
      exampleBlocks: parts.examples.length - examplesKept,
      historyMessages: historyStart,
      lorebookEntries: lore.active.filter((l) => droppedLore.has(l)).map((l) => l.entry.id),
      lorebookOverBookBudget: lore.overBookBudget.map((e) => e.id),
    },
    lorebookEntries: lore.active.filter((l) => !droppedLore.has(l)).map((l) => l.entry.id),
  };
}
