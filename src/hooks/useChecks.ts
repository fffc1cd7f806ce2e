import { useLiveQuery } from 'dexie-react-hooks';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Character } from '../domain/character';
import type { Chat, Message } from '../domain/chat';
import { checkerModelId, computeDrift, driftPoint, type DriftPoint, type DriftSummary } from '../domain/consistency';
import { repos } from '../db';
import { verdictKey, type RecheckJob, type StoredVerdict } from '../services/checking';
import { assistantTurns, createChecksFollower, type AssistantTurn, type MessageCheck as ChecksOf } from '../services/chatChecks';
import { useChecker, type LiveSentence } from '../stores/checker';
import { useEngine } from '../stores/engine';
import { useSession } from '../stores/session';
import { useUi } from '../stores/ui';
import { useSetting } from './useSettings';

export type { StoredVerdict, LiveSentence };

/** A reply's check as the chat shows it (services/chatChecks.ts keeps them change by change). */
export type MessageCheck = ChecksOf<LiveSentence>;

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
export function contradictionCounts(checks: ReadonlyMap<string, MessageCheck>): Map<string, number> {
  const counts = new Map<string, number>();
  // Over every reply of the chat: nothing allocated for one without a verdict.
  checks.forEach((c) => {
    if (!c.verdict || c.stale) return;
    for (const s of c.verdict.statements) if (s.status === 'contradicted') counts.set(s.statementId, (counts.get(s.statementId) ?? 0) + 1);
  });
  return counts;
}

/** `contradictionCounts`, once per change of the checks (not on every render of the panel). */
export function useContradictionCounts(checks: ReadonlyMap<string, MessageCheck>): Map<string, number> {
  return useMemo(() => contradictionCounts(checks), [checks]);
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

  // Followed change by change: a save costs the replies from the message it
  // wrote on, not every reply of the chat (services/chatChecks.ts).
  const [follow] = useState(createChecksFollower<LiveSentence>);
  const turnList = useMemo(() => follow.turns(messages), [follow, messages]);
  const turns = turnList.turns;
  const inputs = useMemo(() => ({ verdicts, live, checking, modelId, speakerOf }), [verdicts, live, checking, modelId, speakerOf]);
  const stored = useMemo(() => follow.checks(turnList, inputs), [follow, turnList, inputs]);
  const checks = useMemo(() => {
    if (!streaming?.messageId) return stored;
    // The reply being streamed has no text in `messages` yet: only live flags.
    const c = stored.get(streaming.messageId);
    const flags = live[verdictKey(streaming.messageId, streaming.swipeIndex)];
    return stored.with([[streaming.messageId, { verdict: null, replyText: c?.replyText ?? '', stale: false, checking: false, streaming: true, live: flags ?? (ready ? [] : null) }]]);
  }, [stored, streaming, live, ready]);

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
export function useAnalyseChat(chat: Chat, character: Character, turns: readonly AssistantTurn[], checks: ReadonlyMap<string, MessageCheck>, characterOf?: (message: Message) => Character) {
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
