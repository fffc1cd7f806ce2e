/**
 * Two audit runs side by side (issue 12 §1, "the writer's regression test"):
 * after editing the card or with another model, what got better or worse,
 * per statement.
 */
import type { StatementStatus } from '../consistency/apc';
import { auditReport, type AuditReport } from './report';
import type { AuditRun } from './run';

export interface StatementDelta {
  statementId: string;
  /** The text in the newer run when it has the statement, else in the older. */
  text: string;
  /** Null when the statement was not in that run (added, removed or disabled). */
  before: StatementStatus | null;
  after: StatementStatus | null;
  /** Mean APC difference (after − before) in percentage points; null when either side has none. */
  apcDelta: number | null;
  /** Contradicted-in count difference (after − before). */
  contradictedDelta: number;
  /** The statement's text changed between the runs (its version differs). */
  edited: boolean;
  /** better / worse / same, from the status first (contradicted < not addressed < kept), then APC. */
  trend: 'better' | 'worse' | 'same' | 'only-before' | 'only-after';
}

export interface RunComparison {
  /** The older run first. */
  before: { run: AuditRun; report: AuditReport };
  after: { run: AuditRun; report: AuditReport };
  overall: {
    meanApcDelta: number | null;
    contradictionShareDelta: number | null;
    roleDropShareDelta: number | null;
  };
  statements: StatementDelta[];
  sameModel: boolean;
}

const RANK: Record<StatementStatus, number> = { contradicted: 0, 'not-addressed': 1, kept: 2 };
/** APC differences below this many points are noise from sampling, not a trend. */
const APC_TREND_POINTS = 5;

const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);

/** Compares two runs of a character (in either order: the older is "before"). Linear in statements × probes. */
export function compareRuns(a: AuditRun, b: AuditRun): RunComparison {
  const [older, newer] = a.createdAt <= b.createdAt ? [a, b] : [b, a];
  const before = auditReport(older);
  const after = auditReport(newer);
  const beforeRows = new Map(before.statements.map((r) => [r.statement.id, r]));
  const afterRows = new Map(after.statements.map((r) => [r.statement.id, r]));
  const ids = [...after.statements.map((r) => r.statement.id), ...before.statements.map((r) => r.statement.id).filter((id) => !afterRows.has(id))];
  const statements = ids.map((id): StatementDelta => {
    const x = beforeRows.get(id);
    const y = afterRows.get(id);
    const apcDelta = diff(x?.meanApc ?? null, y?.meanApc ?? null);
    const points = apcDelta === null ? null : apcDelta * 100;
    let trend: StatementDelta['trend'];
    if (!x) trend = 'only-after';
    else if (!y) trend = 'only-before';
    else if (RANK[y.status] !== RANK[x.status]) trend = RANK[y.status] > RANK[x.status] ? 'better' : 'worse';
    else if (points !== null && Math.abs(points) >= APC_TREND_POINTS) trend = points > 0 ? 'better' : 'worse';
    else trend = 'same';
    return {
      statementId: id,
      text: (y ?? x)!.statement.text,
      before: x?.status ?? null,
      after: y?.status ?? null,
      apcDelta: points,
      contradictedDelta: (y?.contradictedIn ?? 0) - (x?.contradictedIn ?? 0),
      edited: !!x && !!y && x.statement.version !== y.statement.version,
      trend,
    };
  });
  return {
    before: { run: older, report: before },
    after: { run: newer, report: after },
    overall: {
      meanApcDelta: diff(before.overall.meanApcPercent, after.overall.meanApcPercent),
      contradictionShareDelta: diff(before.overall.contradictionShare, after.overall.contradictionShare),
      roleDropShareDelta: diff(before.overall.roleDropShare, after.overall.roleDropShare),
    },
    statements,
    sameModel: older.modelId === newer.modelId,
  };
}

/** A signed delta as text: "+12", "−3", "±0"; an em dash for none. */
export function formatDelta(value: number | null, unit = ''): string {
  if (value === null) return '—';
  const r = Math.round(value);
  if (r === 0) return `±0${unit}`;
  return `${r > 0 ? '+' : '−'}${Math.abs(r)}${unit}`;
}
