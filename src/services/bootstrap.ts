/** First-run and start-up work (no React). */
import { newStatement } from '../domain/character';
import { SAMPLE_CHARACTERS } from '../domain/samples';
import { repos, requestPersistence } from '../db';
import { chatTurns } from './chatTurn';
import { recoverStashed, type StashedReply } from './unsavedReplies';

/** Seeds the sample characters once, ever (see LibraryRepository.seedSamplesOnce). */
export function seedSamplesOnce(): Promise<boolean> {
  return repos.library.seedSamplesOnce(() =>
    SAMPLE_CHARACTERS.map((s) => ({ card: structuredClone(s.card), statements: s.statements.map((t) => newStatement(t, 'sample')) })),
  );
}

export interface BootstrapResult {
  seeded: boolean;
  /** Replies that were streaming when the page died. */
  interrupted: number;
  /** Replies kept in localStorage after a failed save, now written. */
  recovered: number;
  /** Replies kept in localStorage that still cannot be written (shown as not saved). */
  unsaved: StashedReply[];
  /** Why they could not be written. */
  unsavedError: unknown;
  persisted: boolean;
}

let started: Promise<BootstrapResult> | null = null;

/** Runs at start-up: samples, unsaved replies, interrupted streams, storage persistence. */
export function bootstrap(): Promise<BootstrapResult> {
  started ??= runBootstrap();
  return started;
}

async function runBootstrap(): Promise<BootstrapResult> {
  const seeded = await seedSamplesOnce();
  // Before marking streams interrupted: a stashed reply is complete, not cut off.
  const { recovered, pending, error } = await recoverStashed((r) => chatTurns.retrySave(r.target, r.patch, r.verdict));
  // A full disk must not keep the library from opening: the marks are cosmetic.
  const interrupted = await repos.chats.markInterrupted().catch(() => 0);
  const persisted = await requestPersistence();
  return { seeded, interrupted, recovered, unsaved: pending, unsavedError: error, persisted };
}
