import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  acceptProposal,
  addBehaviour,
  answersToCard,
  BIG_FIVE,
  editAccepted,
  goToStep,
  INTERVIEW_STEPS,
  MBTI_TYPES,
  pendingProposals,
  rejectProposal,
  removeAccepted,
  setAnswer,
  setBigFive,
  stepAnswered,
  stepAt,
  temperamentSuggestions,
  type InterviewDraft,
  type InterviewField,
  type InterviewStep,
} from '../../domain/interview';
import { useInterviewDraft, useStartInterview, useSuggest, useUserName, type InterviewSaveState } from '../../hooks/useInterview';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { EmptyState, Spinner } from '../ui/EmptyState';
import { inputClass, Label } from '../ui/Field';
import { Icon } from '../ui/Icon';
import { InterviewPreview } from './InterviewPreview';

type Update = ReturnType<typeof useInterviewDraft>['update'];

/** "New character → Guided": the interview screen (issue 12 §2). */
export default function InterviewScreen({ id }: { id: string }) {
  const { draft, saveState, update, finish, discard } = useInterviewDraft(id);
  const start = useStartInterview();
  if (draft === null) {
    return (
      <div className="p-6">
        <Spinner label="Opening the interview…" />
      </div>
    );
  }
  if (draft === undefined) {
    return (
      <EmptyState title="This interview is no longer here" icon={<Icon name="info" className="h-8 w-8" />} action={<Button variant="primary" onClick={() => void start()}>Start a guided character</Button>}>
        It was finished or discarded, perhaps in another tab. Your library is unchanged.
      </EmptyState>
    );
  }
  return <Interview draft={draft} saveState={saveState} update={update} finish={finish} discard={discard} />;
}

function SaveState({ state }: { state: InterviewSaveState }) {
  return (
    <span role="status" data-testid="interview-save-state" data-state={state} className={`inline-flex items-center gap-1 text-xs ${state === 'error' ? 'font-medium text-red-700 dark:text-red-400' : 'text-stone-500 dark:text-stone-400'}`}>
      {state === 'saved' ? (
        <>
          <Icon name="check" className="h-3.5 w-3.5" /> Draft saved
        </>
      ) : state === 'pending' ? (
        'Saving…'
      ) : (
        <>
          <Icon name="warning" className="h-3.5 w-3.5" /> Draft not saved
        </>
      )}
    </span>
  );
}

