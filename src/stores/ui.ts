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
}

export type ThemeChoice = 'light' | 'dark' | 'system';

interface UiState {
  notices: Notice[];
  notify: (n: Omit<Notice, 'id' | 'timeoutMs'> & { timeoutMs?: number }) => number;
  dismiss: (id: number) => void;
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
    if (timeoutMs > 0) setTimeout(() => get().dismiss(id), timeoutMs);
    return id;
  },
  dismiss: (id) => set({ notices: get().notices.filter((n) => n.id !== id) }),
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
