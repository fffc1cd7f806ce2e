import type { Character } from '../../domain/character';
import type { DriftSummary } from '../../domain/consistency';
import { useContradictionCounts, type MessageCheck } from '../../hooks/useChecks';
import { useChecker } from '../../stores/checker';
import { CheckerStatusLine, DriftTimeline } from '../persona/PersonaPanel';
import { ScreenBoundary } from '../recovery/ScreenBoundary';
import { Avatar } from '../ui/Avatar';
import { Button, IconButton } from '../ui/Button';
import { Icon } from '../ui/Icon';

const sceneName = (c: Character) => c.card.nickname || c.card.name || 'Character';

/** A member of a group scene with the drift of its own replies. */
export interface MemberDrift {
  character: Character;
  drift: DriftSummary;
}

interface GroupPanelProps {
  open: boolean;
  onToggle: () => void;
  members: MemberDrift[];
  checks: ReadonlyMap<string, MessageCheck>;
  onAnalyse: () => void;
  analysable: number;
  anchorId: string;
}

/** The consistency panel of a group scene, in its own error boundary: one drift line and statement list per member. */
export function GroupPanel(props: GroupPanelProps) {
  return (
    <ScreenBoundary screen="persona" compact characterId={props.anchorId} resetKey={props.anchorId} frameClass="w-80 shrink-0 overflow-y-auto border-l border-stone-200 dark:border-stone-800">
      <GroupPanelContent {...props} />
    </ScreenBoundary>
  );
}

function GroupPanelContent({ open, onToggle, members, checks, onAnalyse, analysable }: GroupPanelProps) {
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
  return (
    <>
      <div className="fixed inset-0 z-20 bg-stone-950/40 xl:hidden" aria-hidden="true" onClick={onToggle} />
      <aside aria-label="Persona and consistency" data-testid="persona-panel" className="scroll-thin fixed inset-y-0 right-0 z-30 flex w-80 max-w-[90vw] shrink-0 flex-col gap-4 overflow-y-auto border-l border-stone-200 bg-stone-50 p-4 shadow-2xl xl:static xl:z-auto xl:shadow-none dark:border-stone-800 dark:bg-stone-900">
        <div className="flex items-center justify-between">
          <h2 className="text-sm font-semibold">Consistency, per character</h2>
          <IconButton label="Hide consistency panel" onClick={onToggle}>
            <Icon name="chevronRight" />
          </IconButton>
        </div>
        <CheckerStatusLine />
        {ready && analysable > 0 ? (
          <Button size="sm" onClick={onAnalyse}>
            Check {analysable} unchecked repl{analysable === 1 ? 'y' : 'ies'}
          </Button>
        ) : null}
        {members.map(({ character, drift }) => {
          const name = sceneName(character);
          const enabled = character.statements.filter((s) => s.enabled);
          const contradicted = enabled.reduce((n, s) => n + (counts.get(s.id) ?? 0), 0);
          return (
            <section key={character.id} data-testid="member-consistency" data-member={name} aria-label={`${name}: consistency`} className="flex flex-col gap-2 border-t border-stone-200 pt-3 dark:border-stone-800">
              <div className="flex items-center gap-2">
                <Avatar blob={character.avatar} name={character.card.name} size="sm" />
                <h3 className="min-w-0 flex-1 truncate text-sm font-semibold">{name}</h3>
                <span data-testid="member-contradictions" className={`rounded-full px-2 py-0.5 text-xs ${contradicted ? 'bg-red-100 text-red-800 dark:bg-red-900/40 dark:text-red-200' : 'bg-stone-200 text-stone-700 dark:bg-stone-800 dark:text-stone-300'}`}>
                  {contradicted} contradicted
                </span>
              </div>
              {drift.alert ? (
                <p role="alert" className="rounded-lg border border-amber-300 bg-amber-50 p-2 text-xs text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-100">
                  {name} is drifting: the last replies average {drift.recentAveragePercent?.toFixed(0)}%, {drift.dropPoints?.toFixed(0)} points below the start.
                </p>
              ) : null}
              <DriftTimeline drift={drift} />
              {enabled.length === 0 ? (
                <p className="text-xs text-stone-500 dark:text-stone-400">No statements: {name}’s replies have nothing to be checked against.</p>
              ) : (
                <details>
                  <summary className="cursor-pointer text-xs text-stone-600 dark:text-stone-400">Statements ({enabled.length})</summary>
                  <ul className="mt-1.5 flex flex-col gap-1.5">
                    {enabled.map((s) => (
                      <li key={s.id} className="flex items-start gap-2 text-xs">
                        <span className={`mt-1 h-2 w-2 shrink-0 rounded-full ${counts.get(s.id) ? 'bg-red-500' : 'bg-emerald-500'}`} aria-hidden="true" />
                        <span className="flex-1 leading-snug">{s.text}</span>
                        {counts.get(s.id) ? <span className="shrink-0 rounded-full bg-red-100 px-1.5 text-red-800 dark:bg-red-900/40 dark:text-red-200">×{counts.get(s.id)}</span> : null}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </section>
          );
        })}
      </aside>
    </>
  );
}
