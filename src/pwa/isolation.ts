/**
 * Cross-origin isolation added by the service worker, for static hosts that
 * cannot send COOP/COEP themselves (GitHub Pages, a USB stick served by any
 * file server). Pure functions: shared by the service worker (src/pwa/sw.ts)
 * and the page (src/pwa/register.ts), unit-tested in Node.
 *
 * How it works (the coi-serviceworker idea): the service worker answers the
 * app's own files from its precache and re-creates each response with
 * `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`. A page served that way is
 * `crossOriginIsolated`, so onnxruntime-web can use SharedArrayBuffer threads.
 * The first visit is not served by the service worker yet: the page reloads
 * once when that is safe (src/pwa/register.ts).
 */

/** `?isolate=0` on the page URL opts this visit out (the service worker then sends no COOP/COEP). */
export const ISOLATE_PARAM = 'isolate';

/**
 * require-corp, not credentialless: Safari does not know credentialless, and
 * everything the studio loads cross-origin (model files) is fetched with CORS,
 * which require-corp allows.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** True when the URL asks not to be isolated (`?isolate=0` or `?isolate=off`). */
export function isolationOptedOut(url: string | URL): boolean {
  const value = new URL(url).searchParams.get(ISOLATE_PARAM);
  return value === '0' || value === 'off' || value === 'false';
}

/**
 * Whether the service worker should add COOP/COEP to this response.
 * Navigations follow the opt-out; everything else the service worker serves
 * (same-origin scripts, workers, wasm) always gets them: COEP on a worker
 * script is what makes a dedicated worker isolated, and it is harmless on a
 * plain script.
 */
export function shouldIsolate(request: { mode: string; url: string }, enabled: boolean): boolean {
  if (!enabled) return false;
  if (request.mode === 'navigate') return !isolationOptedOut(request.url);
  return true;
}

/**
 * A copy of `response` with the isolation headers. Opaque and error responses
 * are returned untouched (their headers can't be read or don't matter).
 */
export function withIsolationHeaders(response: Response): Response {
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.status === 0) return response;
  if (Object.entries(ISOLATION_HEADERS).every(([k, v]) => response.headers.get(k) === v)) return response;
  const headers = new Headers(response.headers);
  for (const [k, v] of Object.entries(ISOLATION_HEADERS)) headers.set(k, v);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
