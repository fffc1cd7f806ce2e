import { useState } from 'react';
import type { Character } from '../../domain/character';
import { ROLE_FLAG_LABELS, roleFlagCounts } from '../../domain/consistency/roleFlags';
import { ROLE_FLAG_KINDS, sentenceText, type RoleFlag } from '../../domain/consistency/verdict';
import type { MessageCheck, StoredVerdict } from '../../hooks/useChecks';
import type { SentenceMark } from '../chat/RichText';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Icon } from '../ui/Icon';

const pct = (x: number) => `${Math.round(x * 100)}%`;

/**
 * Sentence highlights for a message: live flags while streaming (contradictions,
 * then role flags as each sentence's land), else the stored verdict's. One
 * mark per sentence: its contradictions and its role flags together
 * (overlapping marks would hide each other).
 */
export function marksFor(check: MessageCheck | undefined, character: Character): SentenceMark[] {
  if (!check) return [];
  const text = (id: string) => character.statements.find((s) => s.id === id)?.text ?? 'a persona statement';
  const label = (ids: string[]) => `Contradicts: ${ids.map(text).join(' · ')}`;
  const bySentence = new Map<number, SentenceMark>();
  const addRoleFlags = (flags: readonly RoleFlag[], spanOf: (index: number) => readonly [number, number] | undefined) => {
    for (const f of flags) {
      const s = f.sentenceIndex === null ? undefined : spanOf(f.sentenceIndex);
      if (!s) continue;
      const flag = { kind: f.kind, label: ROLE_FLAG_LABELS[f.kind], evidence: f.evidence };
      const old = bySentence.get(f.sentenceIndex!);
      if (old) {
        bySentence.set(f.sentenceIndex!, { ...old, label: `${old.label} · ${flag.label}`, roleFlags: [...(old.roleFlags ?? []), flag] });
      } else {
        bySentence.set(f.sentenceIndex!, { start: s[0], end: s[1], id: `role-${f.sentenceIndex}`, label: flag.label, contradiction: false, roleFlags: [flag] });
      }
    }
  };
  if (check.live) {
    const spans = new Map<number, readonly [number, number]>();
    for (const s of check.live) {
      spans.set(s.sentence.index, [s.sentence.start, s.sentence.end]);
      if (s.flagged) bySentence.set(s.sentence.index, { start: s.sentence.start, end: s.sentence.end, id: s.statementIds.join(' '), label: label(s.statementIds) });
    }
    addRoleFlags(check.live.flatMap((s) => s.roleFlags ?? []), (i) => spans.get(i));
  } else {
    const v = check.verdict;
    if (!v || check.stale) return [];
    for (const f of v.flaggedSentences) {
      const s = v.sentences[f.sentenceIndex];
      if (s) bySentence.set(f.sentenceIndex, { start: s[0], end: s[1], id: f.statementIds.join(' '), label: label(f.statementIds) });
    }
    addRoleFlags(v.roleFlags ?? [], (i) => v.sentences[i]);
  }
  return [...bySentence.values()].sort((a, b) => a.start - b.start);
}

