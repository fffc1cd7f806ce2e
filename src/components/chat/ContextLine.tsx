/**
 * Drawn above the oldest message the model still sees: what is above it is
 * no longer in the prompt (the context is full), though it stays in the chat.
 */
export function ContextLine() {
  return (
    <div role="separator" aria-label="The model does not see the messages above this line" data-testid="context-line" className="my-2 flex items-center gap-2 px-3 text-xs text-amber-700 dark:text-amber-300">
      <span aria-hidden className="h-px flex-1 bg-amber-300 dark:bg-amber-700" />
      <span title="The next reply's prompt starts here: older messages no longer fit the model's context (Sampling settings → Context size).">
        ↑ Beyond the model’s context · it sees from here down
      </span>
      <span aria-hidden className="h-px flex-1 bg-amber-300 dark:bg-amber-700" />
    </div>
  );
}
