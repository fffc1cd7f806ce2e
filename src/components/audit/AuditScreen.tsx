import { useMemo, useState } from 'react';
import type { Character } from '../../domain/character';
import {
  DEFAULT_ANSWER_TOKENS,
  DEFAULT_MAX_PROBES,
  MAX_ANSWER_TOKENS,
  MIN_ANSWER_TOKENS,
  clampAnswerTokens,
  MAX_MAX_PROBES,
  MIN_MAX_PROBES,
  PROBE_FAMILIES,
  PROBE_FAMILY_LABELS,
  PROBE_PRESSURE_LABELS,
  auditBlocker,
  auditReport,
  clampMaxProbes,
  compareRuns,
  editProbe,
  formatDelta,
  formatPercent,
  generateProbes,
  manualProbe,
  STATUS_LABELS,
  type AuditProbe,
  type AuditRun,
  type ProbeFamily,
  type ScoreSummary,
} from '../../domain/audit';
import { useAuditActions, useAuditRuns } from '../../hooks/useAudits';
import { useAudit } from '../../stores/audit';
import { useRoute } from '../../stores/route';
import { Button, IconButton } from '../ui/Button';
import { EmptyState, Spinner } from '../ui/EmptyState';
import { Icon } from '../ui/Icon';
import { TextField } from '../ui/Field';

const CARD = 'rounded-2xl border border-stone-200 bg-white p-4 sm:p-6 dark:border-stone-800 dark:bg-stone-900/60';
const MUTED = 'text-stone-600 dark:text-stone-400';
const STATUS_CLASS: Record<string, string> = {
  contradicted: 'bg-red-100 text-red-800 dark:bg-red-950/60 dark:text-red-200',
  kept: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950/60 dark:text-emerald-200',
  'not-addressed': 'bg-stone-100 text-stone-700 dark:bg-stone-800 dark:text-stone-300',
};
const TREND_CLASS: Record<string, string> = {
  better: 'text-emerald-700 dark:text-emerald-300',
  worse: 'text-red-700 dark:text-red-300',
  same: MUTED,
  'only-before': MUTED,
  'only-after': MUTED,
};

const stamp = (ms: number) => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

function minutesLeft(ms: number | null): string {
  if (ms === null) return 'estimating time left…';
  const s = Math.round(ms / 1000);
  if (s < 60) return `about ${s} s left`;
  return `about ${Math.round(s / 60)} min left`;
}