/** "2 role flags: assistant voice 1, speaks for you 1" — what the count pill says to a screen reader and on hover. */
export function roleFlagSummary(flags: readonly RoleFlag[]): string {
  const counts = roleFlagCounts(flags);
  const parts = ROLE_FLAG_KINDS.filter((k) => counts[k] > 0).map((k) => `${ROLE_FLAG_LABELS[k]} ${counts[k]}`);
  return `${flags.length} role flag${flags.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

const TONE = {
  consistent: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-100',
  weak: 'bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-100',
  contradicts: 'bg-red-100 text-red-900 dark:bg-red-900/40 dark:text-red-100',
} as const;

function VerdictDetails({
  verdict,
  replyText,
  character,
  onClose,
  onRegenerate,
}: {
  verdict: StoredVerdict;
  replyText: string;
  character: Character;
  onClose: () => void;
  onRegenerate: (() => void) | null;
}) {
  const byId = new Map(character.statements.map((s) => [s.id, s]));
  const rows = [...verdict.statements].sort((a, b) => (a.status === 'contradicted' ? -1 : 0) - (b.status === 'contradicted' ? -1 : 0) || b.pc - a.pc);
  return (
    <Dialog
      open
      wide
      onClose={onClose}
      title={`Consistency: ${verdict.apcPercent.toFixed(0)}% APC`}
      footer={
        <>
          {onRegenerate ? (
            <Button variant="primary" icon={<Icon name="refresh" />} onClick={onRegenerate}>
              Regenerate in character
            </Button>
          ) : null}
          <Button onClick={onClose}>Close</Button>
        </>
      }
    >
      <p className="mb-3 text-stone-600 dark:text-stone-400">
        Each statement is scored by APC = (1 − r)·(1 − Pc) + r·Pe: r is how relevant it is to your message, Pc the chance the reply contradicts it, Pe the chance the
        statement entails the reply. {verdict.strategy === 'pruned' ? `With ${verdict.statementCount} statements, ${verdict.prunedCount} unlikely ones were estimated instead of run through the model.` : ''}
      </p>
      {verdict.roleFlags && verdict.roleFlags.length > 0 ? (
        <section className="mb-4" aria-labelledby="role-flags-heading">
          <h3 id="role-flags-heading" className="mb-1 text-sm font-medium text-stone-800 dark:text-stone-200">
            Out of role
          </h3>
          <ul className="space-y-1.5 text-xs" data-testid="role-flag-list">
            {verdict.roleFlags.map((f, i) => (
              <li key={i} data-kind={f.kind} className="rounded-md border border-stone-200 px-2 py-1.5 dark:border-stone-800">
                <span className="font-medium text-stone-800 dark:text-stone-200">{ROLE_FLAG_LABELS[f.kind]}</span>
                <span className="text-stone-500 dark:text-stone-400"> · score {f.score.toFixed(2)}</span>
                {sentenceText(verdict, replyText, f.sentenceIndex) !== null ? (
                  <div className="mt-0.5 text-stone-500 italic dark:text-stone-400">“{sentenceText(verdict, replyText, f.sentenceIndex)}”</div>
                ) : null}
                <div className="mt-0.5 text-stone-600 dark:text-stone-300">{f.evidence}</div>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <div className="overflow-x-auto">
        <table className="w-full text-left text-xs" data-testid="verdict-table">
          <thead className="text-stone-500 dark:text-stone-400">
            <tr>
              <th className="py-1 pr-2 font-medium">Statement</th>
              <th className="px-1 font-medium">r</th>
              <th className="px-1 font-medium">Pe</th>
              <th className="px-1 font-medium">Pc</th>
              <th className="px-1 font-medium">Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.statementId} data-testid="verdict-row" data-status={r.status} className="border-t border-stone-200 align-top dark:border-stone-800">
                <td className="py-1.5 pr-2">
                  <div className="text-sm text-stone-800 dark:text-stone-200">{byId.get(r.statementId)?.text ?? '(deleted statement)'}</div>
                  {sentenceText(verdict, replyText, r.sentenceIndex) !== null ? (
                    <div className="mt-0.5 text-stone-500 italic dark:text-stone-400">“{sentenceText(verdict, replyText, r.sentenceIndex)}”</div>
                  ) : null}
                </td>
                <td className="px-1 tabular-nums">{r.r.toFixed(2)}</td>
                <td className="px-1 tabular-nums">{r.pe.toFixed(2)}</td>
                <td className="px-1 tabular-nums">{r.pc.toFixed(2)}</td>
                <td className="px-1">
                  <span className={`rounded-full px-2 py-0.5 ${r.status === 'contradicted' ? TONE.contradicts : r.status === 'kept' ? TONE.consistent : 'bg-stone-100 text-stone-600 dark:bg-stone-800 dark:text-stone-300'}`}>
                    {r.status === 'not-addressed' ? 'not addressed' : r.status}
                    {r.pruned ? ' (est.)' : ''}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Dialog>
  );
}

/** The verdict line under an assistant reply. */
export function VerdictBadge({ check, character, onRegenerateInCharacter, onRecheck, checkerReady }: { check: MessageCheck | undefined; character: Character; onRegenerateInCharacter: (restate: string[]) => void; onRecheck: () => void; checkerReady: boolean }) {
  const [open, setOpen] = useState(false);
  if (!check) return null;
  if (check.live) {
    const flagged = check.live.filter((s) => s.flagged).length;
    const outOfRole = check.live.reduce((n, s) => n + (s.roleFlags?.length ?? 0), 0);
    return (
      <p data-testid="verdict-live" className="mt-2 text-xs text-stone-500 dark:text-stone-400">
        Checking as it streams · {check.live.length} sentence{check.live.length === 1 ? '' : 's'} checked{flagged ? ` · ${flagged} flagged` : ''}
        {outOfRole ? ` · ${outOfRole} out of role` : ''}
      </p>
    );
  }
  const v = check.verdict;
  if (check.streaming) return null;
  if (!v) {
    if (check.checking) return <p className="mt-2 text-xs text-stone-500">Checking…</p>;
    return checkerReady ? (
      <button type="button" onClick={onRecheck} className="mt-2 text-xs text-accent-700 underline-offset-2 hover:underline dark:text-accent-300">
        Check consistency
      </button>
    ) : null;
  }
  const contradicted = v.statements.filter((s) => s.status === 'contradicted');
  const restate = contradicted.map((s) => character.statements.find((x) => x.id === s.statementId)?.text).filter((t): t is string => !!t);
  const label = v.verdict === 'contradicts' ? `Contradicts ${v.contradictions}` : v.verdict === 'weak' ? 'Weak' : 'Consistent';
  return (
    <div className="mt-2 flex flex-wrap items-center gap-2">
      <button
        type="button"
        data-testid="verdict-badge"
        data-verdict={v.verdict}
        data-stale={check.stale ? 'true' : 'false'}
        onClick={() => setOpen(true)}
        className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-medium ${TONE[v.verdict]} ${check.stale ? 'opacity-60' : ''}`}
        title="Open the consistency details"
      >
        {label} · {v.apcPercent.toFixed(0)}%
        {check.stale ? <span>(outdated{check.checking ? ', rechecking…' : ''})</span> : null}
      </button>
      {v.roleFlags && v.roleFlags.length > 0 && !check.stale ? (
        <span
          data-testid="role-flag-count"
          data-count={v.roleFlags.length}
          title={roleFlagSummary(v.roleFlags)}
          className="inline-flex items-center rounded-full bg-fuchsia-100 px-2.5 py-0.5 text-xs font-medium text-fuchsia-900 dark:bg-fuchsia-900/40 dark:text-fuchsia-100"
        >
          <span aria-hidden="true">
            {v.roleFlags.length} out of role
          </span>
          <span className="sr-only">{roleFlagSummary(v.roleFlags)}</span>
        </span>
      ) : null}
      {restate.length > 0 && !check.stale ? (
        <button type="button" onClick={() => onRegenerateInCharacter(restate)} className="text-xs font-medium text-accent-700 hover:underline dark:text-accent-300">
          Regenerate in character
        </button>
      ) : null}
      {open ? (
        <VerdictDetails
          verdict={v}
          replyText={check.replyText}
          character={character}
          onClose={() => setOpen(false)}
          onRegenerate={
            restate.length > 0
              ? () => {
                  setOpen(false);
                  onRegenerateInCharacter(restate);
                }
              : null
          }
        />
      ) : null}
      <span className="sr-only">{pct(v.apcPercent / 100)} consistent</span>
    </div>
  );
}
