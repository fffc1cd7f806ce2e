import type { Character } from '../../domain/character';
import { Button, IconButton } from '../ui/Button';
import { Icon } from '../ui/Icon';
import { TextArea } from '../ui/Field';
import { Section } from './Section';

type Update = (change: (c: Character) => Character) => void;

export function GreetingsSection({ character, update }: { character: Character; update: Update }) {
  const alternates = character.card.alternate_greetings;
  const setAlternates = (fn: (a: string[]) => string[]) => update((c) => ({ ...c, card: { ...c.card, alternate_greetings: fn(c.card.alternate_greetings) } }));
  return (
    <Section id="greetings" title="Greetings" description="The first message opens every chat; alternates become swipes of it.">
      <TextArea label="First message" rows={5} value={character.card.first_mes} onChange={(e) => update((c) => ({ ...c, card: { ...c.card, first_mes: e.target.value } }))} />
      {alternates.map((g, i) => (
        <div key={i} className="flex items-start gap-2">
          <TextArea
            className="flex-1"
            label={`Alternate greeting ${i + 1}`}
            rows={3}
            value={g}
            onChange={(e) => setAlternates((a) => a.map((x, j) => (j === i ? e.target.value : x)))}
          />
          <IconButton label={`Delete alternate greeting ${i + 1}`} className="mt-7" onClick={() => setAlternates((a) => a.filter((_, j) => j !== i))}>
            <Icon name="trash" />
          </IconButton>
        </div>
      ))}
      <div>
        <Button size="sm" icon={<Icon name="plus" />} onClick={() => setAlternates((a) => [...a, ''])}>
          Add alternate greeting
        </Button>
      </div>
    </Section>
  );
}
