/**
 * How long a state may take when a model truly computes (a load, a reply, a
 * checker pass) on a busy 2-core CI machine. Specs wait for the state itself;
 * this is only the ceiling. Everything else uses the config's expect timeout.
 */
export const MODEL_MS = 180_000;
