/**
 * Chat prompt assembly: card + persona statements + lorebook + history →
 * role-tagged messages that fit the model's context.
 *
 * Layout:
 *   system:    system prompt, [before_char lore], description, personality,
 *              scenario, the user's persona description,
 *              "Facts about {char}" (enabled statements),
 *              [after_char lore], example dialogues
 *   user/assistant: the history (oldest may be dropped)
 *   system:    post-history instructions + the "in character" restatement,
 *              or, when impersonating, the instruction to write as {user}
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
import { activateLorebook, loreDropOrder, loreScanDepth, type ActiveLoreEntry } from './lorebook';
import { authorsNoteContent, insertAtDepth, summaryBlock, type AuthorsNoteInput, type SummaryInput } from './memory';

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
  /** The stored message's id (prompt records refer to messages by id). */
  id?: string;
  /** A pinned message stays in the prompt when older history is dropped. */
  pinned?: boolean;
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
  /** The active user persona's description (issue 13 §5); '' or absent: none. */
  userDescription?: string;
  /**
   * Draft the user's next line instead of the character's (Impersonate, issue
   * 13 §5): the final note asks for {{user}}'s words, the stop string is the
   * character's turn marker, and no restatement is sent.
   */
  impersonate?: boolean;
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
  /** The chat's author's note, inserted `depth` messages from the end of the history. */
  authorsNote?: AuthorsNoteInput;
  /**
   * "Story so far" summaries of the oldest history, oldest first, a chain:
   * summary k covers `history.slice(summaries[k-1].upTo ?? 0, summaries[k].upTo)`.
   * One is used once any message it covers has to be dropped; it then stands
   * for all it covers, where those messages were (pinned ones are still sent).
   */
  summaries?: SummaryInput[];
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

/** What one prompt message is (parallel to {@link AssembledPrompt.messages}). */
export interface PromptSection {
  kind: 'system' | 'summary' | 'pinned' | 'history' | 'authors-note' | 'post-history' | 'continue';
  /** Its tokens, template overhead included. */
  tokens: number;
  /** For 'pinned' and 'history': the message's index in `input.history`. */
  historyIndex?: number;
  /** For 'system': tokens per part (card, statements, lorebook, examples), without overhead. */
  parts?: { label: string; tokens: number }[];
}

