import type { Character } from '../../domain/character';
import type { DriftSummary } from '../../domain/consistency';
import type { MessageCheck } from '../../hooks/useChecks';
import { useCheckerActions, useContradictionCounts } from '../../hooks/useChecks';
import { useChecker } from '../../stores/checker';
import { Button, IconButton } from '../ui/Button';
import { Icon } from '../ui/Icon';
import { ScreenBoundary } from '../recovery/ScreenBoundary';

const W = 280;
const H = 120;
const PAD = 14;

/** APC% per character turn, contradictions in red, replies out of role ringed in fuchsia, baseline dashed. */
export function DriftTimeline({ drift }: { drift: DriftSummary }) {
  const pts = drift.points;
  if (pts.length === 0) {
    return <p className="text-xs text-stone-500 dark:text-stone-400">No checked replies yet. Each reply adds a point here.</p>;
  }
  const x = (i: number) => (pts.length === 1 ? W / 2 : PAD + (i * (W - 2 * PAD)) / (pts.length - 1));
  const y = (p: number) => PAD + ((100 - p) * (H - 2 * PAD)) / 100;
  const line = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.apcPercent).toFixed(1)}`).join(' ');
  return (
    <figure>
      <svg viewBox={`0 0 ${W} ${H}`} className="w-full" role="img" aria-label={`Consistency over ${pts.length} replies`} data-testid="drift-timeline">
        {[0, 50, 100].map((g) => (
          <g key={g}>
            <line x1={PAD} x2={W - PAD} y1={y(g)} y2={y(g)} className="stroke-stone-200 dark:stroke-stone-800" strokeWidth={1} />
            <text x={2} y={y(g) + 3} className="fill-stone-400 text-[8px]">
              {g}
            </text>
          </g>
        ))}
        {drift.baselinePercent !== null ? (
          <line x1={PAD} x2={W - PAD} y1={y(drift.baselinePercent)} y2={y(drift.baselinePercent)} className="stroke-accent-400" strokeDasharray="4 3" strokeWidth={1} />
        ) : null}
        <path d={line} fill="none" className="stroke-accent-600 dark:stroke-accent-400" strokeWidth={1.5} />
        {pts.map((p, i) =>
          p.roleFlags ? <circle key={`role-${p.turnIndex}`} cx={x(i)} cy={y(p.apcPercent)} r={6.5} fill="none" className="stroke-fuchsia-500 dark:stroke-fuchsia-300" strokeWidth={1.5} /> : null,
        )}
        {pts.map((p, i) => (
          <g key={p.turnIndex}>
            {/* A guarded reply gets an outer ring: what the timeline shows was kept by the guard, not written that way. */}
            {p.guarded ? <circle cx={x(i)} cy={y(p.apcPercent)} r={9} fill="none" strokeWidth={1.5} className="stroke-sky-500 dark:stroke-sky-400" /> : null}
            <circle
              data-testid="drift-point"
              data-contradictions={p.contradictions}
              data-role-flags={p.roleFlags ?? 0}
              data-guarded={p.guarded ? 'true' : 'false'}
              cx={x(i)}
              cy={y(p.apcPercent)}
              r={p.contradictions > 0 ? 4 : 3}
              className={p.contradictions > 0 ? 'fill-red-500' : 'fill-accent-600 dark:fill-accent-400'}
            >
              <title>{`Reply ${i + 1}: ${p.apcPercent.toFixed(0)}%${p.contradictions ? `, ${p.contradictions} contradicted` : ''}${p.roleFlags ? `, ${p.roleFlags} out of role` : ''}${p.guarded ? ', guarded' : ''}`}</title>
            </circle>
          </g>
        ))}
      </svg>
      <figcaption className="mt-1 text-xs text-stone-500 dark:text-stone-400">
        {pts.length} checked repl{pts.length === 1 ? 'y' : 'ies'}
        {pts.some((p) => p.guarded) ? ` · ${pts.filter((p) => p.guarded).length} guarded (ringed)` : ''}
        {drift.recentAveragePercent !== null ? ` · recent ${drift.recentAveragePercent.toFixed(0)}%` : ''}
        {drift.baselinePercent !== null ? ` · baseline ${drift.baselinePercent.toFixed(0)}%` : ''}
        {drift.roleFlags > 0 ? (
          <span data-testid="drift-role-flags">
            {' · '}
            <span className="text-fuchsia-700 dark:text-fuchsia-300">{drift.roleFlags} out of role</span>
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
}

export function CheckerStatusLine() {
  const status = useChecker((s) => s.status);
  const lastError = useChecker((s) => s.lastError);
  const { load, cancel } = useCheckerActions();
  switch (status.state) {
    case 'ready':
    case 'busy':
      return <p className="text-xs text-emerald-700 dark:text-emerald-300">Checker ready{status.state === 'busy' ? ' · checking…' : ''}</p>;
    case 'downloading':
    case 'loading':
    case 'warming':
      return (
        <div className="flex items-center gap-2 text-xs" data-testid="checker-progress">
          <span className="flex-1">
            {status.state === 'downloading' ? 'Downloading' : status.state === 'loading' ? 'Loading' : 'Warming up'} the checker… {Math.round(status.progress.progress * 100)}%
          </span>
          <Button size="sm" onClick={cancel}>
            Cancel
          </Button>
        </div>
      );
    default:
      return (
        <div className="flex flex-col gap-2">
          {lastError || status.state === 'error' ? (
            <p role="alert" className="text-xs text-red-700 dark:text-red-300">
              {(status.state === 'error' ? status.error : lastError)?.userMessage ?? 'The checker could not be loaded.'}
            </p>
          ) : (
            <p className="text-xs text-stone-600 dark:text-stone-400">The checker scores each reply against these statements, on this machine (≈110 MB download, once).</p>
          )}
          <Button size="sm" variant="primary" icon={<Icon name="sparkle" />} onClick={() => void load()}>
            Load the checker
          </Button>
        </div>
      );
  }
}

type PersonaPanelProps = Parameters<typeof PersonaPanelContent>[0];

/** The consistency panel beside a chat, inside its own error boundary: if it fails, the chat stays usable. */
export function PersonaPanel(props: PersonaPanelProps) {
  return (
    <ScreenBoundary screen="persona" compact characterId={props.character.id} resetKey={props.character.id} frameClass="w-80 shrink-0 overflow-y-auto border-l border-stone-200 dark:border-stone-800">
      <PersonaPanelContent {...props} />
    </ScreenBoundary>
  );
}

function PersonaPanelContent({
  open,
  onToggle,
  character,
  drift,
  checks,
  onAnalyse,
  analysable,
}: {
  open: boolean;
  onToggle: () => void;
  character: Character;
  drift: DriftSummary;
  checks: ReadonlyMap<string, MessageCheck>;
  onAnalyse: () => void;
  analysable: number;
}) {
  const ready = useChecker((s) => s.status.state === 'ready');
  const counts = useContradictionCounts(checks);
  if (!open) {
    return (
      <div className="hidden border-l border-stone-200 p-1 xl:block dark:border-stone-800">
        <IconButton label="Show consistency panel" onClick={onToggle}>
          <Icon name="chevronLeft" />
        </IconButton>
      </div>
    );
  }
  const enabled = character.statements.filter((s) => s.enabled);
  return (
    <>
    {/* Below xl the panel is a drawer over the chat, with a backdrop. */}
    <div className="fixed inset-0 z-20 bg-stone-950/40 xl:hidden" aria-hidden="true" onClick={onToggle} />
    <aside aria-label="Persona and consistency" data-testid="persona-panel" className="scroll-thin fixed inset-y-0 right-0 z-30 flex w-80 max-w-[90vw] shrink-0 flex-col gap-4 overflow-y-auto border-l border-stone-200 bg-stone-50 p-4 shadow-2xl xl:static xl:z-auto xl:shadow-none dark:border-stone-800 dark:bg-stone-900">
      <div className="flex items-center justify-between">
        <h2 className="text-sm font-semibold">Consistency</h2>
        <IconButton label="Hide consistency panel" onClick={onToggle}>
          <Icon name="chevronRight" />
        </IconButton>
      </div>
      <CheckerStatusLine />
      {drift.alert ? (
        <div role="alert" data-testid="drift-alert" className="rounded-xl border border-amber-300 bg-amber-50 p-3 text-xs text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-100">
          <strong>{character.card.name} is drifting.</strong> The last replies average {drift.recentAveragePercent?.toFixed(0)}%, {drift.dropPoints?.toFixed(0)} points below this chat’s start.
          Consider regenerating in character or restating the key facts.
        </div>
      ) : null}
      <section aria-labelledby="drift-title">
        <h3 id="drift-title" className="mb-2 text-xs font-semibold uppercase tracking-wide text-stone-500 dark:text-stone-400">
          Drift timeline
        </h3>
        <DriftTimeline drift={drift} />
        {ready && analysable > 0 ? (
          <Button size="sm" className="mt-2" onClick={onAnalyse}>
            Check {analysable} unchecked repl{analysable === 1 ? 'y' : 'ies'}
          </Button>
        ) : null}
      </section>
      <section aria-labelledby="stmts-title">
        <h3 id="stmts-title" className="mb-2 text-xs font-semibold uppercase tracking-wide text-stone-500 dark:text-stone-400">
          Statements ({enabled.length})
        </h3>
        {enabled.length === 0 ? (
          <p className="text-xs text-stone-500 dark:text-stone-400">No statements: add some in the character editor so there is something to check.</p>
        ) : (
          <ul className="flex flex-col gap-1.5">
            {enabled.map((s) => (
              <li key={s.id} className="flex items-start gap-2 text-xs">
                <span className={`mt-1 h-2 w-2 shrink-0 rounded-full ${counts.get(s.id) ? 'bg-red-500' : 'bg-emerald-500'}`} aria-hidden="true" />
                <span className="flex-1 leading-snug">{s.text}</span>
                {counts.get(s.id) ? <span className="shrink-0 rounded-full bg-red-100 px-1.5 text-red-800 dark:bg-red-900/40 dark:text-red-200">×{counts.get(s.id)}</span> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </aside>
    </>
  );
}