function Interview({ draft, saveState, update, finish, discard }: { draft: InterviewDraft; saveState: InterviewSaveState; update: Update; finish: () => Promise<void>; discard: () => Promise<void> }) {
  const step = stepAt(draft.step);
  const index = INTERVIEW_STEPS.indexOf(step);
  const last = index === INTERVIEW_STEPS.length - 1;
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const [finishing, setFinishing] = useState(false);
  const named = draft.answers.name.trim() !== '';
  const card = useMemo(() => answersToCard(draft.answers), [draft.answers]);
  const formRef = useRef<HTMLDivElement>(null);

  // Each step starts with its first field focused: the keyboard path is type, Enter, type.
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('input, textarea')?.focus();
  }, [index]);

  const go = (to: number) => update((d) => goToStep(d, to), { now: true });
  const create = async () => {
    setFinishing(true);
    await finish();
    setFinishing(false);
  };
  const next = () => (last ? void create() : go(index + 1));

  return (
    <div className="mx-auto flex max-w-6xl flex-col gap-5 px-4 py-5 md:px-6">
      <header className="flex flex-wrap items-center gap-3">
        <div className="min-w-0 flex-1">
          <h1 className="text-xl font-semibold text-stone-900 dark:text-stone-100">Guided character</h1>
          <p className="text-sm text-stone-500 dark:text-stone-400">Answer what you like, skip the rest; every answer fills the card and proposes statements. You can leave and come back.</p>
        </div>
        <SaveState state={saveState} />
        <Button variant="ghost" size="sm" icon={<Icon name="trash" />} onClick={() => setConfirmDiscard(true)}>
          Discard
        </Button>
        <Button variant="primary" size="sm" icon={<Icon name="check" />} disabled={!named || finishing} title={named ? undefined : 'Give the character a name first (Identity and role).'} onClick={() => void create()}>
          Create character
        </Button>
      </header>

      <nav aria-label="Interview steps">
        <ol className="flex flex-wrap gap-1">
          {INTERVIEW_STEPS.map((s, i) => {
            const answered = stepAnswered(s, draft.answers);
            const current = i === index;
            return (
              <li key={s.id} className="shrink-0">
                <button
                  type="button"
                  aria-current={current ? 'step' : undefined}
                  data-answered={answered}
                  onClick={() => go(i)}
                  className={`flex items-center gap-2 rounded-lg px-2.5 py-1.5 text-sm whitespace-nowrap transition-colors ${
                    current ? 'bg-accent-100 font-medium text-accent-900 dark:bg-accent-900/40 dark:text-accent-100' : 'text-stone-600 hover:bg-stone-200/60 dark:text-stone-400 dark:hover:bg-stone-800/60'
                  }`}
                >
                  <span
                    aria-hidden="true"
                    className={`inline-flex h-5 w-5 items-center justify-center rounded-full text-xs ${
                      answered ? 'bg-accent-600 text-white' : current ? 'border border-accent-500 text-accent-700 dark:text-accent-300' : 'border border-stone-300 text-stone-500 dark:border-stone-600'
                    }`}
                  >
                    {answered ? <Icon name="check" className="h-3 w-3" /> : i + 1}
                  </span>
                  {s.title}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>

      <div className="grid gap-5 lg:grid-cols-[minmax(0,1fr)_minmax(0,24rem)]">
        <section aria-labelledby="interview-step-title" className="flex min-w-0 flex-col gap-5">
          <div ref={formRef} className="rounded-2xl border border-stone-200 bg-white p-5 dark:border-stone-800 dark:bg-stone-900/60">
            <p className="text-xs font-medium uppercase tracking-wide text-stone-500 dark:text-stone-400">
              Step {index + 1} of {INTERVIEW_STEPS.length}
            </p>
            <h2 id="interview-step-title" className="mt-1 text-lg font-semibold text-stone-900 dark:text-stone-100">
              {step.title}
            </h2>
            <p className="mt-1 text-sm text-stone-600 dark:text-stone-400">{step.prompt}</p>
            <StepFields draft={draft} step={step} update={update} onNext={next} />
            {step.id === 'personality' ? <Temperament draft={draft} update={update} /> : null}
          </div>

          <Proposals draft={draft} step={step} update={update} />

          <div className="flex items-center gap-2">
            <Button icon={<Icon name="chevronLeft" />} disabled={index === 0} onClick={() => go(index - 1)}>
              Back
            </Button>
            <span className="flex-1" />
            {!last ? (
              <Button variant="ghost" onClick={() => go(index + 1)}>
                Skip
              </Button>
            ) : null}
            <Button variant="primary" disabled={last && (!named || finishing)} title={last && !named ? 'Give the character a name first (Identity and role).' : undefined} onClick={next}>
              {last ? 'Create character' : 'Next'}
              {last ? null : <Icon name="chevronRight" />}
            </Button>
          </div>
          {last && !named ? <p className="text-sm text-amber-800 dark:text-amber-300">The character needs a name: go back to Identity and role.</p> : null}
        </section>

        <InterviewPreview card={card} statements={draft.accepted.map((a) => a.text)} />
      </div>

      <Dialog
        open={confirmDiscard}
        onClose={() => setConfirmDiscard(false)}
        title="Discard this interview?"
        footer={
          <>
            <Button onClick={() => setConfirmDiscard(false)}>Keep it</Button>
            <Button
              variant="danger"
              onClick={() => {
                setConfirmDiscard(false);
                void discard();
              }}
            >
              Discard
            </Button>
          </>
        }
      >
        Your answers and accepted statements will be deleted. No character has been created from them.
      </Dialog>
    </div>
  );
}

function StepFields({ draft, step, update, onNext }: { draft: InterviewDraft; step: InterviewStep; update: Update; onNext: () => void }) {
  const suggest = useSuggest();
  const anySuggestable = step.fields.some((f) => f.suggestable);

  const onSuggest = async (field: InterviewField) => {
    const text = await suggest.run(draft, step, field);
    if (text === null) return;
    update((d) => {
      const before = d.answers[field.key].trim();
      const joined = !before ? text : field.kind === 'line' ? text : `${before}${field.kind === 'list' ? '\n' : '\n\n'}${text}`;
      return setAnswer(d, field.key, joined);
    });
  };

  // Enter moves on from a one-line field; in a longer answer Ctrl/Cmd+Enter does.
  const onKeyDown = (field: InterviewField) => (e: KeyboardEvent<HTMLInputElement | HTMLTextAreaElement>) => {
    if (e.key !== 'Enter' || e.nativeEvent.isComposing) return;
    if (field.kind === 'line' || e.ctrlKey || e.metaKey) {
      e.preventDefault();
      onNext();
    }
  };

  return (
    <div className="mt-4 flex flex-col gap-4">
      {step.fields.map((field) => {
        const id = `interview-${field.key}`;
        const value = draft.answers[field.key];
        const busy = suggest.busyField === field.key;
        return (
          <div key={field.key}>
            <Label htmlFor={id} hint={field.help}>
              {field.label}
            </Label>
            <div className="flex items-start gap-2">
              {field.kind === 'line' ? (
                <input id={id} className={inputClass} value={value} placeholder={field.placeholder} onChange={(e) => update((d) => setAnswer(d, field.key, e.target.value))} onKeyDown={onKeyDown(field)} />
              ) : (
                <textarea
                  id={id}
                  rows={field.kind === 'list' ? 4 : 3}
                  className={`${inputClass} resize-y leading-relaxed`}
                  value={value}
                  placeholder={field.placeholder}
                  onChange={(e) => update((d) => setAnswer(d, field.key, e.target.value))}
                  onKeyDown={onKeyDown(field)}
                />
              )}
              {field.suggestable ? (
                <Button
                  size="sm"
                  icon={busy ? <span className="h-3.5 w-3.5 animate-spin rounded-full border-2 border-stone-300 border-t-accent-600" /> : <Icon name="sparkle" />}
                  aria-label={`Suggest ${field.label}`}
                  title={suggest.blocker ?? `Let the loaded model draft “${field.label}” from what is written so far`}
                  disabled={suggest.blocker !== null || suggest.busyField !== null}
                  onClick={() => void onSuggest(field)}
                >
                  Suggest
                </Button>
              ) : null}
            </div>
          </div>
        );
      })}
      {anySuggestable && suggest.blocker ? (
        <p data-testid="suggest-unavailable" className="flex items-start gap-1.5 text-xs text-stone-500 dark:text-stone-400">
          <Icon name="info" className="mt-0.5 h-3.5 w-3.5 shrink-0" />
          {suggest.blocker}
        </p>
      ) : null}
      {step.fields.some((f) => f.kind !== 'line') ? <p className="text-xs text-stone-500 dark:text-stone-400">Ctrl+Enter goes to the next step.</p> : null}
    </div>
  );
}

const BIG_FIVE_LABELS: Record<(typeof BIG_FIVE)[number], string> = {
  openness: 'Openness',
  conscientiousness: 'Conscientiousness',
  extraversion: 'Extraversion',
  agreeableness: 'Agreeableness',
  neuroticism: 'Neuroticism',
};

function Temperament({ draft, update }: { draft: InterviewDraft; update: Update }) {
  const { mbti, bigFive, behaviour } = draft.answers;
  const suggestions = temperamentSuggestions(mbti, bigFive);
  const have = new Set(behaviour.split('\n').map((l) => l.trim().toLowerCase()));
  const open = suggestions.filter((s) => !have.has(s.toLowerCase()));
  return (
    <fieldset className="mt-5 rounded-xl border border-stone-200 p-4 dark:border-stone-800">
      <legend className="px-1 text-sm font-medium text-stone-700 dark:text-stone-300">Temperament (optional)</legend>
      <div className="flex flex-wrap items-end gap-4">
        <div className="w-40">
          <Label htmlFor="interview-mbti">MBTI type</Label>
          <select id="interview-mbti" className={inputClass} value={mbti} onChange={(e) => update((d) => setAnswer(d, 'mbti', e.target.value))}>
            <option value="">None</option>
            {MBTI_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <p className="min-w-0 flex-1 text-xs text-stone-500 dark:text-stone-400">A pick suggests behaviour, it writes nothing by itself: add the phrases that fit.</p>
      </div>
      <div className="mt-3 grid max-w-md gap-2">
        {BIG_FIVE.map((factor) => (
          <div key={factor} role="radiogroup" aria-label={BIG_FIVE_LABELS[factor]} className="flex items-center justify-between gap-2">
            <span className="text-sm text-stone-700 dark:text-stone-300">{BIG_FIVE_LABELS[factor]}</span>
            <span className="inline-flex overflow-hidden rounded-lg border border-stone-300 dark:border-stone-700">
              {([null, 'low', 'high'] as const).map((pole) => {
                const checked = (bigFive[factor] ?? null) === pole;
                return (
                  <button
                    key={pole ?? 'none'}
                    type="button"
                    role="radio"
                    aria-checked={checked}
                    onClick={() => update((d) => setBigFive(d, factor, pole))}
                    className={`px-2.5 py-1 text-xs ${checked ? 'bg-accent-600 text-white' : 'bg-white text-stone-600 hover:bg-stone-100 dark:bg-stone-900 dark:text-stone-300 dark:hover:bg-stone-800'}`}
                  >
                    {pole === null ? '—' : pole === 'low' ? 'Low' : 'High'}
                  </button>
                );
              })}
            </span>
          </div>
        ))}
      </div>
      {open.length ? (
        <div className="mt-4">
          <p className="mb-2 text-xs font-medium text-stone-600 dark:text-stone-400">Suggested behaviour</p>
          <ul className="flex flex-wrap gap-1.5" aria-label="Suggested behaviour">
            {open.map((s) => (
              <li key={s}>
                <button
                  type="button"
                  onClick={() => update((d) => addBehaviour(d, s))}
                  className="inline-flex items-center gap-1 rounded-full border border-accent-300 bg-accent-50 px-2.5 py-1 text-xs text-accent-900 hover:bg-accent-100 dark:border-accent-800 dark:bg-accent-900/30 dark:text-accent-100 dark:hover:bg-accent-900/50"
                >
                  <Icon name="plus" className="h-3 w-3" />
                  {s}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </fieldset>
  );
}

function ProposalRow({ text, onAccept, onReject }: { text: string; onAccept: (text: string) => void; onReject: () => void }) {
  // Rows are keyed by the proposal's text: a new proposal is a new row with its own edit.
  const [value, setValue] = useState(text);
  return (
    <li data-testid="proposal-row" data-proposal={text} className="flex items-center gap-2">
      <input
        aria-label="Proposed statement"
        className={inputClass}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            onAccept(value);
          }
        }}
      />
      <Button size="sm" variant="secondary" icon={<Icon name="check" />} onClick={() => onAccept(value)} aria-label={`Accept: ${value}`}>
        Accept
      </Button>
      <Button size="sm" variant="ghost" icon={<Icon name="x" />} onClick={onReject} aria-label={`Reject: ${text}`}>
        Reject
      </Button>
    </li>
  );
}

function Proposals({ draft, step, update }: { draft: InterviewDraft; step: InterviewStep; update: Update }) {
  const user = useUserName();
  const pending = useMemo(() => pendingProposals(draft, step.id, user), [draft, step.id, user]);
  const accepted = draft.accepted.filter((a) => a.step === step.id);
  return (
    <section aria-labelledby="proposals-title" data-testid="interview-proposals" className="rounded-2xl border border-stone-200 bg-white p-5 dark:border-stone-800 dark:bg-stone-900/60">
      <div className="flex items-center gap-2">
        <h2 id="proposals-title" className="flex-1 text-sm font-semibold text-stone-900 dark:text-stone-100">
          Statements from this step
        </h2>
        {pending.length > 1 ? (
          <Button size="sm" onClick={() => update((d) => pending.reduce((acc, p) => acceptProposal(acc, step.id, p), d))}>
            Accept all
          </Button>
        ) : null}
      </div>
      <p className="mt-1 text-xs text-stone-500 dark:text-stone-400">Short facts the checker holds replies to. Accept those that are true, edit them first if needed.</p>
      {pending.length === 0 && accepted.length === 0 ? (
        <p data-testid="proposals-empty" className="mt-3 text-sm text-stone-500 dark:text-stone-400">
          {stepAnswered(step, draft.answers) ? 'Nothing more to propose from these answers.' : 'Answer above and proposed statements appear here.'}
        </p>
      ) : null}
      {pending.length ? (
        <ul className="mt-3 flex flex-col gap-2" aria-label="Proposed statements">
          {pending.map((p) => (
            <ProposalRow key={p} text={p} onAccept={(text) => update((d) => acceptProposal(d, step.id, p, text))} onReject={() => update((d) => rejectProposal(d, p))} />
          ))}
        </ul>
      ) : null}
      {accepted.length ? (
        <>
          <h3 className="mt-4 text-xs font-medium uppercase tracking-wide text-stone-500 dark:text-stone-400">Accepted</h3>
          <ul className="mt-2 flex flex-col gap-2" aria-label="Accepted statements">
            {accepted.map((a) => (
              <li key={a.id} data-testid="accepted-row" className="flex items-center gap-2">
                <Icon name="check" className="h-4 w-4 shrink-0 text-accent-600 dark:text-accent-400" />
                <input aria-label="Accepted statement" className={inputClass} value={a.text} onChange={(e) => update((d) => editAccepted(d, a.id, e.target.value))} />
                <Button size="sm" variant="ghost" icon={<Icon name="trash" />} aria-label={`Remove: ${a.text}`} onClick={() => update((d) => removeAccepted(d, a.id))}>
                  Remove
                </Button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
