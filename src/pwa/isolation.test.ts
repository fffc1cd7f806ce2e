import { describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS, isolationOptedOut, shouldIsolate, withIsolationHeaders } from './isolation';
import { isolationAction } from './register';

describe('service-worker isolation headers', () => {
  it('adds COOP/COEP and keeps status, type and body', async () => {
    const original = new Response('<!doctype html>', { status: 200, headers: { 'Content-Type': 'text/html', 'X-Kept': '1' } });
    const r = withIsolationHeaders(original);
    expect(r.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    expect(r.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(r.headers.get('Content-Type')).toBe('text/html');
    expect(r.headers.get('X-Kept')).toBe('1');
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('<!doctype html>');
  });

  it('returns a response that already has them untouched', () => {
    const r = new Response('x', { headers: ISOLATION_HEADERS });
    expect(withIsolationHeaders(r)).toBe(r);
  });

  it('isolates navigations unless ?isolate=0, and always the files they load', () => {
    expect(shouldIsolate({ mode: 'navigate', url: 'https://h.example/studio/' }, true)).toBe(true);
    expect(shouldIsolate({ mode: 'navigate', url: 'https://h.example/studio/?isolate=0' }, true)).toBe(false);
    expect(shouldIsolate({ mode: 'navigate', url: 'https://h.example/studio/index.html?isolate=off#/c/1' }, true)).toBe(false);
    expect(shouldIsolate({ mode: 'same-origin', url: 'https://h.example/studio/assets/w.js?isolate=0' }, true)).toBe(true);
    expect(shouldIsolate({ mode: 'navigate', url: 'https://h.example/studio/' }, false)).toBe(false);
    expect(isolationOptedOut('https://h.example/studio/?isolate=1')).toBe(false);
  });
});

describe('isolationAction (the one-time reload)', () => {
  const base = { enabled: true, isolated: false, optedOut: false, controlled: true, alreadyTried: false };
  it('reloads once when a service worker controls a page that is not isolated yet', () => {
    expect(isolationAction(base)).toBe('reload');
  });
  it('never loops: a second time it gives up', () => {
    expect(isolationAction({ ...base, alreadyTried: true })).toBe('unavailable');
  });
  it('waits for the service worker, and does nothing when isolated, opted out or disabled', () => {
    expect(isolationAction({ ...base, controlled: false })).toBe('wait');
    expect(isolationAction({ ...base, isolated: true })).toBe('none');
    expect(isolationAction({ ...base, optedOut: true })).toBe('none');
    expect(isolationAction({ ...base, enabled: false })).toBe('none');
  });
});
