#!/usr/bin/env node
// Renders the web-app icons in public/icons/ from public/icon.svg with
// Chromium (Playwright's Debian binary, like the e2e tests). Re-run after
// changing the SVG:  node scripts/pwa-icons.mjs
//
// - icon-192.png, icon-512.png: the SVG as drawn (rounded square, transparent corners).
// - icon-maskable-512.png: full-bleed background, the glyph shrunk into the
//   central 80% "safe zone" that every launcher mask keeps.
// - apple-touch-icon.png (180): full-bleed, iOS rounds it itself.
import { chromium } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const svg = readFileSync(`${ROOT}public/icon.svg`, 'utf8');
const OUT = `${ROOT}public/icons/`;
mkdirSync(OUT, { recursive: true });

/** The SVG's background colour (first rect fill), reused for full-bleed variants. */
const background = /<rect[^>]*fill="([^"]+)"/.exec(svg)?.[1] ?? '#7c3aed';
const inner = svg.replace(/^<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '').replace(/<rect[^>]*\/>/, '');

/** Full-bleed square, glyph scaled by `scale` around the centre (viewBox 64). */
const fullBleed = (scale) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="${background}"/>` +
  `<g transform="translate(${32 - 32 * scale} ${32 - 32 * scale}) scale(${scale})">${inner}</g></svg>`;

const targets = [
  { file: 'icon-192.png', size: 192, svg },
  { file: 'icon-512.png', size: 512, svg },
  { file: 'icon-maskable-512.png', size: 512, svg: fullBleed(0.72) },
  { file: 'apple-touch-icon.png', size: 180, svg: fullBleed(0.86) },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  for (const t of targets) {
    await page.setViewportSize({ width: t.size, height: t.size });
    const sized = t.svg.replace('<svg ', `<svg width="${t.size}" height="${t.size}" `);
    await page.setContent(`<html><body style="margin:0;background:transparent">${sized}</body></html>`);
    await page.screenshot({ path: `${OUT}${t.file}`, omitBackground: true, clip: { x: 0, y: 0, width: t.size, height: t.size } });
    console.log(`public/icons/${t.file} (${t.size}×${t.size})`);
  }
} finally {
  await browser.close();
}
