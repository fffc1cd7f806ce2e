/**
 * Consistency checking of chat replies: live while a reply streams, and
 * re-checks of stored replies (stale verdicts, analysing a whole chat). The
 * model work is in the checker worker; this file only wires it to chats and
 * storage. No React.
 */
import type { Character } from '../domain/character';
import { currentText, type Message } from '../domain/chat';
import { checkStaleness, toVerdict, type Staleness, type Verdict } from '../domain/consistency';
import { checkReply, startLiveCheck, type CheckedReply, type LiveCheckClient, type LiveCheckOutcome, type SentenceCheck } from '../engines/liveCheck';
import { repos, verdictKey } from '../db';

export interface LiveCheckHandle {
  feed: (delta: string) => void;
  end: (finalText: string) => Promise<LiveCheckOutcome | null>;
  cancel: () => void;
}

export interface LiveCheckStart {
  chatId: string;
  messageId: string;
  swipeIndex: number;
  character: Character;
  userTurn: string;
  prefix: string;
}

/**
 * What a check needs of the checker, read by the caller (the checker store)
 * when the check starts: the loaded client (null or not ready: nothing to do)
 * and the flagging threshold.
 */
export interface CheckerDeps {
  client: LiveCheckClient | null;
  threshold: number;
}

/** A live check also reports each checked sentence, keyed by `verdictKey`, and clears them when done. */
export interface LiveCheckDeps extends CheckerDeps {
  onSentence: (key: string, s: SentenceCheck) => void;
  onClear: (key: string) => void;
}

/** A re-check marks its message as being checked while it runs. */
export interface RecheckDeps extends CheckerDeps {
  setChecking: (key: string, on: boolean) => void;
}

/** A verdict as stored with its message swipe. */
export type StoredVerdict = Verdict;

export { verdictKey };

const NOOP: LiveCheckHandle = { feed: () => undefined, end: async () => null, cancel: () => undefined };

async function saveVerdict(chatId: string, messageId: string, swipeIndex: number, verdict: CheckedReply): Promise<void> {
  await repos.verdicts.save(chatId, messageId, swipeIndex, toVerdict(verdict));
}

export const liveChecking = {
  /** Starts checking a reply as it streams; a no-op when the checker is off or not loaded. */
  start(input: LiveCheckStart, deps: LiveCheckDeps): LiveCheckHandle {
    const { client, threshold, onSentence, onClear } = deps;
    if (!client?.isReady) return NOOP;
    const key = verdictKey(input.messageId, input.swipeIndex);
    onClear(key);
    const live = startLiveCheck({
      client,
      statements: input.character.statements,
      userTurn: input.userTurn,
      threshold,
    });
    live.onSentence((s) => onSentence(key, s));
    if (input.prefix) live.feed(input.prefix);
    return {
      feed: (d) => live.feed(d),
      cancel: () => {
        live.cancel();
        onClear(key);
      },
      end: async (finalText) => {
        const outcome = await live.end(finalText);
        if (outcome.status === 'checked') {
          await saveVerdict(input.chatId, input.messageId, input.swipeIndex, outcome).catch(() => undefined);
          // A verdict that pruned the last sentence (the writer's wait) is made
          // exact right after; the stored one is replaced when that lands.
          void live.exact().then((exact) =>
            exact ? saveVerdict(input.chatId, input.messageId, input.swipeIndex, exact).catch(() => undefined) : undefined,
          );
        }
        onClear(key);
        return outcome;
      },
    };
  },
};


/**
 * Whether a stored verdict still describes this swipe with these statements,
 * checked by the models `modelId` names (see `checkerModelId`).
 */
export function verdictStaleness(verdict: StoredVerdict, character: Character, replyText: string, userTurn: string, modelId: string): Staleness {
  return checkStaleness(verdict.fingerprint, {
    modelId,
    statements: character.statements,
    replyText,
    userTurnText: userTurn,
  });
}

/**
 * Checks one stored assistant message's shown swipe and saves the verdict.
 * @returns null when the checker is not loaded.
 */
export async function recheckMessage(
  chatId: string,
  message: Message,
  character: Character,
  userTurn: string,
  deps: RecheckDeps,
  signal?: AbortSignal,
): Promise<CheckedReply | null> {
  const { client, threshold, setChecking } = deps;
  if (!client?.isReady) return null;
  const key = verdictKey(message.id, message.swipeIndex);
  setChecking(key, true);
  try {
    const outcome = await checkReply(client, {
      statements: character.statements,
      userTurn,
      replyText: currentText(message),
      threshold,
      signal,
    });
    if (outcome.status !== 'checked') return null;
    await saveVerdict(chatId, message.id, message.swipeIndex, outcome);
    return outcome;
  } finally {
    setChecking(key, false);
  }
}

/** Every assistant message of a chat with its user turn, in order (for analysing a chat). */
export function assistantTurns(messages: Message[]): { message: Message; userTurn: string }[] {
  const out: { message: Message; userTurn: string }[] = [];
  let lastUser = '';
  for (const m of messages) {
    if (m.role === 'user') lastUser = currentText(m);
    else if (m.role === 'assistant' && currentText(m).trim()) out.push({ message: m, userTurn: lastUser });
  }
  return out;
}
