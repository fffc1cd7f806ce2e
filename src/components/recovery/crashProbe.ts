/**
 * TEST DOUBLE (development builds only): makes one screen throw while it
 * renders, so the e2e tests can check that every screen's error boundary
 * catches it and offers its way out. Switched on by a localStorage key that
 * only the tests set; `import.meta.env.DEV` is false in production builds, so
 * the check is removed from them.
 */
export const CRASH_SCREEN_KEY = 'in-character.crash-screen';

/** @throws Error when the tests asked `screen` to fail. */
export function crashProbe(screen: string): void {
  if (!import.meta.env.DEV) return;
  if (globalThis.localStorage?.getItem(CRASH_SCREEN_KEY) === screen) {
    throw new TypeError(`Test crash: the ${screen} screen was asked to fail (${CRASH_SCREEN_KEY}).`);
  }
}
