import { useLiveQuery } from 'dexie-react-hooks';
import { useCallback, useEffect, useMemo } from 'react';
import type { Character } from '../domain/character';
import { currentText, type Chat, type Message } from '../domain/chat';
import { checkerModelId, computeDrift, driftPoint, type DriftPoint, type DriftSummary } from '../domain/consistency';
import { repos } from '../db';
import { assistantTurns, verdictKey, verdictStaleness, type RecheckJob, type StoredVerdict } from '../services/checking';
import { useChecker, type LiveSentence } from '../stores/checker';
import { useEngine } from '../stores/engine';
import { useSession } from '../stores/session';
import { useUi } from '../stores/ui';
import { useSetting } from './useSettings';

export type { StoredVerdict, LiveSentence };

export interface MessageCheck {
  /** Stored verdict for the shown swipe (null: none). */
  verdict: StoredVerdict | null;
  /** The shown swipe's text, which the verdict's sentence spans index into. */
  replyText: string;
  stale: boolean;
  /** Sentences checked live so far, with their role flags once known (streaming; [] before the first is scored, null when not checked live). */
  live: LiveSentence[] | null;
  /** The reply is being written now. */
  streaming: boolean;
  checking: boolean;
}

/**
 * Staleness of a message's verdict, remembered per message object: the
 * message list keeps unchanged messages as the same objects, so a save
 * re-hashes only the message it wrote, not every reply of the chat.
 */
const stalenessMemo = new WeakMap<Message, { verdict: StoredVerdict; character: Character; userTurn: string; modelId: string; stale: boolean }>();
function isStale(message: Message, verdict: StoredVerdict, character: Character, userTurn: string, modelId: string): boolean {
  const hit = stalenessMemo.get(message);
  if (hit && hit.verdict === verdict && hit.character === character && hit.userTurn === userTurn && hit.modelId === modelId) return hit.stale;
  const stale = verdictStaleness(verdict, character, currentText(message), userTurn, modelId).stale;
  stalenessMemo.set(message, { verdict, character, userTurn, modelId, stale });
  return stale;
}

const checkMemo = new WeakMap<Message, MessageCheck>();
/** A message object's verdict key, made once (its id and shown swipe never change within one object). */
const keyMemo = new WeakMap<Message, string>();
function keyOfMessage(message: Message): string {
  let key = keyMemo.get(message);
  if (key === undefined) {
    key = verdictKey(message.id, message.swipeIndex);
    keyMemo.set(message, key);
  }
  return key;
}
const sameCheck = (a: MessageCheck | undefined, b: MessageCheck) =>
  !!a && a.verdict === b.verdict && a.replyText === b.replyText && a.stale === b.stale && a.live === b.live && a.checking === b.checking && a.streaming === b.streaming;

/**
 * How many replies have no verdict yet (what "Analyse chat" would check):
 * counted once per change of the chat or its checks, not on every render.
 */
export function useUncheckedCount(turns: readonly { message: Message }[], checks: ReadonlyMap<string, MessageCheck>): number {
  return useMemo(() => {
    let n = 0;
    for (const { message } of turns) if (!checks.get(message.id)?.verdict) n++;
    return n;
  }, [turns, checks]);
}

/** Contradictions per statement id over fresh verdicts (ids are unique across characters, so one map serves a scene). */
export function contradictionCounts(checks: Map<string, MessageCheck>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of checks.values()) {
    for (const s of c.verdict?.statements ?? []) if (s.status === 'contradicted' && !c.stale) counts.set(s.statementId, (counts.get(s.statementId) ?? 0) + 1);
  }
  return counts;
}

/** Verdicts of a chat keyed `${messageId}:${swipeIndex}`; null while loading. */
export function useVerdicts(chatId: string): Map<string, StoredVerdict> | null {
  return useLiveQuery(() => repos.verdicts.forChat(chatId), [chatId], null);
}

/** The models a verdict made now would record: the loaded checker's, else the configured pair (settings). */
export function useCheckerModelId(): string | null {
  const loaded = useChecker((s) => (s.status.state === 'ready' || s.status.state === 'busy' ? (s.client?.modelId ?? null) : null));
  const nli = useSetting('nliModelId');
  const emb = useSetting('embeddingModelId');
  if (loaded) return loaded;
  return nli && emb ? checkerModelId(nli, emb) : null;
}

/**
 * Consistency state for every message of a chat, plus background re-checks of
 * stale verdicts (an edited statement or message) while the checker is ready.
 */
