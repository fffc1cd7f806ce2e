/**
 * Text ↔ bytes helpers for the card formats. Cards store UTF-8 JSON, base64
 * encoded inside a Latin-1 `tEXt` chunk; decoding the base64 as Latin-1 text
 * (a common bug) would garble every non-ASCII character.
 */
import { MAX_JSON_DEPTH, jsonTextDepthExceeds } from '../storage/depth.ts';
import { CardParseError } from './errors.ts';

/** Argument-count-safe slice size for String.fromCharCode. */
const CHAR_CODE_BATCH = 0x8000;

/**
 * Decodes UTF-8 strictly, dropping a leading BOM.
 *
 * @throws {CardParseError} `bad-utf8` when the bytes are not valid UTF-8.
 */
export function decodeUtf8(bytes: Uint8Array, what = 'The card text'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new CardParseError('bad-utf8', `${what} is not valid UTF-8.`, { cause });
  }
}

/** Base64 of the UTF-8 encoding of `text` (what `chara`/`ccv3` chunks hold). */
export function encodeBase64Utf8(text: string): string {
  return encodeBase64(new TextEncoder().encode(text));
}

/** Base64 of raw bytes. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHAR_CODE_BATCH) {
    // apply, not a spread: spreading a typed array goes through its iterator (~4× slower).
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHAR_CODE_BATCH) as unknown as number[]);
  }
  return btoa(binary);
}

/**
 * Bytes of a base64 string. Whitespace and missing padding are tolerated
 * (atob's forgiving decoder); anything else outside the alphabet is not.
 *
 * @throws {CardParseError} `bad-base64`.
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  let binary: string;
  try {
    binary = atob(text);
  } catch (cause) {
    throw new CardParseError('bad-base64', 'The card data inside the PNG is not valid base64.', { cause });
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Parses JSON text, mapping syntax errors to a CardParseError. Nesting is
 * checked first by a linear scan (see storage/depth.ts): a card nested
 * thousands of levels deep would parse, but every later walk of it (the
 * studio's own export included) could overflow the stack.
 *
 * @throws {CardParseError} `too-deep`, `invalid-json`.
 */
export function parseJsonText(text: string, what = 'The file'): unknown {
  if (jsonTextDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new CardParseError('too-deep', `${what} nests data more than ${MAX_JSON_DEPTH} levels deep; no real card does, so it is refused.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    const detail = cause instanceof Error ? ` (${cause.message})` : '';
    throw new CardParseError('invalid-json', `${what} is not valid JSON${detail}.`, { cause });
  }
}
