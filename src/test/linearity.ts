/**
 * Time-growth checks for parsers of untrusted text: run `work` on an input of
 * size n and of size 10n and compare. A linear algorithm costs ~10×, a
 * quadratic one ~100×, so a generous bound separates them even on a loaded,
 * shared machine.
 *
 * Robust timing: the clock is this process's CPU time where there is one
 * (Node), so other processes on a shared machine don't count; each size runs
 * in batches of at least {@link BATCH_MS} (short inputs repeat until then) and
 * the fastest of {@link BATCHES} batches counts, which filters out GC pauses.
 * A failing ratio is measured again (up to {@link ATTEMPTS} times) before it
 * counts: noise rarely repeats, a quadratic cost always does.
 *
 * Keep inputs small (≤ ~20,000 characters for line-heavy text): past that,
 * V8's per-object cost jumps once a parse's live objects outgrow the young
 * generation (measured here: 0.04 → 0.6 µs a character for one short line per
 * two characters, old and new parser alike), a step that is not the
 * algorithm's and would read as superlinear.
 */

/**
 * What 10× the input may cost, in times the time. Linear code measures 9–12.5
 * on a quiet machine (allocation and cache effects grow a little with size);
 * on the shared 2-core machine, with other processes thrashing the caches,
 * 15.0 and 15.4 were seen even in the `linear` vitest project that runs these
 * alone. The quadratic first parser measures 77–125 on the same inputs, so 20
 * still separates the two by a factor of four.
 */
export const LINEAR_GROWTH_BOUND = 20;

const BATCH_MS = 15;
const BATCHES = 5;
const ATTEMPTS = 3;

/** Milliseconds of CPU time used by this process so far (wall time where unknown). */
const clock: () => number =
  typeof process !== 'undefined' && typeof process.cpuUsage === 'function'
    ? () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      }
    : () => performance.now();

/** Milliseconds per call of `work(input)`: the fastest of several batches. */
export function msPerCall(work: (input: string) => unknown, input: string): number {
  let best = Number.POSITIVE_INFINITY;
  for (let b = 0; b < BATCHES; b++) {
    let calls = 0;
    const t0 = clock();
    let elapsed: number;
    do {
      work(input);
      calls++;
      elapsed = clock() - t0;
    } while (elapsed < BATCH_MS);
    best = Math.min(best, elapsed / calls);
  }
  return best;
}

export interface Growth {
  /** time(10n) / time(n), the smallest over the attempts made. */
  ratio: number;
  smallMs: number;
  largeMs: number;
}

/**
 * How `work`'s time grows from `makeInput(n)` to `makeInput(10 n)`. Stops
 * early once a ratio is at most `bound`; otherwise returns the best of
 * {@link ATTEMPTS}.
 */
export function timeGrowth(work: (input: string) => unknown, makeInput: (n: number) => string, n: number, bound: number): Growth {
  const small = makeInput(n);
  const large = makeInput(10 * n);
  let best: Growth = { ratio: Number.POSITIVE_INFINITY, smallMs: 0, largeMs: 0 };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    // Warm the JIT on both shapes before timing.
    if (attempt === 0) for (const t0 = clock(); clock() - t0 < BATCH_MS; ) work(small);
    work(large);
    const smallMs = msPerCall(work, small);
    const largeMs = msPerCall(work, large);
    const ratio = largeMs / smallMs;
    if (ratio < best.ratio) best = { ratio, smallMs, largeMs };
    if (ratio <= bound) break;
  }
  return best;
}

/** `unit` repeated to exactly `n` characters (cut mid-unit if need be). */
export function repeatTo(unit: string, n: number): string {
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}
