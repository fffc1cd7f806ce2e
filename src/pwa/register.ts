/**
 * Service worker registration and the update flow, outside React: a small
 * store (subscribe/getSnapshot for useSyncExternalStore) that src/hooks/usePwa.ts
 * reads. Only production builds register (dev has no service worker).
 */
import { messageSW, Workbox } from 'workbox-window';
import { isolationOptedOut } from './isolation';
import { SW_MESSAGES, type SwVersionReply } from './messages';

export interface PwaState {
  /** Service workers exist here and this is a production build. */
  supported: boolean;
  /** A service worker controls the page: the next load works offline. */
  offlineReady: boolean;
  /** Set once when the first install took over this page (for a one-time notice). */
  justInstalled: boolean;
  /** A new version is installed and waits for "Reload". */
  needRefresh: boolean;
  /** `self.crossOriginIsolated` of this page (multi-threaded wasm possible). */
  crossOriginIsolated: boolean;
  /** One reload would make the page cross-origin isolated (see isolationAction). */
  isolationReloadPending: boolean;
  /** The version of the running app (APP_VERSION at build time). */
  version: string;
  /** Registration failed (the studio still works, just not offline). */
  error: string | null;
}

/** localStorage key: set when we reloaded for isolation, so we never loop. */
export const ISOLATION_RELOAD_KEY = 'in-character.coi-reload';

export type IsolationAction = 'none' | 'wait' | 'reload' | 'unavailable';

/**
 * What to do about cross-origin isolation:
 * - 'none': already isolated, opted out (?isolate=0) or disabled at build time;
 * - 'wait': no service worker controls the page yet;
 * - 'reload': a reload would come back isolated (once: `alreadyTried` false);
 * - 'unavailable': we reloaded before and it did not help (the browser ignores
 *   service-worker headers, or the host overrides them): never reload again.
 */
export function isolationAction(input: {
  enabled: boolean;
  isolated: boolean;
  optedOut: boolean;
  controlled: boolean;
  alreadyTried: boolean;
}): IsolationAction {
  if (!input.enabled || input.isolated || input.optedOut) return 'none';
  if (!input.controlled) return 'wait';
  return input.alreadyTried ? 'unavailable' : 'reload';
}

// ---------------------------------------------------------------------------
// Store

let state: PwaState = {
  supported: false,
  offlineReady: false,
  justInstalled: false,
  needRefresh: false,
  crossOriginIsolated: typeof self !== 'undefined' && self.crossOriginIsolated === true,
  isolationReloadPending: false,
  version: __APP_VERSION__,
  error: null,
};
const listeners = new Set<() => void>();

function setState(patch: Partial<PwaState>): void {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

export function subscribePwa(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function getPwaState(): PwaState {
  return state;
}

// ---------------------------------------------------------------------------
// Registration

let workbox: Workbox | null = null;
let started = false;
/** Set by applyUpdate: the next controller change is the version the user asked for. */
let reloadOnControl = false;

function readFlag(): boolean {
  try {
    return localStorage.getItem(ISOLATION_RELOAD_KEY) !== null;
  } catch {
    return true; // storage blocked: never risk a reload loop
  }
}

function refreshIsolation(): void {
  const action = isolationAction({
    enabled: __COI_SERVICE_WORKER__,
    isolated: self.crossOriginIsolated === true,
    optedOut: isolationOptedOut(location.href),
    controlled: navigator.serviceWorker.controller !== null,
    alreadyTried: readFlag(),
  });
  setState({ isolationReloadPending: action === 'reload' });
}

/**
 * Registers `./sw.js` (relative: works under any base path). Idempotent.
 * Never throws: a failure only means no offline support, reported in `error`.
 */
export async function startPwa(): Promise<void> {
  if (started) return;
  started = true;
  // The e2e build (`--mode e2e`) registers none either: each of its tests
  // would precache ~40 MB of engine files first. The dist e2e project tests
  // the service worker on the real `vite build`.
  if (!import.meta.env.PROD || import.meta.env.MODE === 'e2e' || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  setState({ supported: true, offlineReady: navigator.serviceWorker.controller !== null });
  // A page isolated on a previous attempt clears the flag, so a later loss of
  // isolation (new host, cleared site data) may try once again.
  if (self.crossOriginIsolated) {
    try {
      localStorage.removeItem(ISOLATION_RELOAD_KEY);
    } catch {
      /* ignore */
    }
  }
  const wb = new Workbox('./sw.js', { scope: './' });
  workbox = wb;
  wb.addEventListener('waiting', () => setState({ needRefresh: true }));
  wb.addEventListener('controlling', (event) => {
    if (reloadOnControl) {
      location.reload();
      return;
    }
    if (!event.isUpdate) {
      // The first install claimed this page (clientsClaim).
      setState({ offlineReady: true, justInstalled: true });
      refreshIsolation();
      return;
    }
    // Another studio tab switched to a new version under this one, whose
    // code is now older than what the service worker serves: offer a reload.
    setState({ needRefresh: true });
  });
  try {
    await wb.register();
    refreshIsolation();
  } catch (e) {
    setState({ error: e instanceof Error ? e.message : String(e) });
  }
}

/** Activates the waiting version and reloads into it (or just reloads when it is already active). */
export async function applyUpdate(): Promise<void> {
  const registration = await navigator.serviceWorker.getRegistration();
  if (!workbox || !registration?.waiting) {
    location.reload();
    return;
  }
  reloadOnControl = true;
  workbox.messageSkipWaiting();
}

/** Hides the prompt for this page; the new version starts when every studio tab is closed. */
export function dismissUpdate(): void {
  setState({ needRefresh: false });
}

export function acknowledgeInstalled(): void {
  setState({ justInstalled: false });
}

/** The one reload that makes the page cross-origin isolated (remembered, never repeated). */
export function reloadForIsolation(): void {
  try {
    localStorage.setItem(ISOLATION_RELOAD_KEY, String(Date.now()));
  } catch {
    return;
  }
  location.reload();
}

/** Asks the controlling service worker for its version (null when none answers). */
export async function serviceWorkerVersion(): Promise<SwVersionReply | null> {
  const controller = typeof navigator !== 'undefined' ? navigator.serviceWorker?.controller : null;
  if (!controller) return null;
  try {
    return (await messageSW(controller, { type: SW_MESSAGES.getVersion })) as SwVersionReply;
  } catch {
    return null;
  }
}

/**
 * True while the user is typing into a field that holds text: a reload then
 * would lose it (drafts in the composer are not saved).
 */
export function userIsEditing(doc: Document = document): boolean {
  const el = doc.activeElement as (HTMLElement & { value?: string }) | null;
  if (!el) return false;
  if (el.isContentEditable) return true;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'INPUT') return (el.value ?? '') !== '';
  return false;
}