export function useChatChecks(chat: Chat, messages: Message[], character: Character, characterOf?: (message: Message) => Character) {
  // A group scene checks each reply against its speaker (issue 13 §3); a chat, against its character.
  const speakerOf = useMemo(() => characterOf ?? (() => character), [characterOf, character]);
  const verdicts = useVerdicts(chat.id);
  const live = useChecker((s) => s.live);
  const checking = useChecker((s) => s.checking);
  const ready = useChecker((s) => s.status.state === 'ready' || s.status.state === 'busy');
  const modelId = useCheckerModelId();
  // Only which reply streams matters here, not its text: a primitive selector
  // keeps the checks (and the memoised messages) stable across streamed pieces.
  const streamingKey = useSession((s) => (s.streaming ? `${s.streaming.messageId}|${s.streaming.swipeIndex}` : null));
  const streaming = useMemo(() => {
    if (!streamingKey) return null;
    const [messageId, swipeIndex] = streamingKey.split('|');
    return { messageId: messageId!, swipeIndex: Number(swipeIndex) };
  }, [streamingKey]);

  const turns = useMemo(() => assistantTurns(messages), [messages]);
  const checks = useMemo(() => {
    const map = new Map<string, MessageCheck>();
    // Runs over every reply on each change of the chat: nothing is allocated for
    // a message whose check did not change (a 10,000-message chat, issue 13 §1).
    for (const { message, userTurn } of turns) {
      const key = keyOfMessage(message);
      const verdict = verdicts?.get(key) ?? null;
      const stale = verdict && modelId ? isStale(message, verdict, speakerOf(message), userTurn, modelId) : false;
      const liveFlags = live[key] ?? null;
      const isChecking = !!checking[key];
      // An unchanged message keeps its check object, so its memoised row does not re-render.
      const was = checkMemo.get(message);
      if (was && was.verdict === verdict && was.stale === stale && was.live === liveFlags && was.checking === isChecking && !was.streaming) {
        map.set(message.id, was);
        continue;
      }
      const check: MessageCheck = { verdict, replyText: currentText(message), stale, live: liveFlags, checking: isChecking, streaming: false };
      if (was && sameCheck(was, check)) map.set(message.id, was);
      else {
        checkMemo.set(message, check);
        map.set(message.id, check);
      }
    }
    // The reply being streamed has no text in `messages` yet: only live flags.
    if (streaming?.messageId) {
      const c = map.get(streaming.messageId);
      const flags = live[verdictKey(streaming.messageId, streaming.swipeIndex)];
      map.set(streaming.messageId, { verdict: null, replyText: c?.replyText ?? '', stale: false, checking: false, streaming: true, live: flags ?? (ready ? [] : null) });
    }
    return map;
  }, [turns, verdicts, live, checking, speakerOf, streaming, modelId, ready]);

  // Embed the statements as soon as the checker is ready, so the first reply's
  // relevance costs only the user turn.
  useEffect(() => {
    if (!ready) return;
    const client = useChecker.getState().client;
    void client?.prepare(character.statements.filter((s) => s.enabled)).catch(() => undefined);
  }, [ready, character.statements]);

  // Takes of a reply still being written: their verdicts are about to move with their swipes.
  const takesRunning = useSession((s) => s.takes !== null);

  // Stale verdicts go to the checker's background queue, which skips what it already holds.
  useEffect(() => {
    if (!ready || streaming || takesRunning || verdicts === null) return;
    const jobs: RecheckJob[] = turns
      .filter(({ message }) => checks.get(message.id)?.stale)
      .map(({ message, userTurn }) => ({ chatId: chat.id, message, character: speakerOf(message), userTurn }));
    if (jobs.length > 0) void useChecker.getState().recheck(jobs);
  }, [ready, streaming, takesRunning, turns, checks, verdicts, chat.id, speakerOf]);

  const drift: DriftSummary = useMemo(() => {
    // A loop, not flatMap: a 5,000-reply chat without verdicts allocated 5,000 empty arrays per change.
    const points: DriftPoint[] = [];
    turns.forEach(({ message }, i) => {
      const v = checks.get(message.id)?.verdict;
      if (v) points.push({ ...driftPoint(i, v), ...(message.guard ? { guarded: true } : {}) });
    });
    return computeDrift(points);
  }, [turns, checks]);

  // Each swipe's APC (null: unchecked), for replies with several takes.
  const swipeScores = useMemo(() => {
    const map = new Map<string, (number | null)[]>();
    for (const { message } of turns) {
      if (message.swipes.length < 2) continue;
      map.set(message.id, message.swipes.map((_, i) => verdicts?.get(verdictKey(message.id, i))?.apcPercent ?? null));
    }
    return map;
  }, [turns, verdicts]);

  return { checks, drift, turns, ready, swipeScores };
}

/** Checks every assistant turn that has no verdict yet (an imported or older chat). */
export function useAnalyseChat(chat: Chat, character: Character, turns: { message: Message; userTurn: string }[], checks: Map<string, MessageCheck>, characterOf?: (message: Message) => Character) {
  const notify = useUi((s) => s.notify);
  return useCallback(async () => {
    const todo = turns.filter(({ message }) => !checks.get(message.id)?.verdict || checks.get(message.id)?.stale);
    const done = await useChecker.getState().recheck(todo.map(({ message, userTurn }) => ({ chatId: chat.id, message, character: characterOf?.(message) ?? character, userTurn })));
    notify({ kind: 'success', title: `Checked ${done} repl${done === 1 ? 'y' : 'ies'}` });
  }, [turns, checks, chat.id, character, characterOf, notify]);
}

/** Loads the checker with the studio's model source. */
export function useCheckerActions() {
  const source = useEngine((s) => s.source);
  return {
    load: () => useChecker.getState().load(source),
    cancel: () => useChecker.getState().cancelLoad(),
    unload: () => useChecker.getState().unload(),
  };
}

/** Checks one message now (the "Check consistency" link). */
export async function recheckMessageAction(chat: Chat, message: Message, character: Character, messages: Message[]): Promise<void> {
  const turn = assistantTurns(messages).find((t) => t.message.id === message.id);
  await useChecker.getState().recheck([{ chatId: chat.id, message, character, userTurn: turn?.userTurn ?? '' }]);
}