/** How the history was fitted: kept, summarized, dropped (indices into `input.history`). */
export interface HistoryPlan {
  /** The first history message sent in order (before it only pinned ones are sent). */
  firstKept: number;
  /** Summaries used (`input.summaries.slice(0, n)`). */
  summariesUsed: number;
  /** `history.slice(0, summarizedUpTo)` is covered by the summaries used. */
  summarizedUpTo: number;
  /** Pinned messages before `firstKept`, sent anyway. */
  pinnedKept: number[];
  /** Messages before `firstKept` that are neither pinned nor summarized: lost to the model. */
  droppedUnsummarized: number[];
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
  /** One per message of `messages`: what it is and what it costs. */
  sections: PromptSection[];
  history: HistoryPlan;
  /** The names macros were resolved with. */
  names: MacroNames;
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

/**
 * The user's persona description, placed after the scenario as SillyTavern's
 * story string places `{{persona}}`. Empty when there is none.
 */
export function personaSection(description: string | undefined, names: MacroNames): string {
  const text = resolveMacros((description ?? '').replace(/\r\n?/g, '\n').trim(), names);
  return text ? `About ${names.user}, the user's character: ${text}` : '';
}

/** The instruction that turns the next generation into a draft of the user's line (Impersonate). */
export function impersonationNote(names: MacroNames): string {
  return (
    `[Write ${names.user}'s next reply in this chat, in the first person as ${names.user}, ` +
    `following the chat so far and ${names.user}'s way of writing. Write only ${names.user}'s words and actions; ` +
    `do not write as ${names.char} or describe ${names.char}'s actions. Do not mention this note.]`
  );
}

interface Parts {
  coreBefore: string[];
  coreAfter: string[];
  loreBefore: ActiveLoreEntry[];
  loreAfter: ActiveLoreEntry[];
  examples: string[];
  finalNote: string;
  /** The "Facts about" section inside coreAfter ('' when there are no statements). */
  facts: string;
}

function buildParts(input: AssembleInput, names: MacroNames, lore: ActiveLoreEntry[]): Parts {
  const r = (text: string) => resolveMacros(text.replace(/\r\n?/g, '\n').trim(), names);
  const { card } = input;
  const coreBefore = [r(systemPromptOf(card))];
  const coreAfter: string[] = [];
  if (card.description.trim()) coreAfter.push(r(card.description));
  if (card.personality.trim()) coreAfter.push(`${names.char}'s personality: ${r(card.personality)}`);
  if (card.scenario.trim()) coreAfter.push(`Scenario: ${r(card.scenario)}`);
  const persona = personaSection(input.userDescription, names);
  if (persona) coreAfter.push(persona);
  const factLines = input.statements.filter((s) => s.enabled && s.text.trim()).map((s) => `- ${r(s.text)}`);
  const facts = factLines.length > 0 ? `Facts about ${names.char}:\n${factLines.join('\n')}` : '';
  if (facts) coreAfter.push(facts);
  if (input.scene?.note.trim()) coreAfter.push(input.scene.note.trim());

  const notes: string[] = [];
  const phi = card.post_history_instructions.trim();
  // The card's post-history instructions speak to the character's reply; a draft of the user's line gets only its own note.
  if (phi && !input.impersonate) {
    const expanded = r(phi.replace(ORIGINAL_MACRO, () => DEFAULT_POST_HISTORY_INSTRUCTIONS));
    if (expanded) notes.push(expanded);
  }
  const restate = (input.restate ?? []).map(r).filter((s) => s.length > 0);
  if (input.impersonate) notes.push(impersonationNote(names));
  else if (restate.length > 0) notes.push(restateNote(restate, names.char));

  return {
    coreBefore,
    coreAfter,
    loreBefore: lore.filter((l) => l.entry.position === 'before_char'),
    loreAfter: lore.filter((l) => l.entry.position !== 'before_char'),
    examples: splitExampleBlocks(card.mes_example).map(r),
    finalNote: notes.join('\n\n'),
    facts,
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

/** Token counts of the system message's parts, for the prompt inspector (template overhead not included). */
function systemParts(parts: Parts, examplesKept: number, droppedLore: Set<ActiveLoreEntry>, count: (text: string) => number): { label: string; tokens: number }[] {
  const lore = [...parts.loreBefore, ...parts.loreAfter].filter((l) => !droppedLore.has(l));
  const examples = parts.examples.slice(0, examplesKept);
  return [
    { label: 'card', tokens: [...parts.coreBefore, ...parts.coreAfter].filter((p) => p !== parts.facts).reduce((n, p) => n + count(p), 0) },
    { label: 'statements', tokens: parts.facts ? count(parts.facts) : 0 },
    { label: 'lorebook', tokens: lore.reduce((n, l) => n + count(l.content), 0) },
    { label: 'examples', tokens: examples.reduce((n, e) => n + count(e), 0) },
  ];
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

  // Macros are resolved only in the messages that are read (counted, scanned
  // or sent): in a long chat, the window and the lorebook's scan depth.
  const history = input.history;
  const resolved: (string | undefined)[] = [];
  const contentAt = (i: number): string => (resolved[i] ??= resolveMacros(history[i]?.content ?? '', names));
  const scanned: string[] = [];
  for (let i = Math.max(0, history.length - loreScanDepth(input.card.character_book)); i < history.length; i++) scanned.push(contentAt(i));
  const lore = activateLorebook(input.card.character_book, {
    history: scanned,
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

  const note = authorsNoteContent(input.authorsNote, names);
  const summaries = input.summaries ?? [];
  const summaryText = (n: number) => summaryBlock(summaries.slice(0, n).map((x) => x.text), names);
  const cost = (text: string) => (text ? count(text) + overhead : 0);
  const tailCost = cost(parts.finalNote) + cost(prefix) + cost(note);
  const messageCost = (i: number): number => count(contentAt(i)) + overhead;
  const systemCost = (): number => count(systemContent(parts, examplesKept, droppedLore)) + overhead;

  // Costs are kept as running sums so a long history is fitted in linear time,
  // and counted from the newest message back only until they alone exceed the
  // budget: every unpinned message older than that is dropped whatever else is
  // dropped first, so its exact count never decides anything. A 10,000-message
  // chat then costs what its window does (issue 13 §1), not all of it.
  let system = systemCost();
  let kept = 0;
  for (let i = 0; i < history.length; i++) if (history[i]!.pinned) kept += messageCost(i);
  let counted = history.length;
  let recent = 0;
  while (counted > 0 && recent <= budget) {
    counted--;
    if (!history[counted]!.pinned) recent += messageCost(counted);
  }
  kept += recent;
  /** Older unpinned messages not counted (`counted` > 0): over budget until they are all dropped. */
  let uncounted = counted > 0;
  let summariesUsed = 0;
  let summaryCost = 0;
  const startOf = (n: number) => (n === 0 ? 0 : summaries[n - 1]!.upTo);
  const dropOldest = () => {
    // A pinned message is never dropped: stepping past it keeps its cost.
    if (historyStart >= counted && !history[historyStart]?.pinned) kept -= messageCost(historyStart);
    historyStart++;
    if (historyStart >= counted) uncounted = false;
  };
  const over = () => uncounted || system + kept + summaryCost + tailCost > budget;
  while (over()) {
    if (examplesKept > 0) {
      examplesKept--;
      system = systemCost();
    } else if (historyStart < protectedFrom) {
      dropOldest();
      // A summary that covers any dropped message stands for everything it covers.
      let usable = summariesUsed;
      while (usable < summaries.length && startOf(usable) < historyStart && summaries[usable]!.upTo <= protectedFrom) usable++;
      if (usable !== summariesUsed) {
        summariesUsed = usable;
        summaryCost = cost(summaryText(usable));
        while (historyStart < summaries[usable - 1]!.upTo) dropOldest();
      }
    } else {
      const next = loreByDropOrder.find((l) => !droppedLore.has(l));
      if (!next) break;
      droppedLore.add(next);
      system = systemCost();
    }
  }
  // Only when the protected tail alone overflows do uncounted messages stay: count them now.
  if (uncounted) for (let i = historyStart; i < counted; i++) if (!history[i]!.pinned) kept += messageCost(i);
  const total = system + kept + summaryCost + tailCost;
  const summarizedUpTo = summariesUsed > 0 ? summaries[summariesUsed - 1]!.upTo : 0;
  const pinnedKept: number[] = [];
  const droppedUnsummarized: number[] = [];
  for (let i = 0; i < historyStart; i++) {
    if (history[i]!.pinned) pinnedKept.push(i);
    else if (i >= summarizedUpTo) droppedUnsummarized.push(i);
  }

  const systemText = systemContent(parts, examplesKept, droppedLore);
  const out: { message: PromptMessage; section: PromptSection }[] = [
    { message: { role: 'system', content: systemText }, section: { kind: 'system', tokens: system, parts: systemParts(parts, examplesKept, droppedLore, count) } },
  ];
  const story = summaryText(summariesUsed);
  if (story) out.push({ message: { role: 'system', content: story }, section: { kind: 'summary', tokens: summaryCost } });
  const sent = [...pinnedKept];
  for (let i = historyStart; i < history.length; i++) sent.push(i);
  let conversation = sent.map((i) => ({
    message: { role: history[i]!.role, content: contentAt(i) } as PromptMessage,
    section: { kind: i < historyStart ? 'pinned' : 'history', tokens: messageCost(i), historyIndex: i } as PromptSection,
  }));
  if (note) conversation = insertAtDepth(conversation, { message: { role: 'system', content: note }, section: { kind: 'authors-note', tokens: cost(note) } }, input.authorsNote?.depth ?? 0);
  out.push(...conversation);
  if (parts.finalNote) out.push({ message: { role: 'system', content: parts.finalNote }, section: { kind: 'post-history', tokens: cost(parts.finalNote) } });
  if (prefix) out.push({ message: { role: 'assistant', content: prefix }, section: { kind: 'continue', tokens: cost(prefix) } });

  return {
    messages: out.map((o) => o.message),
    sections: out.map((o) => o.section),
    names,
    history: { firstKept: historyStart, summariesUsed, summarizedUpTo, pinnedKept, droppedUnsummarized },
    stop: input.impersonate ? [`\n${names.char}:`] : [...new Set([`\n${names.user}:`, ...(input.scene?.stops ?? [])])],
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
