/**
 * The writer's-workbench records of a backup (issue 12): audit runs (table
 * `audits`) and guided-creation drafts (table `interviews`). Both are
 * optional in the file — backups made before they existed have neither and
 * still restore — and each record goes through the reader of its stored
 * shape, like every other record: an unreadable or orphaned one is left out
 * and named, never written. Kept apart from backup.ts so further optional
 * tables can be added beside them without touching the same lines.
 */
import * as v from 'valibot';
import { readAuditRun, type AuditRun } from '../audit/run';
import { isRecord, toStr } from '../cards/coerce';
import type { InterviewDraft } from '../interview';
import { InterviewDraftSchema, readInterviewDraft } from './interview';
import { describeValue } from './issues';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The optional list `key` of the file: absent is empty; anything but a list is named and ignored. */
function optionalList(file: Record<string, unknown>, key: string, notes: string[]): unknown[] {
  const raw = file[key];
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) return raw;
  notes.push(`"${key}": expected a list, found ${describeValue(raw)}; left out`);
  return [];
}

/**
 * The audit runs of a backup file whose character is in the backup too
 * (a run is shown only with its character). Linear in the size of the runs.
 */
export function readBackupAudits(file: Record<string, unknown>, characterIds: ReadonlySet<string>, notes: string[]): AuditRun[] {
  const runs: AuditRun[] = [];
  let orphans = 0;
  optionalList(file, 'audits', notes).forEach((raw, i) => {
    const run = readAuditRun(raw);
    if (!run) {
      const name = isRecord(raw) ? toStr(raw.characterName).trim().slice(0, 60) : '';
      notes.push(`audit run #${i + 1}${name ? ` (“${name}”)` : ''}: not a readable audit run; left out`);
      return;
    }
    if (characterIds.has(run.characterId)) runs.push(run);
    else orphans++;
  });
  if (orphans > 0) notes.push(`${plural(orphans, 'audit run')} of no character in the backup: left out`);
  return runs;
}

/**
 * The guided-creation drafts of a backup file, repaired field by field like a
 * stored draft (the writer's answers are kept wherever they can be); a draft
 * without an id is left out. Linear in the size of the drafts.
 */
export function readBackupInterviews(file: Record<string, unknown>, notes: string[], now: number): InterviewDraft[] {
  const drafts: InterviewDraft[] = [];
  optionalList(file, 'interviews', notes).forEach((raw, i) => {
    const draft = readInterviewDraft(raw, now);
    if (!draft) notes.push(`interview draft #${i + 1}: has no id; left out`);
    else {
      if (!v.is(InterviewDraftSchema, raw)) notes.push(`interview draft #${i + 1}: some answers had the wrong type, repaired`);
      drafts.push(draft);
    }
  });
  return drafts;
}