/** The audit of one character: probes to run, progress, past runs, a report, two runs compared. */
export default function AuditScreen({ character }: { character: Character }) {
  const navigate = useRoute((s) => s.navigate);
  const runs = useAuditRuns(character.id);
  const running = useAudit((s) => (s.running?.characterId === character.id ? s.running : null));
  const busyElsewhere = useAudit((s) => s.running !== null && s.running.characterId !== character.id);
  const problem = useAudit((s) => (s.problem?.characterId === character.id ? s.problem.text : null));
  const start = useAudit((s) => s.start);
  const cancel = useAudit((s) => s.cancel);
  // Typed as text and clamped when used: clamping each keystroke would turn “48” into 168.
  const [maxProbes, setMaxProbes] = useState(String(DEFAULT_MAX_PROBES));
  const [answerTokens, setAnswerTokens] = useState(String(DEFAULT_ANSWER_TOKENS));
  const [probes, setProbes] = useState<AuditProbe[]>(() => generateProbes(character.statements, { maxProbes: DEFAULT_MAX_PROBES }).probes);
  const [view, setView] = useState<{ kind: 'report'; runId: string } | { kind: 'compare'; ids: [string, string] } | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [newText, setNewText] = useState('');
  const [newFamily, setNewFamily] = useState<ProbeFamily>('expected-action');
  const blocker = auditBlocker(character, probes);
  const noStatements = !character.statements.some((s) => s.enabled && s.text.trim() !== '');
  const statementText = useMemo(() => new Map(character.statements.map((s) => [s.id, s.text])), [character.statements]);

  const run = async () => {
    const finished = await start(character, probes.map((p) => editProbe(p, p.text)), clampAnswerTokens(Number(answerTokens)));
    if (finished) setView({ kind: 'report', runId: finished.id });
  };
  const regenerate = (n: number) => setProbes(generateProbes(character.statements, { maxProbes: n }).probes);
  const togglePick = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p.slice(-1), id]));
  const shown = view?.kind === 'report' ? runs?.find((r) => r.id === view.runId) : undefined;
  const compared = view?.kind === 'compare' ? view.ids.map((id) => runs?.find((r) => r.id === id)) : undefined;

  return (
    <div className="mx-auto flex w-full max-w-4xl flex-col gap-4 px-3 pb-16 pt-3 sm:px-6" data-testid="audit-screen">
      <header className="flex flex-wrap items-center gap-3">
        <Button size="sm" variant="ghost" icon={<Icon name="chevronLeft" />} onClick={() => navigate({ name: 'character', id: character.id, tab: 'edit' })}>
          Editor
        </Button>
        <h1 className="min-w-0 flex-1 truncate text-lg font-semibold">Audit: {character.card.name || 'Unnamed character'}</h1>
      </header>
      <p className={`text-sm leading-relaxed ${MUTED}`}>
        Each probe is put to the character in a fresh chat with its full card (nothing is added to your chats), and the checker scores the answer against the statements.
      </p>

      {problem ? (
        <p role="alert" data-testid="audit-problem" className="rounded-xl border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950/50 dark:text-red-200">
          {problem}
        </p>
      ) : null}

      {running ? (
        <section className={CARD} aria-label="Audit in progress" data-testid="audit-progress">
          <div className="mb-2 flex flex-wrap items-baseline justify-between gap-2 text-sm">
            <span className="font-medium">
              {running.done} of {running.total} probes{running.failed ? ` · ${running.failed} failed` : ''}
            </span>
            <span className={MUTED}>{running.cancelling ? 'Cancelling…' : minutesLeft(running.etaMs)}</span>
          </div>
          <div role="progressbar" aria-label="Audit progress" aria-valuemin={0} aria-valuemax={running.total} aria-valuenow={running.done} className="h-2 overflow-hidden rounded-full bg-stone-200 dark:bg-stone-800">
            <div className="h-full rounded-full bg-accent-600 transition-[width] dark:bg-accent-400" style={{ width: `${(100 * running.done) / Math.max(1, running.total)}%` }} />
          </div>
          {running.current ? <p className={`mt-3 line-clamp-2 text-sm italic ${MUTED}`}>Asking: {running.current}</p> : null}
          <div className="mt-3 flex justify-end">
            <Button size="sm" icon={<Icon name="stop" />} onClick={cancel}>
              {running.cancelling ? 'Force stop' : 'Cancel'}
            </Button>
          </div>
        </section>
      ) : noStatements ? (
        <section className={CARD}>
          <EmptyState
            title="Nothing to audit yet"
            icon={<Icon name="audit" className="h-8 w-8" />}
            action={
              <Button variant="primary" onClick={() => navigate({ name: 'character', id: character.id, tab: 'edit' })}>
                Add statements in the editor
              </Button>
            }
          >
            <span data-testid="audit-no-statements">{blocker}</span>
          </EmptyState>
        </section>
      ) : (
        <section className={CARD} aria-labelledby="audit-probes-title">
          <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
            <div className="min-w-0">
              <h2 id="audit-probes-title" className="text-base font-semibold">
                Probes <span className={`font-normal ${MUTED}`}>({probes.length})</span>
              </h2>
              <p className={`mt-1 text-sm ${MUTED}`}>A direct question and a temptation per statement, plus persona-wide probes. Edit, remove or add before the run.</p>
            </div>
            <div className="flex items-end gap-2">
              <TextField
                label="At most"
                type="number"
                className="w-24"
                min={MIN_MAX_PROBES}
                max={MAX_MAX_PROBES}
                value={maxProbes}
                onChange={(e) => setMaxProbes(e.target.value)}
                onBlur={() => setMaxProbes(String(clampMaxProbes(Number(maxProbes))))}
              />
              <Button size="md" icon={<Icon name="refresh" />} onClick={() => {
                  const n = clampMaxProbes(Number(maxProbes));
                  setMaxProbes(String(n));
                  regenerate(n);
                }}>
                Generate again
              </Button>
            </div>
          </div>
          <ol className="flex max-h-[28rem] flex-col gap-2 overflow-y-auto pr-1" data-testid="audit-probes">
            {probes.map((p, i) => (
              <li key={p.id} data-testid="audit-probe" data-kind={p.kind} className="flex items-start gap-2 rounded-xl border border-stone-200 p-2 dark:border-stone-800">
                <div className="min-w-0 flex-1">
                  <div className={`mb-1 flex flex-wrap gap-1.5 text-xs ${MUTED}`}>
                    <span className="font-medium">{i + 1}.</span>
                    <span>{PROBE_FAMILY_LABELS[p.family]}</span>
                    {p.pressure ? <span>· {PROBE_PRESSURE_LABELS[p.pressure]}</span> : null}
                    {p.statementId ? <span className="truncate">· {p.kind === 'direct' ? 'asks about' : 'tempts against'} “{statementText.get(p.statementId) ?? 'a removed statement'}”</span> : null}
                  </div>
                  <textarea
                    aria-label={`Probe ${i + 1}`}
                    rows={2}
                    value={p.text}
                    onChange={(e) => setProbes((all) => all.map((x) => (x.id === p.id ? { ...editProbe(x, e.target.value), text: e.target.value } : x)))}
                    onBlur={() => setProbes((all) => all.map((x) => (x.id === p.id ? editProbe(x, x.text) : x)))}
                    className="w-full resize-y rounded-lg border border-stone-300 bg-white px-2 py-1.5 text-sm text-stone-900 focus:border-accent-500 focus:outline-none focus:ring-2 focus:ring-accent-500/30 dark:border-stone-700 dark:bg-stone-900 dark:text-stone-100"
                  />
                </div>
                <IconButton label={`Remove probe ${i + 1}`} onClick={() => setProbes((all) => all.filter((x) => x.id !== p.id))}>
                  <Icon name="trash" className="h-4 w-4" />
                </IconButton>
              </li>
            ))}
          </ol>
          <form
            className="mt-3 flex flex-wrap items-end gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              if (!newText.trim()) return;
              setProbes((all) => [...all, manualProbe(newText, newFamily)]);
              setNewText('');
            }}
          >
            <TextField label="New probe" className="min-w-48 flex-1" value={newText} placeholder="The ferry is cancelled; a fisherman offers to row you across…" onChange={(e) => setNewText(e.target.value)} />
            <label className="flex flex-col text-sm font-medium text-stone-700 dark:text-stone-300">
              <span className="mb-1.5">Family</span>
              <select value={newFamily} onChange={(e) => setNewFamily(e.target.value as ProbeFamily)} className="h-10 rounded-lg border border-stone-300 bg-white px-2 text-sm dark:border-stone-700 dark:bg-stone-900">
                {PROBE_FAMILIES.map((f) => (
                  <option key={f} value={f}>
                    {PROBE_FAMILY_LABELS[f]}
                  </option>
                ))}
              </select>
            </label>
            <Button type="submit" icon={<Icon name="plus" />} disabled={!newText.trim()}>
              Add probe
            </Button>
          </form>
          <div className="mt-4 flex flex-wrap items-end justify-end gap-3">
            <TextField
              label="Answer length (tokens)"
              type="number"
              className="w-44"
              min={MIN_ANSWER_TOKENS}
              max={MAX_ANSWER_TOKENS}
              value={answerTokens}
              onChange={(e) => setAnswerTokens(e.target.value)}
              onBlur={() => setAnswerTokens(String(clampAnswerTokens(Number(answerTokens))))}
            />
            <span className="flex-1" />
            {blocker ? <span className={`text-sm ${MUTED}`}>{blocker}</span> : null}
            {busyElsewhere ? <span className={`text-sm ${MUTED}`}>Another character’s audit is running.</span> : null}
            <Button variant="primary" icon={<Icon name="audit" />} disabled={!!blocker || busyElsewhere} onClick={() => void run()} data-testid="audit-run">
              Run audit ({probes.length} probes)
            </Button>
          </div>
        </section>
      )}

      <section className={CARD} aria-labelledby="audit-runs-title">
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
          <h2 id="audit-runs-title" className="text-base font-semibold">
            Past runs
          </h2>
          <Button size="sm" disabled={picked.length !== 2} onClick={() => picked.length === 2 && setView({ kind: 'compare', ids: [picked[0]!, picked[1]!] })} data-testid="audit-compare-button">
            Compare {picked.length === 2 ? 'the two picked' : '(pick two)'}
          </Button>
        </div>
        {runs === null ? (
          <Spinner label="Loading runs…" />
        ) : runs.length === 0 ? (
          <p className={`text-sm ${MUTED}`} data-testid="audit-no-runs">
            No audits yet. Run one above: it is kept here with the card version and model it used.
          </p>
        ) : (
          <ul className="flex flex-col divide-y divide-stone-200 dark:divide-stone-800" data-testid="audit-runs">
            {runs.map((r) => {
              const report = auditReport(r);
              const open = view?.kind === 'report' && view.runId === r.id;
              // A run still marked running that this tab is not running was cut off (the tab closed or reloaded).
              const status = r.status === 'running' && !running ? 'interrupted' : r.status;
              return (
                <li key={r.id} data-testid="audit-run-row" data-status={status} className="flex flex-wrap items-center gap-3 py-2 text-sm">
                  <input type="checkbox" aria-label={`Pick the run of ${stamp(r.createdAt)} to compare`} checked={picked.includes(r.id)} onChange={() => togglePick(r.id)} className="h-4 w-4 accent-accent-600" />
                  <span className="min-w-0 flex-1">
                    <span className="font-medium">{stamp(r.createdAt)}</span>
                    <span className={MUTED}>
                      {' '}
                      · {r.modelId} · {r.results.length}/{r.probes.length} probes{status !== 'complete' ? ` · ${status}` : ''}
                    </span>
                  </span>
                  <span className="font-semibold tabular-nums" data-testid="audit-run-score">
                    {formatPercent(report.overall.meanApcPercent)}
                  </span>
                  <Button size="sm" variant={open ? 'primary' : 'secondary'} aria-pressed={open} onClick={() => setView(open ? null : { kind: 'report', runId: r.id })}>
                    {open ? 'Hide report' : 'Report'}
                  </Button>
                </li>
              );
            })}
          </ul>
        )}
      </section>

      {shown ? <RunReport run={shown} /> : null}
      {compared && compared[0] && compared[1] ? <Comparison a={compared[0]} b={compared[1]} /> : null}
    </div>
  );
}

