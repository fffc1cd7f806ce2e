/** Messages between the page and the service worker (both sides import this). */
export const SW_MESSAGES = {
  /** workbox-window's messageSkipWaiting() sends exactly this type. */
  skipWaiting: 'SKIP_WAITING',
  /** Replies on the MessageChannel port with SwVersionReply. */
  getVersion: 'GET_VERSION',
} as const;

export interface SwVersionReply {
  /** APP_VERSION of the build the service worker belongs to. */
  version: string;
  /** Whether it adds COOP/COEP to what it serves. */
  isolates: boolean;
}
