import type { CardData } from '../../domain/character';
import { Avatar } from '../ui/Avatar';

function Part({ title, text, testId }: { title: string; text: string; testId: string }) {
  return (
    <div>
      <h3 className="text-xs font-medium uppercase tracking-wide text-stone-500 dark:text-stone-400">{title}</h3>
      {text.trim() ? (
        <p data-testid={testId} className="mt-1 whitespace-pre-wrap break-words text-sm leading-relaxed text-stone-800 dark:text-stone-200">
          {text}
        </p>
      ) : (
        <p className="mt-1 text-sm italic text-stone-400 dark:text-stone-500">Not written yet</p>
      )}
    </div>
  );
}

/** The card as it grows; text from answers is shown as text, never HTML. */
export function InterviewPreview({ card, statements }: { card: CardData; statements: string[] }) {
  return (
    <aside aria-label="Card preview" data-testid="interview-preview" className="h-fit rounded-2xl border border-stone-200 bg-stone-50 p-5 lg:sticky lg:top-5 dark:border-stone-800 dark:bg-stone-900/40">
      <div className="flex items-center gap-3">
        <Avatar blob={null} name={card.name} />
        <div className="min-w-0">
          <p data-testid="preview-name" className="truncate font-semibold text-stone-900 dark:text-stone-100">
            {card.name}
          </p>
          {card.nickname ? <p className="truncate text-xs text-stone-500 dark:text-stone-400">“{card.nickname}”</p> : null}
        </div>
      </div>
      <div className="mt-4 flex flex-col gap-3">
        <Part title="Description" text={card.description} testId="preview-description" />
        <Part title="Personality" text={card.personality} testId="preview-personality" />
        <Part title="Scenario" text={card.scenario} testId="preview-scenario" />
        <Part title="Greeting" text={card.first_mes} testId="preview-greeting" />
        <Part title="Example dialogues" text={card.mes_example} testId="preview-examples" />
        <div>
          <h3 className="text-xs font-medium uppercase tracking-wide text-stone-500 dark:text-stone-400">Statements ({statements.length})</h3>
          {statements.length ? (
            <ul data-testid="preview-statements" className="mt-1 list-disc pl-5 text-sm text-stone-800 dark:text-stone-200">
              {statements.map((s, i) => (
                <li key={`${i}:${s}`} className="break-words">
                  {s}
                </li>
              ))}
            </ul>
          ) : (
            <p className="mt-1 text-sm italic text-stone-400 dark:text-stone-500">None accepted yet</p>
          )}
        </div>
      </div>
    </aside>
  );
}
