/** A small inline icon set (stroke icons, 20px grid); no icon font, works offline. */
const PATHS = {
  plus: 'M10 4v12M4 10h12',
  search: 'M9 15a6 6 0 1 0 0-12 6 6 0 0 0 0 12Zm4.5-1.5L17 17',
  upload: 'M10 13V3m0 0L6 7m4-4 4 4M4 13v3h12v-3',
  download: 'M10 3v10m0 0-4-4m4 4 4-4M4 13v3h12v-3',
  copy: 'M7 7h9v9H7zM4 13V4h9',
  trash: 'M4 6h12M8 6V4h4v2m-6 0 1 10h6l1-10',
  chat: 'M4 5h12v8H9l-4 3v-3H4z',
  edit: 'M4 16h3l8-8-3-3-8 8v3Z',
  sun: 'M10 14a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm0-11v1m0 12v1M3 10h1m12 0h1M5 5l.7.7m8.6 8.6.7.7M5 15l.7-.7m8.6-8.6.7-.7',
  moon: 'M15 12.5A6 6 0 0 1 7.5 5a6 6 0 1 0 7.5 7.5Z',
  menu: 'M3 6h14M3 10h14M3 14h14',
  x: 'M5 5l10 10M15 5 5 15',
  chevronLeft: 'M12 5l-5 5 5 5',
  chevronRight: 'M8 5l5 5-5 5',
  up: 'M10 15V5m0 0-4 4m4-4 4 4',
  down: 'M10 5v10m0 0-4-4m4 4 4-4',
  sparkle: 'M10 3l1.5 4.5L16 9l-4.5 1.5L10 15l-1.5-4.5L4 9l4.5-1.5z',
  check: 'M4 10l4 4 8-8',
  cpu: 'M6 6h8v8H6zM8 3v3m4-3v3M8 14v3m4-3v3M3 8h3m-3 4h3m8-4h3m-3 4h3',
  settings: 'M10 12.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5ZM10 2v2m0 12v2M2 10h2m12 0h2M4.3 4.3l1.4 1.4m8.6 8.6 1.4 1.4M4.3 15.7l1.4-1.4m8.6-8.6 1.4-1.4',
  stop: 'M6 6h8v8H6z',
  send: 'M4 10l12-6-4 12-2-5z',
  refresh: 'M16 10a6 6 0 1 1-2-4.5M16 3v4h-4',
  warning: 'M10 3 2 17h16L10 3Zm0 5v4m0 2.5v.5',
  book: 'M4 4h5a2 2 0 0 1 2 2v10a2 2 0 0 0-2-2H4zm12 0h-5a2 2 0 0 0-2 2',
  grip: 'M7 5h.01M7 10h.01M7 15h.01M13 5h.01M13 10h.01M13 15h.01',
  audit: 'M6 3h8v14H6zM8 7h4M8 10h4M8 13h2',
  star: 'm10 3 2.2 4.5 4.8.7-3.5 3.4.8 4.9L10 14.2l-4.3 2.3.8-4.9L3 8.2l4.8-.7z',
  pin: 'M8 3h4l-1 5 3 3H6l3-3-1-5Zm2 8v6',
  info: 'M10 17a7 7 0 1 0 0-14 7 7 0 0 0 0 14Zm0-8v4m0-6.5V7',
  branch: 'M6 3v14M14 7a2 2 0 1 0 0-4 2 2 0 0 0 0 4Zm0 0c0 4-8 3-8 7',
  user: 'M10 10a3 3 0 1 0 0-6 3 3 0 0 0 0 6Zm-6 7a6 6 0 0 1 12 0',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, className = 'h-4 w-4' }: { name: IconName; className?: string }) {
  return (
    <svg viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth={1.7} strokeLinecap="round" strokeLinejoin="round" className={className} aria-hidden="true">
      <path d={PATHS[name]} />
    </svg>
  );
}
