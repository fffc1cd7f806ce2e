/** Build-time constants from vite.config.ts `define` (the app and its service worker). */
declare const __APP_VERSION__: string;
/** False when built with COI_SERVICE_WORKER=off. */
declare const __COI_SERVICE_WORKER__: boolean;