function Summary({ s }: { s: ScoreSummary }) {
  const item = (label: string, value: string, testId: string) => (
    <div className="rounded-xl bg-stone-100 px-3 py-2 dark:bg-stone-800/70">
      <div className={`text-xs ${MUTED}`}>{label}</div>
      <div className="text-lg font-semibold tabular-nums" data-testid={testId}>
        {value}
      </div>
    </div>
  );
  return (
    <div className="grid grid-cols-2 gap-2 sm:grid-cols-4">
      {item('Score (mean APC)', formatPercent(s.meanApcPercent), 'audit-score')}
      {item('With a contradiction', formatPercent(s.contradictionShare, true), 'audit-contradiction-share')}
      {item('Dropped the role', formatPercent(s.roleDropShare, true), 'audit-role-drop-share')}
      {item('Probes checked', `${s.checked} / ${s.probes}`, 'audit-checked')}
    </div>
  );
}

function RunReport({ run }: { run: AuditRun }) {
  const report = useMemo(() => auditReport(run), [run]);
  const { exportRun, deleteRun } = useAuditActions();
  return (
    <section className={CARD} aria-labelledby="audit-report-title" data-testid="audit-report">
      <div className="mb-4 flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 id="audit-report-title" className="text-base font-semibold">
            Report — {stamp(run.createdAt)}
          </h2>
          <p className={`mt-1 text-sm ${MUTED}`}>
            Model {run.modelId} · checker {run.checkerModelId}
          </p>
          {run.stopReason ? (
            <p className="mt-2 text-sm font-medium text-amber-800 dark:text-amber-300" data-testid="audit-stop-reason">
              {run.stopReason}
            </p>
          ) : null}
        </div>
        <div className="flex flex-wrap gap-2">
          <Button size="sm" icon={<Icon name="download" />} onClick={() => exportRun(run, 'md')}>
            Export Markdown
          </Button>
          <Button size="sm" icon={<Icon name="download" />} onClick={() => exportRun(run, 'json')}>
            Export JSON
          </Button>
          <Button size="sm" variant="ghost" icon={<Icon name="trash" />} onClick={() => void deleteRun(run)}>
            Delete run
          </Button>
        </div>
      </div>
      <Summary s={report.overall} />

      <h3 className="mb-2 mt-5 text-sm font-semibold">Statements</h3>
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <thead className={`text-xs ${MUTED}`}>
            <tr>
              <th className="py-1 pr-3 font-medium">Statement</th>
              <th className="py-1 pr-3 font-medium">Result</th>
              <th className="py-1 font-medium">Worst answer</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-stone-200 dark:divide-stone-800">
            {report.statements.map((row) => (
              <tr key={row.statement.id} data-testid="audit-statement-row" data-status={row.status} className="align-top">
                <td className="py-2 pr-3" data-testid="audit-statement-text">
                  {row.statement.text}
                </td>
                <td className="py-2 pr-3">
                  <span className={`inline-block whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_CLASS[row.status]}`}>{STATUS_LABELS[row.status]}</span>
                  <div className={`mt-1 text-xs ${MUTED}`}>
                    {row.contradictedIn ? `broken in ${row.contradictedIn}` : ''}
                    {row.contradictedIn && row.keptIn ? ' · ' : ''}
                    {row.keptIn ? `kept in ${row.keptIn}` : ''}
                  </div>
                </td>
                <td className="py-2">
                  {row.worst?.flaggedSentence ? (
                    <>
                      <div className="text-red-800 underline decoration-red-500 decoration-wavy dark:text-red-200" data-testid="audit-flagged-sentence">
                        {row.worst.flaggedSentence}
                      </div>
                      <div className={`mt-1 text-xs ${MUTED}`}>asked: {row.worst.probeText}</div>
                    </>
                  ) : (
                    <span className={MUTED}>—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h3 className="mb-2 mt-5 text-sm font-semibold">Task families and pressures</h3>
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm tabular-nums">
          <thead className={`text-xs ${MUTED}`}>
            <tr>
              <th className="py-1 pr-3 font-medium">Group</th>
              <th className="py-1 pr-3 font-medium">Probes</th>
              <th className="py-1 pr-3 font-medium">Score</th>
              <th className="py-1 pr-3 font-medium">With contradiction</th>
              <th className="py-1 font-medium">Role dropped</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-stone-200 dark:divide-stone-800">
            {[...report.families.map((f) => ({ ...f, label: PROBE_FAMILY_LABELS[f.key] })), ...report.pressures.map((p) => ({ ...p, label: `Pressure: ${PROBE_PRESSURE_LABELS[p.key]}` }))].map((g) => (
              <tr key={g.key} data-testid="audit-family-row" data-key={g.key}>
                <td className="py-1.5 pr-3">{g.label}</td>
                <td className="py-1.5 pr-3">{g.probes}</td>
                <td className="py-1.5 pr-3">{formatPercent(g.meanApcPercent)}</td>
                <td className="py-1.5 pr-3">{formatPercent(g.contradictionShare, true)}</td>
                <td className="py-1.5">{formatPercent(g.roleDropShare, true)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {report.failures.length || report.notRun ? (
        <>
          <h3 className="mb-2 mt-5 text-sm font-semibold">Not answered</h3>
          <ul className="flex flex-col gap-1 text-sm" data-testid="audit-failures">
            {report.failures.map((f) => (
              <li key={f.probeId} data-testid="audit-failure" className="text-red-800 dark:text-red-200">
                <Icon name="warning" className="mr-1 inline h-4 w-4" />“{f.probeText}” — {f.error}
              </li>
            ))}
            {report.notRun ? <li className={MUTED}>{report.notRun} probe{report.notRun === 1 ? '' : 's'} not run.</li> : null}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function Comparison({ a, b }: { a: AuditRun; b: AuditRun }) {
  const c = useMemo(() => compareRuns(a, b), [a, b]);
  const { exportComparison } = useAuditActions();
  const side = (label: string, run: AuditRun, s: ScoreSummary) => (
    <div className="rounded-xl bg-stone-100 px-3 py-2 dark:bg-stone-800/70">
      <div className={`text-xs ${MUTED}`}>{label}</div>
      <div className="text-sm font-medium">{stamp(run.createdAt)}</div>
      <div className={`text-xs ${MUTED}`}>{run.modelId}</div>
      <div className="mt-1 text-lg font-semibold tabular-nums">{formatPercent(s.meanApcPercent)}</div>
    </div>
  );
  return (
    <section className={CARD} aria-labelledby="audit-compare-title" data-testid="audit-compare">
      <div className="mb-4 flex flex-wrap items-start justify-between gap-3">
        <h2 id="audit-compare-title" className="text-base font-semibold">
          Two runs side by side
        </h2>
        <Button size="sm" icon={<Icon name="download" />} onClick={() => exportComparison(a, b)}>
          Export Markdown
        </Button>
      </div>
      <div className="grid grid-cols-1 gap-2 sm:grid-cols-3">
        {side('Before', c.before.run, c.before.report.overall)}
        {side('After', c.after.run, c.after.report.overall)}
        <div className="rounded-xl bg-stone-100 px-3 py-2 dark:bg-stone-800/70">
          <div className={`text-xs ${MUTED}`}>Change</div>
          <div className="text-lg font-semibold tabular-nums" data-testid="audit-score-delta">
            {formatDelta(c.overall.meanApcDelta, ' pts')}
          </div>
          <div className={`text-xs ${MUTED}`}>{c.sameModel ? 'same model' : 'different models'}</div>
        </div>
      </div>
      <div className="mt-4 overflow-x-auto">
        <table className="w-full text-left text-sm">
          <thead className={`text-xs ${MUTED}`}>
            <tr>
              <th className="py-1 pr-3 font-medium">Statement</th>
              <th className="py-1 pr-3 font-medium">Before</th>
              <th className="py-1 pr-3 font-medium">After</th>
              <th className="py-1 font-medium">APC change</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-stone-200 dark:divide-stone-800">
            {c.statements.map((s) => (
              <tr key={s.statementId} data-testid="audit-delta-row" data-trend={s.trend} className="align-top">
                <td className="py-2 pr-3">
                  {s.text}
                  {s.edited ? <span className={`ml-1 text-xs ${MUTED}`}>(edited)</span> : null}
                </td>
                <td className="py-2 pr-3">{s.before ? <span className={`whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_CLASS[s.before]}`}>{STATUS_LABELS[s.before]}</span> : '—'}</td>
                <td className="py-2 pr-3">{s.after ? <span className={`whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_CLASS[s.after]}`}>{STATUS_LABELS[s.after]}</span> : '—'}</td>
                <td className={`py-2 tabular-nums ${TREND_CLASS[s.trend]}`}>
                  {formatDelta(s.apcDelta)} <span className="text-xs">{s.trend === 'better' ? '▲ better' : s.trend === 'worse' ? '▼ worse' : ''}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
