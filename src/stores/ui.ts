import { create } from 'zustand';

export type NoticeKind = 'info' | 'success' | 'error';

export interface Notice {
  id: number;
  kind: NoticeKind;
  title: string;
  detail?: string;
  /** Optional action (e.g. Undo). */
  action?: { label: string; run: () => void | Promise<void> };
  /** ms; 0 keeps it until dismissed. */
  timeoutMs: number;
  /** Move keyboard focus to the action when shown (an Undo after the thing focused was deleted). */
  focusAction?: boolean;
}

export type ThemeChoice = 'light' | 'dark' | 'system';

interface UiState {
  notices: Notice[];
  notify: (n: Omit<Notice, 'id' | 'timeoutMs'> & { timeoutMs?: number }) => number;
  dismiss: (id: number) => void;
  /** Stops a notice's countdown while it is pointed at or focused (held), restarts it after. */
  hold: (id: number, held: boolean) => void;
  theme: ThemeChoice;
  setTheme: (t: ThemeChoice) => void;
  sidebarOpen: boolean;
  setSidebarOpen: (open: boolean) => void;
  librarySearch: string;
  setLibrarySearch: (q: string) => void;
}

let nextNoticeId = 1;
const THEME_KEY = 'in-character.theme';
const DEFAULT_NOTICE_MS = 6000;
/** A released notice stays at least this long, so it does not vanish the moment the pointer leaves. */
const MIN_REMAINING_MS = 2000;

/** Countdowns of the notices that time out, outside the state: they never render. */
const countdowns = new Map<number, { handle: ReturnType<typeof setTimeout> | null; remainingMs: number; startedAt: number }>();

function initialTheme(): ThemeChoice {
  try {
    const t = localStorage.getItem(THEME_KEY);
    if (t === 'light' || t === 'dark' || t === 'system') return t;
  } catch {
    /* storage blocked: fall through */
  }
  return 'system';
}

export const useUi = create<UiState>()((set, get) => ({
  notices: [],
  notify: (n) => {
    const id = nextNoticeId++;
    // Errors stay until dismissed: a user must be able to read them.
    const timeoutMs = n.timeoutMs ?? (n.kind === 'error' ? 0 : DEFAULT_NOTICE_MS);
    set({ notices: [...get().notices, { ...n, id, timeoutMs }] });
    if (timeoutMs > 0) countdowns.set(id, { handle: setTimeout(() => get().dismiss(id), timeoutMs), remainingMs: timeoutMs, startedAt: Date.now() });
    return id;
  },
  dismiss: (id) => {
    const c = countdowns.get(id);
    if (c?.handle) clearTimeout(c.handle);
    countdowns.delete(id);
    set({ notices: get().notices.filter((n) => n.id !== id) });
  },
  hold: (id, held) => {
    const c = countdowns.get(id);
    if (!c) return;
    if (held && c.handle) {
      clearTimeout(c.handle);
      c.handle = null;
      c.remainingMs -= Date.now() - c.startedAt;
    } else if (!held && !c.handle) {
      c.startedAt = Date.now();
      c.handle = setTimeout(() => get().dismiss(id), Math.max(MIN_REMAINING_MS, c.remainingMs));
    }
  },
  theme: typeof localStorage === 'undefined' ? 'system' : initialTheme(),
  setTheme: (theme) => {
    try {
      localStorage.setItem(THEME_KEY, theme);
    } catch {
      /* ignore */
    }
    set({ theme });
  },
  sidebarOpen: false,
  setSidebarOpen: (sidebarOpen) => set({ sidebarOpen }),
  librarySearch: '',
  setLibrarySearch: (librarySearch) => set({ librarySearch }),
}));
