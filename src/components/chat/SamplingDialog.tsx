import { useState } from 'react';
import { DEFAULT_SAMPLING, DEFAULT_TAKES, GUARD_RETRIES_MAX, GUARD_RETRIES_MIN, TAKES_MAX, TAKES_MIN, clampTakes, type Chat, type SamplingSettings, type TakeSettings } from '../../domain/chat';
import { useMessageActions } from '../../hooks/useChat';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { TextField, Toggle } from '../ui/Field';

const FIELDS: { key: keyof SamplingSettings; label: string; min: number; max: number; step: number; hint: string }[] = [
  { key: 'temperature', label: 'Temperature', min: 0, max: 2, step: 0.05, hint: 'higher = more surprising' },
  { key: 'topP', label: 'Top-p', min: 0.05, max: 1, step: 0.05, hint: 'nucleus sampling' },
  { key: 'maxTokens', label: 'Max reply tokens', min: 16, max: 4096, step: 16, hint: 'length limit of one reply' },
  { key: 'presencePenalty', label: 'Presence penalty', min: -2, max: 2, step: 0.1, hint: 'WebLLM engine' },
  { key: 'repetitionPenalty', label: 'Repetition penalty', min: 1, max: 2, step: 0.05, hint: '1 = off' },
  { key: 'contextSize', label: 'Context size (tokens)', min: 512, max: 131072, step: 256, hint: 'prompt + reply budget' },
];

/** A chat's sampling and takes, saved to the chat (the one-to-one chat and the group scene). */
export function ChatSamplingDialog({ chat, onClose }: { chat: Chat; onClose: () => void }) {
  const actions = useMessageActions();
  return (
    <SamplingDialog
      open
      value={chat.sampling}
      takes={chat.takes}
      onClose={onClose}
      onSave={(s, takes) => {
        onClose();
        void actions.updateSampling(chat.id, s, takes);
      }}
    />
  );
}

export function SamplingDialog({
  open,
  value,
  takes,
  onClose,
  onSave,
}: {
  open: boolean;
  value: SamplingSettings;
  takes: TakeSettings;
  onClose: () => void;
  onSave: (s: SamplingSettings, takes: TakeSettings) => void;
}) {
  const [draft, setDraft] = useState(value);
  const [takesDraft, setTakesDraft] = useState(takes);
  const clamp = (k: keyof SamplingSettings, v: number) => {
    const f = FIELDS.find((x) => x.key === k)!;
    return Number.isFinite(v) ? Math.min(f.max, Math.max(f.min, v)) : value[k];
  };
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Sampling for this chat"
      footer={
        <>
          <Button
            variant="ghost"
            onClick={() => {
              setDraft({ ...DEFAULT_SAMPLING });
              setTakesDraft({ ...DEFAULT_TAKES });
            }}
          >
            Defaults
          </Button>
          <Button onClick={onClose}>Cancel</Button>
          <Button
            variant="primary"
            onClick={() => onSave(Object.fromEntries(FIELDS.map((f) => [f.key, clamp(f.key, draft[f.key])])) as unknown as SamplingSettings, clampTakes(takesDraft))}
          >
            Save
          </Button>
        </>
      }
    >
      <div className="grid gap-4 sm:grid-cols-2">
        {FIELDS.map((f) => (
          <TextField
            key={f.key}
            label={f.label}
            hint={f.hint}
            type="number"
            min={f.min}
            max={f.max}
            step={f.step}
            value={draft[f.key]}
            onChange={(e) => setDraft({ ...draft, [f.key]: Number(e.target.value) })}
          />
        ))}
      </div>
      <section aria-labelledby="keeping-title" className="mt-5 border-t border-stone-200 pt-4 dark:border-stone-800">
        <h3 id="keeping-title" className="text-sm font-semibold text-stone-900 dark:text-stone-100">
          Keeping the character
        </h3>
        <p className="mt-1 mb-3 text-xs text-stone-500 dark:text-stone-400">
          Needs the consistency checker. Each extra take or retry costs one more reply of generation and a check.
        </p>
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField
            label="Takes per reply"
            hint={`${TAKES_MIN}–${TAKES_MAX}; the most consistent shown first`}
            type="number"
            min={TAKES_MIN}
            max={TAKES_MAX}
            step={1}
            value={takesDraft.perReply}
            onChange={(e) => setTakesDraft({ ...takesDraft, perReply: Number(e.target.value) })}
          />
          <div className="flex flex-col gap-2">
            <div className="flex items-center gap-2">
              <Toggle label="Guard" checked={takesDraft.guard} onChange={(guard) => setTakesDraft({ ...takesDraft, guard })} />
              <span className="text-sm font-medium text-stone-700 dark:text-stone-300" aria-hidden="true">
                Guard {takesDraft.guard ? 'on' : 'off'}
              </span>
            </div>
            <p className="text-xs text-stone-500 dark:text-stone-400">A reply that contradicts the character is regenerated in character by itself.</p>
          </div>
          {takesDraft.guard ? (
            <TextField
              label="Guard retries"
              hint={`${GUARD_RETRIES_MIN}–${GUARD_RETRIES_MAX}; stops at the first clean reply`}
              type="number"
              min={GUARD_RETRIES_MIN}
              max={GUARD_RETRIES_MAX}
              step={1}
              value={takesDraft.guardRetries}
              onChange={(e) => setTakesDraft({ ...takesDraft, guardRetries: Number(e.target.value) })}
            />
          ) : null}
        </div>
      </section>
    </Dialog>
  );
}
