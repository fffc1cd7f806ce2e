import { create } from 'zustand';

/**
 * Hash routing: works from any sub-path on any static host, with no server
 * rewrites.
 */
export type Route =
  | { name: 'home' }
  | { name: 'character'; id: string; tab: 'edit' | 'chat' | 'audit'; chatId?: string }
  /** Guided creation: the interview draft `id` (issue 12 §2). */
  | { name: 'interview'; id: string }
  | { name: 'models' }
  | { name: 'settings' };

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'c' && parts[1]) {
    if (parts[2] === 'audit') return { name: 'character', id: parts[1], tab: 'audit' };
    if (parts[2] === 'chat') return { name: 'character', id: parts[1], tab: 'chat', ...(parts[3] ? { chatId: parts[3] } : {}) };
    return { name: 'character', id: parts[1], tab: 'edit' };
  }
  if (parts[0] === 'guided' && parts[1]) return { name: 'interview', id: parts[1] };
  if (parts[0] === 'models') return { name: 'models' };
  if (parts[0] === 'settings') return { name: 'settings' };
  return { name: 'home' };
}

export function routeToHash(route: Route): string {
  switch (route.name) {
    case 'home':
      return '#/';
    case 'models':
      return '#/models';
    case 'settings':
      return '#/settings';
    case 'interview':
      return `#/guided/${encodeURIComponent(route.id)}`;
    case 'character': {
      const base = `#/c/${encodeURIComponent(route.id)}`;
      if (route.tab === 'edit') return base;
      if (route.tab === 'audit') return `${base}/audit`;
      return route.chatId ? `${base}/chat/${encodeURIComponent(route.chatId)}` : `${base}/chat`;
    }
  }
}

interface RouteState {
  route: Route;
  navigate: (route: Route, opts?: { replace?: boolean }) => void;
}

export const useRoute = create<RouteState>()((set) => ({
  route: typeof location === 'undefined' ? { name: 'home' } : parseHash(location.hash),
  navigate: (route, opts) => {
    const hash = routeToHash(route);
    if (typeof location !== 'undefined' && location.hash !== hash) {
      if (opts?.replace) history.replaceState(null, '', hash);
      else history.pushState(null, '', hash);
    }
    set({ route });
  },
}));

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => useRoute.setState({ route: parseHash(location.hash) }));
  window.addEventListener('hashchange', () => useRoute.setState({ route: parseHash(location.hash) }));
}
