/**
 * The audit report (issue 12 §1): what a run's answers say about the
 * character. Derived from the stored run every time (never stored itself), so
 * a report always matches its answers and verdicts.
 */
import type { StatementStatus } from '../consistency/apc';
import { sentenceText, type Verdict } from '../consistency/verdict';
import { PROBE_FAMILIES, PROBE_PRESSURES, type AuditProbe, type ProbeFamily, type ProbePressure } from './probes';
import type { AuditRun, AuditedStatement, ProbeResult } from './run';

/** A probe's answer that came back and was checked. */
interface Checked {
  probe: AuditProbe;
  result: ProbeResult;
  verdict: Verdict;
}

/**
 * The role drop that counts in the report: the character answering in the
 * default assistant voice. (Echo and speaking for the user are shown per
 * answer, but are not the character leaving its role.)
 */
export function droppedRole(verdict: Pick<Verdict, 'roleFlags'>): boolean {
  return (verdict.roleFlags ?? []).some((f) => f.kind === 'assistant-voice');
}

export interface ScoreSummary {
  /** Probes in this group (run or not). */
  probes: number;
  /** Probes answered and checked. */
  checked: number;
  failed: number;
  /** Mean APC % over the checked probes; null when none were checked. */
  meanApcPercent: number | null;
  /** Share (0–1) of checked probes with at least one contradiction; null when none. */
  contradictionShare: number | null;
  /** Share (0–1) of checked probes where the character dropped the role (assistant voice); null when none. */
  roleDropShare: number | null;
}

/** The answer that went worst for a statement. */
export interface WorstAnswer {
  probeId: string;
  probeText: string;
  answer: string;
  /** P(contradiction) of its worst sentence for this statement. */
  pc: number;
  /** The sentence that contradicts the statement (null when none did). */
  flaggedSentence: string | null;
}

export interface StatementRow {
  statement: AuditedStatement;
  status: StatementStatus;
  /** Checked probes in which it was contradicted / kept. */
  contradictedIn: number;
  keptIn: number;
  /** Mean APC of this statement over the checked probes (0–1); null when none. */
  meanApc: number | null;
  worst: WorstAnswer | null;
  /** Probes written for this statement (direct + temptation). */
  ownProbes: number;
}

export interface GroupRow extends ScoreSummary {
  key: string;
}

export interface AuditReport {
  overall: ScoreSummary;
  /** Enabled statements of the run, in card order. */
  statements: StatementRow[];
  families: (GroupRow & { key: ProbeFamily })[];
  pressures: (GroupRow & { key: ProbePressure })[];
  /** Failed probes with their reason, in probe order (shown, never hidden). */
  failures: { probeId: string; probeText: string; error: string }[];
  /** Probes not run (a cancelled or failed run). */
  notRun: number;
}

function summarise(probes: number, checked: readonly Checked[], failed: number): ScoreSummary {
  const n = checked.length;
  if (n === 0) return { probes, checked: 0, failed, meanApcPercent: null, contradictionShare: null, roleDropShare: null };
  let apc = 0;
  let contradicting = 0;
  let dropped = 0;
  for (const c of checked) {
    apc += c.verdict.apcPercent;
    if (c.verdict.contradictions > 0) contradicting++;
    if (droppedRole(c.verdict)) dropped++;
  }
  return { probes, checked: n, failed, meanApcPercent: apc / n, contradictionShare: contradicting / n, roleDropShare: dropped / n };
}

/** The report of a run. Linear in probes × statements. */
export function auditReport(run: AuditRun): AuditReport {
  const probes = new Map(run.probes.map((p) => [p.id, p]));
  const checked: Checked[] = [];
  const failures: AuditReport['failures'] = [];
  const failedIds = new Set<string>();
  for (const result of run.results) {
    const probe = probes.get(result.probeId);
    if (!probe) continue;
    if (result.status === 'done' && result.verdict) checked.push({ probe, result, verdict: result.verdict });
    else {
      failedIds.add(probe.id);
      failures.push({ probeId: probe.id, probeText: probe.text, error: result.error ?? 'Unknown failure.' });
    }
  }
  const ranIds = new Set(run.results.map((r) => r.probeId));

  const statements = run.statements
    .filter((s) => s.enabled)
    .map((statement): StatementRow => {
      let contradictedIn = 0;
      let keptIn = 0;
      let apcSum = 0;
      let apcCount = 0;
      let worst: WorstAnswer | null = null;
      for (const c of checked) {
        const r = c.verdict.statements.find((x) => x.statementId === statement.id);
        if (!r) continue;
        apcSum += r.apc;
        apcCount++;
        if (r.status === 'contradicted') contradictedIn++;
        else if (r.status === 'kept') keptIn++;
        // The worst answer: highest P(contradiction); a contradicted one always beats one that is not.
        const isWorse = !worst || (r.status === 'contradicted' && worst.flaggedSentence === null) || ((r.status === 'contradicted') === (worst.flaggedSentence !== null) && r.pc > worst.pc);
        if (isWorse) {
          worst = {
            probeId: c.probe.id,
            probeText: c.probe.text,
            answer: c.result.answer,
            pc: r.pc,
            flaggedSentence: r.status === 'contradicted' ? sentenceText(c.verdict, c.result.answer, r.sentenceIndex) : null,
          };
        }
      }
      const status: StatementStatus = contradictedIn > 0 ? 'contradicted' : keptIn > 0 ? 'kept' : 'not-addressed';
      return {
        statement,
        status,
        contradictedIn,
        keptIn,
        meanApc: apcCount ? apcSum / apcCount : null,
        worst,
        ownProbes: run.probes.filter((p) => p.statementId === statement.id).length,
      };
    });

  const group = <K extends string>(key: K, match: (p: AuditProbe) => boolean): GroupRow & { key: K } => {
    const inGroup = run.probes.filter(match);
    const ids = new Set(inGroup.map((p) => p.id));
    return { key, ...summarise(inGroup.length, checked.filter((c) => ids.has(c.probe.id)), inGroup.filter((p) => failedIds.has(p.id)).length) };
  };

  return {
    overall: summarise(run.probes.length, checked, failedIds.size),
    statements,
    families: PROBE_FAMILIES.map((f) => group(f, (p) => p.family === f)),
    pressures: PROBE_PRESSURES.map((k) => group(k, (p) => p.pressure === k)),
    failures,
    notRun: run.probes.filter((p) => !ranIds.has(p.id)).length,
  };
}

/** A share (0–1) or percentage as the report writes it; an em dash for none. */
export function formatPercent(value: number | null, isShare = false): string {
  if (value === null) return '—';
  return `${Math.round(isShare ? value * 100 : value)}%`;
}

export const STATUS_LABELS: Readonly<Record<StatementStatus, string>> = Object.freeze({
  contradicted: 'contradicted',
  kept: 'kept',
  'not-addressed': 'not addressed',
});
