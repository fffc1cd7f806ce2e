/**
 * Audit reports out of the studio: Markdown to read or paste, JSON to keep
 * or diff (the stored run with its derived report). Text from the card and
 * the model is untrusted: in Markdown it is escaped so it cannot break the
 * tables or inject markup into wherever the file is rendered.
 */
import { PROBE_FAMILY_LABELS, PROBE_PRESSURE_LABELS } from './probes';
import { auditReport, formatPercent, STATUS_LABELS, type AuditReport, type ScoreSummary } from './report';
import { compareRuns, formatDelta } from './compare';
import { AUDIT_RUN_VERSION, type AuditRun } from './run';

export const AUDIT_EXPORT_FORMAT = 'in-character-audit';

/** Longest answer quoted in the Markdown report (the JSON keeps it whole). */
const MAX_QUOTED_CHARS = 600;

/** One line of table-safe Markdown text: pipes, backslashes, markup characters and newlines neutralised. Linear. */
export function mdText(text: string, max = MAX_QUOTED_CHARS): string {
  const one = text.replace(/\s+/g, ' ').trim();
  const cut = one.length > max ? `${one.slice(0, max)}…` : one;
  return cut.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`);
}

const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

function summaryLines(s: ScoreSummary): string[] {
  return [
    `- **Score (mean APC):** ${formatPercent(s.meanApcPercent)}`,
    `- **Probes with a contradiction:** ${formatPercent(s.contradictionShare, true)}`,
    `- **Probes where the character dropped the role:** ${formatPercent(s.roleDropShare, true)}`,
    `- **Probes:** ${s.checked} checked, ${s.failed} failed, of ${s.probes}`,
  ];
}

/** The report of a run as a Markdown document. */
export function auditMarkdown(run: AuditRun, report: AuditReport = auditReport(run)): string {
  const out: string[] = [
    `# Audit of ${mdText(run.characterName, 200)}`,
    '',
    `- **Run:** ${stamp(run.createdAt)} — ${run.status}${run.stopReason ? ` (${mdText(run.stopReason, 300)})` : ''}`,
    `- **Model:** ${mdText(run.modelId, 200)}; **checker:** ${mdText(run.checkerModelId, 200)}`,
    ...summaryLines(report.overall),
    '',
    '## Statements',
    '',
    '| Statement | Result | Contradicted in | Kept in | Worst answer | Flagged sentence |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of report.statements) {
    out.push(
      `| ${mdText(row.statement.text, 300)} | ${STATUS_LABELS[row.status]} | ${row.contradictedIn} | ${row.keptIn} | ${row.worst ? mdText(row.worst.answer) : '—'} | ${row.worst?.flaggedSentence ? mdText(row.worst.flaggedSentence) : '—'} |`,
    );
  }
  out.push('', '## Task families', '', '| Family | Probes | Score | With contradiction | Role dropped |', '| --- | --- | --- | --- | --- |');
  for (const f of report.families) {
    out.push(`| ${PROBE_FAMILY_LABELS[f.key]} | ${f.probes} | ${formatPercent(f.meanApcPercent)} | ${formatPercent(f.contradictionShare, true)} | ${formatPercent(f.roleDropShare, true)} |`);
  }
  out.push('', '## Pressures', '', '| Pressure | Probes | Score | With contradiction | Role dropped |', '| --- | --- | --- | --- | --- |');
  for (const p of report.pressures) {
    out.push(`| ${PROBE_PRESSURE_LABELS[p.key]} | ${p.probes} | ${formatPercent(p.meanApcPercent)} | ${formatPercent(p.contradictionShare, true)} | ${formatPercent(p.roleDropShare, true)} |`);
  }
  if (report.failures.length || report.notRun) {
    out.push('', '## Not answered', '');
    for (const f of report.failures) out.push(`- Failed: “${mdText(f.probeText, 300)}” — ${mdText(f.error, 300)}`);
    if (report.notRun) out.push(`- ${report.notRun} probe${report.notRun === 1 ? '' : 's'} not run.`);
  }
  return `${out.join('\n')}\n`;
}

/** Two runs compared, as Markdown (the older first). */
export function comparisonMarkdown(a: AuditRun, b: AuditRun): string {
  const c = compareRuns(a, b);
  const out = [
    `# Audit comparison: ${mdText(c.after.run.characterName, 200)}`,
    '',
    `- **Before:** ${stamp(c.before.run.createdAt)}, ${mdText(c.before.run.modelId, 200)} — ${formatPercent(c.before.report.overall.meanApcPercent)}`,
    `- **After:** ${stamp(c.after.run.createdAt)}, ${mdText(c.after.run.modelId, 200)} — ${formatPercent(c.after.report.overall.meanApcPercent)}`,
    `- **Score change:** ${formatDelta(c.overall.meanApcDelta, ' points')}`,
    '',
    '| Statement | Before | After | APC change | Trend |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const s of c.statements) {
    out.push(`| ${mdText(s.text, 300)}${s.edited ? ' (edited)' : ''} | ${s.before ? STATUS_LABELS[s.before] : '—'} | ${s.after ? STATUS_LABELS[s.after] : '—'} | ${formatDelta(s.apcDelta)} | ${s.trend} |`);
  }
  return `${out.join('\n')}\n`;
}

/** The JSON export: the stored run (answers and verdicts) and its report. */
export function auditJson(run: AuditRun): string {
  return JSON.stringify({ format: AUDIT_EXPORT_FORMAT, version: AUDIT_RUN_VERSION, run, report: auditReport(run) }, null, 2);
}

/** A file name for an exported report: the character's name made safe, and the run's date. */
export function auditFileName(run: AuditRun, ext: 'md' | 'json'): string {
  const base = run.characterName.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'character';
  return `${base}-audit-${new Date(run.createdAt).toISOString().slice(0, 10)}.${ext}`;
}
