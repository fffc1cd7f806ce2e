import { useState } from 'react';
import { DEFAULT_SAMPLING, type SamplingSettings } from '../../domain/chat';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { TextField } from '../ui/Field';

const FIELDS: { key: keyof SamplingSettings; label: string; min: number; max: number; step: number; hint: string }[] = [
  { key: 'temperature', label: 'Temperature', min: 0, max: 2, step: 0.05, hint: 'higher = more surprising' },
  { key: 'topP', label: 'Top-p', min: 0.05, max: 1, step: 0.05, hint: 'nucleus sampling' },
  { key: 'maxTokens', label: 'Max reply tokens', min: 16, max: 4096, step: 16, hint: 'length limit of one reply' },
  { key: 'presencePenalty', label: 'Presence penalty', min: -2, max: 2, step: 0.1, hint: 'WebLLM engine' },
  { key: 'repetitionPenalty', label: 'Repetition penalty', min: 1, max: 2, step: 0.05, hint: '1 = off' },
  { key: 'contextSize', label: 'Context size (tokens)', min: 512, max: 131072, step: 256, hint: 'prompt + reply budget' },
];

export function SamplingDialog({ open, value, onClose, onSave }: { open: boolean; value: SamplingSettings; onClose: () => void; onSave: (s: SamplingSettings) => void }) {
  const [draft, setDraft] = useState(value);
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
          <Button variant="ghost" onClick={() => setDraft({ ...DEFAULT_SAMPLING })}>
            Defaults
          </Button>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" onClick={() => onSave(Object.fromEntries(FIELDS.map((f) => [f.key, clamp(f.key, draft[f.key])])) as unknown as SamplingSettings)}>
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
    </Dialog>
  );
}
