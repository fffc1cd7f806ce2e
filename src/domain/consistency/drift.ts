/**
 * Persona drift over a chat: characters tend to lose their persona as a chat
 * grows. One point per checked character turn; the alert compares the recent
 * average with the character's own early level rather than a fixed bar, because
 * normalised APC depends on how many statements a card has and what they say.
 */
import type { ReplyVerdict } from './apc';
import { ConsistencyInputError } from './errors';
import { checkInteger } from './validate';

export interface DriftPoint {
  /** Position of the character turn in the chat (0-based, gaps allowed for unchecked turns). */
  turnIndex: number;
  apcPercent: number;
  contradictions: number;
  /** Role flags of the reply (assistant voice, echo, speaking for the user); absent or 0 when none or not checked. */
  roleFlags?: number;
  /** The guard regenerated this reply (issue 11): the timeline marks it. */
  guarded?: boolean;
}

/** Turns whose average is the baseline ('first-turns' mode). */
export const DRIFT_BASELINE_TURNS = 5;
/** Turns in the recent window. */
export const DRIFT_WINDOW_TURNS = 5;
/**
 * Drop, in percentage points of normalised APC, that raises the alert. A single
 * contradicted statement moves one reply by 100/|S| points (10 points with ten
 * statements) and replies vary by about as much turn to turn, so a 15-point fall
 * of a five-turn average means a lasting change, not one bad reply.
 */
export const DRIFT_ALERT_DROP_POINTS = 15;
/** No alert before this many checked turns: early averages are noise. */
export const DRIFT_MIN_TURNS = 10;

/**
 * - `first-turns`: mean of the first `baselineTurns` points — "as the character
 *   started out". Needs at least baselineTurns + windowTurns points so the two
 *   averages never share a turn.
 * - `median`: median of all points — robust to a bad opening, but the recent
 *   window is part of it, so it reacts more slowly.
 */
export type DriftBaselineMode = 'first-turns' | 'median';

export interface DriftOptions {
  baselineMode: DriftBaselineMode;
  baselineTurns: number;
  windowTurns: number;
  alertDropPoints: number;
  minTurns: number;
}

export const DEFAULT_DRIFT_OPTIONS: Readonly<DriftOptions> = Object.freeze({
  baselineMode: 'first-turns',
  baselineTurns: DRIFT_BASELINE_TURNS,
  windowTurns: DRIFT_WINDOW_TURNS,
  alertDropPoints: DRIFT_ALERT_DROP_POINTS,
  minTurns: DRIFT_MIN_TURNS,
});

export interface DriftSummary {
  /** The points sorted by turnIndex. */
  points: DriftPoint[];
  /** Trailing mean over up to windowTurns points ending at each point (for the chart). */
  rollingPercent: number[];
  /** null until there are enough points for a baseline. */
  baselinePercent: number | null;
  /** Mean of the last windowTurns points; null until there are that many. */
  recentAveragePercent: number | null;
  /** baseline − recent (positive = worse); null when either is null. */
  dropPoints: number | null;
  /** Contradicted statements summed over the recent window. */
  recentContradictions: number;
  /** Role flags summed over the whole chat. */
  roleFlags: number;
  /** dropPoints > alertDropPoints, once there are enough turns (see DriftBaselineMode and minTurns). */
  alert: boolean;
}

/** The drift point of one checked character turn. */
export function driftPoint(turnIndex: number, verdict: Pick<ReplyVerdict, 'apcPercent' | 'contradictions'> & { roleFlags?: readonly unknown[] }): DriftPoint {
  return { turnIndex, apcPercent: verdict.apcPercent, contradictions: verdict.contradictions, roleFlags: verdict.roleFlags?.length ?? 0 };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Summarises a chat's drift and decides the alert.
 * @throws {ConsistencyInputError} on duplicate turn indices, a non-finite or out-of-range
 * apcPercent, or bad options (non-integer or < 1 turn counts, negative drop).
 */
export function computeDrift(points: readonly DriftPoint[], opts?: Partial<DriftOptions>): DriftSummary {
  const o: DriftOptions = { ...DEFAULT_DRIFT_OPTIONS, ...opts };
  checkInteger('baselineTurns', o.baselineTurns, 1);
  checkInteger('windowTurns', o.windowTurns, 1);
  checkInteger('minTurns', o.minTurns, 0);
  if (!(o.alertDropPoints >= 0)) throw new ConsistencyInputError(`alertDropPoints must be ≥ 0, got ${o.alertDropPoints}`);

  const sorted = [...points].sort((a, b) => a.turnIndex - b.turnIndex);
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    if (!(p.apcPercent >= 0 && p.apcPercent <= 100)) {
      throw new ConsistencyInputError(`apcPercent must be in [0, 100], got ${p.apcPercent}`);
    }
    if (i > 0 && sorted[i - 1]!.turnIndex === p.turnIndex) {
      throw new ConsistencyInputError(`two drift points for turn ${p.turnIndex}`);
    }
  }
  const values = sorted.map((p) => p.apcPercent);
  const rollingPercent = values.map((_, i) => mean(values.slice(Math.max(0, i - o.windowTurns + 1), i + 1)));

  let baselinePercent: number | null = null;
  let enoughForAlert: boolean;
  if (o.baselineMode === 'first-turns') {
    if (values.length >= o.baselineTurns) baselinePercent = mean(values.slice(0, o.baselineTurns));
    enoughForAlert = values.length >= Math.max(o.minTurns, o.baselineTurns + o.windowTurns);
  } else {
    if (values.length > 0) baselinePercent = median(values);
    enoughForAlert = values.length >= Math.max(o.minTurns, o.windowTurns);
  }
  const recent = values.length >= o.windowTurns ? values.slice(-o.windowTurns) : null;
  const recentAveragePercent = recent ? mean(recent) : null;
  const dropPoints =
    baselinePercent !== null && recentAveragePercent !== null ? baselinePercent - recentAveragePercent : null;
  const recentContradictions = sorted.slice(-o.windowTurns).reduce((a, p) => a + p.contradictions, 0);

  return {
    points: sorted,
    rollingPercent,
    baselinePercent,
    recentAveragePercent,
    dropPoints,
    recentContradictions,
    roleFlags: sorted.reduce((a, p) => a + (p.roleFlags ?? 0), 0),
    alert: enoughForAlert && dropPoints !== null && dropPoints > o.alertDropPoints,
  };
}
