/**
 * Test helper (Node only): reads the shared real-world cards and this folder's
 * JSON fixtures. The shared cards are third-party files (see SOURCES.md there)
 * and are deliberately not copied into the repo.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Project root: src/domain/cards/testdata → four levels up. */
const projectRoot = path.resolve(here, '../../../..');

export const SHARED_CARDS_DIR = path.resolve(projectRoot, '../shared/fixtures/cards');

/** Bytes of a shared real-world fixture, failing loudly when the folder is missing. */
export function sharedCard(name: string): Uint8Array {
  const file = path.join(SHARED_CARDS_DIR, name);
  if (!existsSync(file)) {
    throw new Error(`Shared card fixture missing: ${file} (expected ../shared/fixtures/cards beside the project).`);
  }
  return new Uint8Array(readFileSync(file));
}

/** Bytes of a fixture in this folder. */
export function localFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(here, name)));
}

/** A fixture in this folder, parsed as JSON. */
export function localJson(name: string): unknown {
  return JSON.parse(readFileSync(path.join(here, name), 'utf8')) as unknown;
}

export const SHARED_CARD_PNGS = ['default_Seraphina.png', 'default_FluxTheCat.png', 'default_CodingSensei.png'];
