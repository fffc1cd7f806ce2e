import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { ChatPage } from './pages/ChatPage';
import { StudioPage } from './pages/StudioPage';
import { chromiumArgs } from './playwright.config';
import { MODEL_MS } from './pages/limits';

/**
 * The browser really runs out of space while a reply streams: Chromium's
 * profile lives on a small tmpfs, and the test fills the rest of the origin's
 * quota from the page (a second IndexedDB database) while the SCRIPTED reply
 * is held mid-way. DevTools' Storage.overrideQuotaForOrigin does nothing in
 * this Chromium (../shared/NOTES.md), hence the real disk. Mounting needs root
 * (CI runs as root); elsewhere the test says why it is skipped.
 */
const PROFILE_MB = 48;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

let dir = '';
let context: BrowserContext | null = null;

test.beforeEach(async () => {
  test.skip(!isRoot, 'needs root to mount a small tmpfs for the browser profile');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ic-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${PROFILE_MB}m`, 'tmpfs', dir]);
});

test.afterEach(async () => {
  await context?.close().catch(() => undefined);
  context = null;
  if (dir) {
    execFileSync('umount', ['-l', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
    dir = '';
  }
});

/**
 * Writes incompressible blobs into a second database of the origin until the
 * browser refuses (QuotaExceededError once the disk's free space runs low).
 */
async function fillStorage(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const db: IDBDatabase = await new Promise((res, rej) => {
      const open = indexedDB.open('e2e-filler', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('blobs');
      open.onsuccess = () => res(open.result);
      open.onerror = () => rej(open.error);
    });
    const put = (key: number, bytes: number) =>
      new Promise<boolean>((res) => {
        const tx = db.transaction('blobs', 'readwrite');
        // Random bytes: the database compresses anything repetitive to nothing.
        const data = new Uint8Array(bytes);
        for (let i = 0; i < bytes; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(bytes, i + 65536)));
        tx.objectStore('blobs').put(data, key);
        tx.oncomplete = () => res(true);
        tx.onabort = () => res(false);
        tx.onerror = () => res(false);
      });
    let written = 0;
    let key = 0;
    // Big pieces first, then small ones: nothing of any size fits afterwards.
    for (const size of [1 << 20, 64 << 10, 4 << 10, 256]) {
      while (await put(key++, size)) written += size;
    }
    db.close();
    return written;
  });
}

async function freeStorage(page: Page) {
  await page.evaluate(
    () =>
      new Promise<void>((res, rej) => {
        const r = indexedDB.deleteDatabase('e2e-filler');
        r.onsuccess = () => res();
        r.onerror = () => rej(r.error);
      }),
  );
}

test('storage fills while a reply streams: the text stays, the message says not saved and why, Retry saves it once there is room', async ({ baseURL }) => {
  context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...chromiumArgs, '--disk-cache-size=1'],
    baseURL,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const words = Array.from({ length: 80 }, (_, i) => `w${i}`);
  const reply = words.join(' ');
  await ChatPage.useScript(page, { replies: [reply], wordDelayMs: 40, holdAtWord: 20 });
  const studio = new StudioPage(page);
  const chat = new ChatPage(page);
  await studio.open();
  await chat.openModels();
  await chat.loadModelAndStartChat('scripted', 'Maren Holt');

  await chat.send('Tell me everything.');
  await chat.waitScriptedHeld();
  // The first 20 words are on screen.
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText(words.slice(0, 20).join(' '));
  expect(await fillStorage(page)).toBeGreaterThan(0);
  await chat.releaseScripted();

  // While it streams on, the next save fails: said at once, the text still grows.
  await expect(chat.lastMessage().getByTestId('message-unsaved')).toContainText('Storage full', { timeout: MODEL_MS });
  await chat.waitReplyDone();
  const last = chat.lastMessage();
  await expect(last.getByTestId('message-text')).toHaveText(reply);
  await expect(last).toHaveAttribute('data-saved', 'no');
  await expect(last.getByRole('alert')).toContainText('Settings → Storage');
  await expect(studio.errors.filter({ hasText: 'The reply could not be saved' })).toBeVisible();
  // Storage still holds the older text; the screen never falls back to it.
  const stored = await studio.dumpLibrary();
  // (How much of it got stored depends on when the last periodic save ran —
  // possibly none of it; what matters is that it is a strict prefix.)
  const storedTexts = (stored.messages as { role: string; swipes: { text: string }[] }[])
    .filter((m) => m.role === 'assistant')
    .map((m) => m.swipes[0]?.text ?? '');
  expect(storedTexts).not.toContain(reply);
  expect(storedTexts.some((t) => reply.startsWith(t) && t.length < reply.length)).toBe(true);

  // Room again: Retry stores the whole reply, and a reload shows it from storage.
  await freeStorage(page);
  await last.getByRole('button', { name: 'Retry' }).click();
  await expect(last).toHaveAttribute('data-saved', 'yes');
  await expect(last.getByTestId('message-unsaved')).toHaveCount(0);
  await page.reload();
  await expect(chat.lastMessage().getByTestId('message-text')).toHaveText(reply);
  await expect(chat.lastMessage()).toHaveAttribute('data-state', 'done');
});
