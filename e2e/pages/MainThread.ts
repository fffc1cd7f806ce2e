import type { Page } from '@playwright/test';

declare global {
  interface Window {
    __longTasks?: { start: number; duration: number }[];
  }
}

/**
 * Main-thread health, measured in the page by the browser itself: every long
 * task (≥ 50 ms) is recorded by a PerformanceObserver installed before the
 * app loads. Specs compare the longest task in a window of their steps with
 * a bound, instead of sleeping and hoping.
 */
export class MainThread {
  constructor(readonly page: Page) {}

  /** Call before `page.goto`: starts recording long tasks. */
  static async watch(page: Page) {
    await page.addInitScript(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks!.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    });
    return new MainThread(page);
  }

  /** The page's clock now (ms), to start a measuring window. */
  now(): Promise<number> {
    return this.page.evaluate(() => performance.now());
  }

  /** The longest task (ms) that started at or after `since` (0 when none). */
  async longestTaskSince(since: number): Promise<number> {
    // A frame first, so a task that just ended has been reported.
    return this.page.evaluate(
      (t) =>
        new Promise<number>((resolve) =>
          requestAnimationFrame(() => setTimeout(() => resolve(Math.max(0, ...(window.__longTasks ?? []).filter((e) => e.start >= t).map((e) => e.duration))), 0)),
        ),
      since,
    );
  }
}
