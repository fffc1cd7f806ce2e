/**
 * Checks of stored replies: stale verdicts (an edited statement or message)
 * and analysing a whole chat. Live checking while a reply streams is part of
 * the chat turn (chatTurn.ts). The model work is in the checker worker; this
 * file wires it to stored messages and verdicts. No React, no stores.
 */
import type { Character } from '../domain/character';
import { currentText, type Message } from '../domain/chat';
import { characterVoiceLines, toVerdict, verdictStalenessOf, type Staleness, type Verdict } from '../domain/consistency';
import { storyOfRecord } from '../domain/memory/promptRecord';
import { checkReply, type LiveCheckClient } from '../engines/liveCheck';
import { repos, verdictKey, type VerdictRepository } from '../db';
import { personaFor } from './chat';

/** A verdict as stored with its message swipe. */
export type StoredVerdict = Verdict;

export { verdictKey };

/**
 * What a re-check needs of the checker, read when the job runs: the loaded
 * client (null: nothing to do), the flagging threshold, and where to show
 * that a message is being checked.
 */
export interface RecheckDeps {
  client: LiveCheckClient | null;
  threshold: number;
  setChecking: (key: string, on: boolean) => void;
  /** The user's persona name (speaking-for-the-user flags); default: read from the settings. */
  userName?: string;
}

/**
 * Whether a stored verdict still describes this swipe with these statements,
 * checked by the models `modelId` names (see `checkerModelId`); a verdict
 * stored before the role detectors existed is stale too.
 */
export function verdictStaleness(verdict: StoredVerdict, character: Character, replyText: string, userTurn: string, modelId: string): Staleness {
  return verdictStalenessOf(verdict, {
    modelId,
    statements: character.statements,
    replyText,
    userTurnText: userTurn,
  });
}

/**
 * Checks one stored assistant message's shown swipe and saves the verdict.
 * @returns null when the checker is not loaded or the check was skipped.
 */
export async function recheckMessage(
  chatId: string,
  message: Message,
  character: Character,
  userTurn: string,
  deps: RecheckDeps,
  signal?: AbortSignal,
  verdicts: Pick<VerdictRepository, 'save'> = repos.verdicts,
): Promise<StoredVerdict | null> {
  const { client, threshold, setChecking } = deps;
  if (!client?.isReady) return null;
  const key = verdictKey(message.id, message.swipeIndex);
  setChecking(key, true);
  try {
    // A settings read that fails only costs the name-prefixed forms ("Alex: …").
    // The chat's persona is who the user is there (speaking-for-the-user flags look for that name).
    const userName = deps.userName ?? (await repos.chats.get(chatId).then((chat) => personaFor(chat)).then((p) => p.name).catch(() => ''));
    const outcome = await checkReply(client, {
      statements: character.statements,
      userTurn,
      // The story so far as this swipe's prompt sent it: relevance context, as in the live check.
      story: storyOfRecord(message.swipes[message.swipeIndex]?.prompt),
      replyText: currentText(message),
      threshold,
      signal,
      roles: { userName, voiceLines: characterVoiceLines(character.card, userName) },
    });
    if (outcome.status !== 'checked') return null;
    const verdict = toVerdict(outcome);
    await verdicts.save(chatId, message.id, message.swipeIndex, verdict);
    return verdict;
  } finally {
    setChecking(key, false);
  }
}

export interface RecheckJob {
  chatId: string;
  message: Message;
  character: Character;
  userTurn: string;
}

/**
 * Re-checks stored replies one at a time. A swipe already queued or running is
 * not queued again, so callers may enqueue everything stale on every render.
 * `deps` is read when each job starts (the checker may load or unload meanwhile).
 */
export function createRecheckQueue(deps: () => Promise<RecheckDeps>, verdicts?: Pick<VerdictRepository, 'save'>) {
  const pending = new Map<string, { job: RecheckJob; done: (checked: boolean) => void }>();
  let running = false;

  async function drain() {
    if (running) return;
    running = true;
    try {
      for (let next = pending.entries().next(); !next.done; next = pending.entries().next()) {
        const [key, { job }] = next.value;
        let checked = false;
        try {
          checked = (await recheckMessage(job.chatId, job.message, job.character, job.userTurn, await deps(), undefined, verdicts)) !== null;
        } catch {
          // A failed check leaves the reply unchecked; the UI offers to check it again.
        }
        // Read `done` now: callers that queued the same swipe meanwhile chained onto it.
        const entry = pending.get(key);
        pending.delete(key);
        entry?.done(checked);
      }
    } finally {
      running = false;
    }
  }

  return {
    /** Queues jobs; resolves with how many of them produced a verdict. */
    enqueue(jobs: RecheckJob[]): Promise<number> {
      const results = jobs.map(
        (job) =>
          new Promise<boolean>((resolve) => {
            const key = verdictKey(job.message.id, job.message.swipeIndex);
            const existing = pending.get(key);
            if (existing) {
              const previous = existing.done;
              existing.done = (checked) => {
                previous(checked);
                resolve(checked);
              };
            } else {
              pending.set(key, { job, done: resolve });
            }
          }),
      );
      void drain();
      return Promise.all(results).then((r) => r.filter(Boolean).length);
    },
  };
}
