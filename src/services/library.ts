/**
 * Library use-cases: import and export of cards, orchestrating pure card code
 * (domain/cards), storage (db/) and browser file APIs (platform/). No React.
 */
import { CardParseError, MAX_CARD_FILE_BYTES, cardToJsonText, takeStatements, withStatements, writeCardPng, type ImportResult } from '../domain/cards';
import { newStatement, type CardData, type Character, type Lorebook } from '../domain/character';
import { extractStatements } from '../domain/persona';
import { admitCard } from '../domain/storage';
import { repos, type NewCharacterInput } from '../db';
import { AvatarRejectedError, imageToPng, placeholderAvatarPng, toStoredAvatar } from '../platform/image';
import { formatBytes, safeFilename } from '../platform/files';
import { cardImportClient, type CardImportProgress } from '../engines/CardImportClient';

export interface ImportFailure {
  fileName: string;
  reason: string;
}

export interface PendingLorebook {
  fileName: string;
  lorebook: Lorebook;
}

/** Something an import changed to store a card (a default name, a refused image). */
export interface ImportNote {
  fileName: string;
  note: string;
}

export interface ImportOutcome {
  imported: Character[];
  failed: ImportFailure[];
  notes: ImportNote[];
  /** World-info files waiting for the user to pick a character. */
  lorebooks: PendingLorebook[];
}

function describeFailure(e: unknown): string {
  if (e instanceof CardParseError) return e.message;
  if (e instanceof Error) return `Unexpected error: ${e.message}`;
  return 'Unexpected error.';
}

/**
 * Builds a character from parsed card data. Statements a writer accepted
 * travel in the card (domain/cards/statements.ts) and come back as they were;
 * a card without them starts with none: the editor proposes them from the
 * description so the writer accepts each one knowingly.
 */
export function characterInputFromCard(card: CardData, avatar: Blob | null = null): NewCharacterInput {
  const taken = takeStatements(card);
  return {
    card: taken.card,
    avatar,
    statements: taken.statements.map((s) => ({ ...newStatement(s.text, 'imported'), enabled: s.enabled })),
  };
}

/** The card as exported: the character's statements ride along in its extensions. */
function exportedCard(character: Character): CardData {
  return withStatements(character.card, character.statements);
}

export interface ImportOptions {
  /** Each file as it is read and parsed (big files are parsed in a worker). */
  onProgress?: (file: File, progress: CardImportProgress) => void;
}

/**
 * The gate between a parsed card (main thread or worker) and storage: the
 * card passes the stored-card schema (domain/storage, refusing empty cards and
 * naming nameless ones), the PNG's image is re-encoded as the avatar. A card
 * whose image is refused is still imported, without it, and says so.
 * @throws CardParseError `empty-card`.
 */
async function admitImportedCard(fileName: string, result: Extract<ImportResult, { kind: 'card' }>, notes: ImportNote[]): Promise<NewCharacterInput> {
  const admitted = admitCard(result.card);
  let avatar: Blob | null = null;
  if (result.image) {
    try {
      avatar = await toStoredAvatar(result.image);
    } catch (e) {
      if (!(e instanceof AvatarRejectedError)) throw e;
      admitted.notes.push(`Its image was left out: ${e.message}`);
    }
  }
  notes.push(...admitted.notes.map((note) => ({ fileName, note })));
  return characterInputFromCard(admitted.card, avatar);
}

/**
 * Imports several files at once. Each file fails on its own with a named
 * reason; the good ones are stored together in one transaction. Big files are
 * parsed off the main thread (see CardImportClient); what comes back goes
 * through the same path as any parsed card before it is stored.
 */
export async function importFiles(files: File[], options: ImportOptions = {}): Promise<ImportOutcome> {
  const failed: ImportFailure[] = [];
  const lorebooks: PendingLorebook[] = [];
  const inputs: NewCharacterInput[] = [];
  const notes: ImportNote[] = [];
  for (const file of files) {
    if (file.size > MAX_CARD_FILE_BYTES) {
      failed.push({ fileName: file.name, reason: `The file is ${formatBytes(file.size)}; the limit is ${formatBytes(MAX_CARD_FILE_BYTES)}.` });
      continue;
    }
    try {
      const result = await cardImportClient().parse(file, { onProgress: (p) => options.onProgress?.(file, p) });
      if (result.kind === 'card') inputs.push(await admitImportedCard(file.name, result, notes));
      else lorebooks.push({ fileName: file.name, lorebook: result.lorebook });
    } catch (e) {
      failed.push({ fileName: file.name, reason: describeFailure(e) });
    }
  }
  const imported = inputs.length > 0 ? await repos.characters.createMany(inputs) : [];
  return { imported, failed, lorebooks, notes };
}

/** Proposed statements for a character that it does not already have, calling it `name` (default: its name). */
export function proposeStatements(character: Character, userName: string, name?: string): string[] {
  const have = new Set(character.statements.map((s) => normalise(s.text)));
  return extractStatements(character.card, { user: userName, ...(name ? { name } : {}) }).filter((t) => !have.has(normalise(t)));
}

function normalise(s: string): string {
  return s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

export { newStatement };

/** Card PNG with both ccv3 and chara chunks (statements included); the avatar (or a placeholder) as the image. */
export async function exportCharacterPng(character: Character): Promise<{ blob: Blob; filename: string }> {
  const image = character.avatar ? await imageToPng(character.avatar) : await placeholderAvatarPng(character.card.name);
  const bytes = writeCardPng(image, exportedCard(character));
  return { blob: new Blob([bytes.slice()], { type: 'image/png' }), filename: `${safeFilename(character.card.name)}.png` };
}

/** Card as V3 JSON (statements included). */
export function exportCharacterJson(character: Character): { blob: Blob; filename: string } {
  return {
    blob: new Blob([cardToJsonText(exportedCard(character))], { type: 'application/json' }),
    filename: `${safeFilename(character.card.name)}.json`,
  };
}

/**
 * Reads a world-info / lorebook file for attaching to a character.
 * @throws CardParseError when the file is not a lorebook.
 */
export async function readLorebookFile(file: File): Promise<Lorebook> {
  if (file.size > MAX_CARD_FILE_BYTES) {
    throw new CardParseError('too-large', `The file is ${formatBytes(file.size)}; the limit is ${formatBytes(MAX_CARD_FILE_BYTES)}.`);
  }
  const result = await cardImportClient().parse(file);
  if (result.kind === 'lorebook') return result.lorebook;
  // A character card also carries a lorebook: take that one.
  if (result.card.character_book && result.card.character_book.entries.length > 0) return result.card.character_book;
  throw new CardParseError('not-a-lorebook', 'This file is a character card without lorebook entries, not a world-info file.');
}
