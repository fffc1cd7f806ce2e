/**
 * TEST DOUBLE (development builds and the e2e build only): makes one screen
 * throw while it renders, so the e2e tests can check that every screen's
 * error boundary catches it and offers its way out. Switched on by a
 * localStorage key that only the tests set; in `vite build` the check below is
 * the literal `true`, so the rest is removed.
 */
export const CRASH_SCREEN_KEY = 'in-character.crash-screen';

/** @throws Error when the tests asked `screen` to fail. */
export function crashProbe(screen: string): void {
  if (!import.meta.env.DEV && import.meta.env.MODE !== 'e2e') return;
  if (globalThis.localStorage?.getItem(CRASH_SCREEN_KEY) === screen) {
    throw new TypeError(`Test crash: the ${screen} screen was asked to fail (${CRASH_SCREEN_KEY}).`);
  }
}
