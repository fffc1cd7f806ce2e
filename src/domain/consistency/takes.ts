/**
 * Keeping the character at inference time (issue 11): which of several takes
 * of a reply to show, and when the guard regenerates. Pure: the chat turn
 * (services/chatTurn) feeds it verdicts and acts on its answers.
 */
import { roleFailures } from './roleFlags';
import type { GuardReport } from '../chat';
import type { RoleFlag, RoleFlagKind, Verdict } from './verdict';

/**
 * The role flags that make a take fail: the detectors' own rule
 * (`roleFailures`: assistant voice and speaking for the user; echoing the user
 * is only shown). Everything here asks this function, never the kinds.
 */
export function failingRoleFlags(verdict: Pick<Verdict, 'roleFlags'>): RoleFlag[] {
  return roleFailures(verdict);
}

/** A take fails when a sentence is flagged as contradicting a statement or the role slips. */
export function takeFails(verdict: Pick<Verdict, 'flaggedSentences' | 'roleFlags'>): boolean {
  return verdict.flaggedSentences.length > 0 || failingRoleFlags(verdict).length > 0;
}

/** Flags that count against a take: flagged sentences plus failing role flags. */
export function failureCount(verdict: Pick<Verdict, 'flaggedSentences' | 'roleFlags'>): number {
  return verdict.flaggedSentences.length + failingRoleFlags(verdict).length;
}

/** One take of a reply, as the ranking sees it. */
export interface Take {
  /** Its swipe index (also the order it was generated in). */
  index: number;
  /** Its final verdict; null when it was not checked (no checker, empty, failed). */
  verdict: Verdict | null;
  /** Ended on its own (stop token or length), not stopped or broken off by an error. */
  complete: boolean;
}

/**
 * Orders takes best first: complete before broken off, checked before
 * unchecked, then the highest APC, ties to fewer flags, then the earlier take.
 * With `preferClean` (the guard) a clean take goes before any failing one
 * whatever their APC: the guard exists to not show a failing reply.
 * Returns a new array; linear-logarithmic in the number of takes.
 */
export function rankTakes(takes: readonly Take[], options: { preferClean?: boolean } = {}): Take[] {
  const key = (t: Take) => [
    t.complete ? 0 : 1,
    t.verdict ? 0 : 1,
    options.preferClean && t.verdict && takeFails(t.verdict) ? 1 : 0,
    -(t.verdict?.apcPercent ?? 0),
    t.verdict ? failureCount(t.verdict) : 0,
    t.index,
  ];
  return [...takes].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return 0;
  });
}

/** The statement texts a failing verdict contradicts, to restate in the next try (as "Regenerate in character" does). */
export function restatementsFor(verdict: Pick<Verdict, 'statements' | 'flaggedSentences'>, statements: readonly { id: string; text: string }[]): string[] {
  const ids = new Set(verdict.statements.filter((s) => s.status === 'contradicted').map((s) => s.statementId));
  for (const f of verdict.flaggedSentences) for (const id of f.statementIds) ids.add(id);
  return statements.filter((s) => ids.has(s.id) && s.text.trim() !== '').map((s) => s.text);
}

export type GuardDecision =
  /** The reply could not be judged (no checker, nothing written): the guard stays out of it. */
  | { action: 'skip' }
  | { action: 'accept'; outcome: 'clean' | 'failing' }
  /** Regenerate in character, restating these statements. */
  | { action: 'retry'; restate: string[] };

/**
 * What the guard does after a take: accept a clean one, retry a failing one
 * while tries remain, accept the failure when they do not.
 */
export function guardDecision(input: { verdict: Verdict | null; triesMade: number; maxTries: number; statements: readonly { id: string; text: string }[] }): GuardDecision {
  const { verdict, triesMade, maxTries } = input;
  if (!verdict) return { action: 'skip' };
  if (!takeFails(verdict)) return { action: 'accept', outcome: 'clean' };
  if (triesMade >= maxTries) return { action: 'accept', outcome: 'failing' };
  return { action: 'retry', restate: restatementsFor(verdict, input.statements) };
}

const ROLE_WORDS: Record<RoleFlagKind, { removed: string; still: string }> = {
  'assistant-voice': { removed: 'assistant voice', still: 'speaks as the assistant' },
  'speaks-for-user': { removed: 'speaking for the user', still: 'speaks for the user' },
  echo: { removed: 'echo', still: 'echoes the user' },
};

const roleWords = (kinds: readonly string[], form: 'removed' | 'still') =>
  kinds.flatMap((k) => (k in ROLE_WORDS ? [ROLE_WORDS[k as RoleFlagKind][form]] : []));

const quoted = (texts: readonly string[]) => texts.map((t) => `“${t.replace(/[.!?]+$/, '')}”`).join(' and ');
const tries = (n: number) => `${n} ${n === 1 ? 'try' : 'tries'}`;

/** The line a guarded message shows, e.g. Guard: 2 tries, contradiction on “Maren is afraid of deep water” removed. */
export function describeGuard(report: GuardReport): string {
  const { statements, roleKinds } = report;
  if (report.outcome === 'clean') {
    const what = [...(statements.length ? [`contradiction on ${quoted(statements)}`] : []), ...roleWords(roleKinds, 'removed')].join(', ') || 'failure';
    return `Guard: ${tries(report.tries)}, ${what} removed`;
  }
  if (report.outcome === 'failing') {
    const what = [...(statements.length ? [`contradicts ${quoted(statements)}`] : []), ...roleWords(roleKinds, 'still')].join(', ') || 'fails';
    return `Guard: still ${what} after ${tries(report.tries)}`;
  }
  return `Guard: stopped after ${tries(report.tries)}`;
}
