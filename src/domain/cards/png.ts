/**
 * Just enough PNG to carry character cards: split a file into chunks (checking
 * the structure and every CRC), read `tEXt` chunks, and write a file back with
 * new `tEXt` chunks. Pixels are never decoded.
 */
import { CardParseError } from './errors.ts';

export interface PngChunk {
  /** Four ASCII letters, e.g. `IHDR`, `tEXt`. */
  type: string;
  data: Uint8Array;
}

export interface PngTextChunk {
  keyword: string;
  /** Latin-1 text, as the PNG spec defines `tEXt`. */
  text: string;
}

/** Keywords that hold card JSON; replaced, never duplicated, when a card is written. */
export const CARD_CHUNK_KEYWORDS: readonly string[] = ['chara', 'ccv3'];

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
/** The PNG spec caps a chunk's length at 2^31 - 1. */
const MAX_CHUNK_LENGTH = 0x7fffffff;
/** Length (4) + type (4) + CRC (4). */
const CHUNK_OVERHEAD_BYTES = 12;
/** tEXt keywords are 1–79 Latin-1 characters. */
const MAX_KEYWORD_LENGTH = 79;

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO 3309 / ITU-T V.42, the one PNG uses), table built on first use. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** True when the bytes start with the 8-byte PNG signature (cheap sniffing). */
export function isPng(bytes: Uint8Array): boolean {
  if (bytes.length < PNG_SIGNATURE.length) return false;
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * Splits a PNG into its chunks, up to and including `IEND`. Bytes after `IEND`
 * are ignored, as decoders do. Chunk data are views into `bytes` (no copies).
 *
 * @throws {CardParseError} `not-png` without the signature, `truncated-png` when
 *   the file ends inside a chunk or before `IEND`, `corrupt-png` on a bad length,
 *   CRC mismatch, or a first chunk that is not `IHDR`.
 */
export function readPngChunks(bytes: Uint8Array): PngChunk[] {
  if (!isPng(bytes)) throw new CardParseError('not-png', 'This file is not a PNG image (its signature is wrong).');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  let pos = PNG_SIGNATURE.length;
  for (;;) {
    if (pos + CHUNK_OVERHEAD_BYTES > bytes.length) {
      throw new CardParseError('truncated-png', 'The PNG file is cut short: it ends before its IEND chunk.');
    }
    const length = view.getUint32(pos);
    if (length > MAX_CHUNK_LENGTH) {
      throw new CardParseError('corrupt-png', `The PNG file is damaged: a chunk claims ${length} bytes.`);
    }
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) {
      throw new CardParseError('corrupt-png', 'The PNG file is damaged: a chunk has an invalid type.');
    }
    const dataStart = pos + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length) {
      throw new CardParseError('truncated-png', `The PNG file is cut short inside its ${type} chunk.`);
    }
    // The CRC covers type + data, not the length.
    if (crc32(bytes, pos + 4, dataEnd) !== view.getUint32(dataEnd)) {
      throw new CardParseError('corrupt-png', `The PNG file is damaged: the ${type} chunk fails its checksum.`);
    }
    if (chunks.length === 0 && type !== 'IHDR') {
      throw new CardParseError('corrupt-png', 'The PNG file is damaged: it does not start with an IHDR chunk.');
    }
    chunks.push({ type, data: bytes.subarray(dataStart, dataEnd) });
    pos = dataEnd + 4;
    if (type === 'IEND') return chunks;
  }
}

/**
 * Serialises chunks into a PNG file (signature, then each chunk with its CRC).
 * The caller is responsible for a sensible order (IHDR first, IEND last).
 */
export function writePngChunks(chunks: readonly PngChunk[]): Uint8Array {
  const total = chunks.reduce((sum, c) => sum + CHUNK_OVERHEAD_BYTES + c.data.length, PNG_SIGNATURE.length);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(PNG_SIGNATURE, 0);
  let pos = PNG_SIGNATURE.length;
  for (const chunk of chunks) {
    view.setUint32(pos, chunk.data.length);
    for (let i = 0; i < 4; i++) out[pos + 4 + i] = chunk.type.charCodeAt(i);
    out.set(chunk.data, pos + 8);
    const dataEnd = pos + 8 + chunk.data.length;
    view.setUint32(dataEnd, crc32(out, pos + 4, dataEnd));
    pos = dataEnd + 4;
  }
  return out;
}

/** Decodes a `tEXt` chunk body (`keyword NUL text`), or null when it has no separator. */
function decodeTextChunk(data: Uint8Array): PngTextChunk | null {
  const nul = data.indexOf(0);
  if (nul < 1) return null;
  return { keyword: latin1(data.subarray(0, nul)), text: latin1(data.subarray(nul + 1)) };
}

/** Keyword of a `tEXt` chunk body, or null without a separator (the text itself is not decoded). */
function textKeyword(data: Uint8Array): string | null {
  const nul = data.indexOf(0);
  return nul < 1 ? null : latin1(data.subarray(0, nul));
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

/**
 * Bytes → Latin-1 text. Card chunks are base64, so pure ASCII, which the
 * native UTF-8 decoder reads exactly as Latin-1 does, at memory speed. (A
 * spread of 32 KB slices into String.fromCharCode took ~1 µs a byte: 10 s
 * for a 10 MB card here. TextDecoder's 'latin1' label is windows-1252, which
 * differs in 0x80–0x9F, so other text goes through fromCharCode.apply.)
 */
function latin1(bytes: Uint8Array): string {
  if (isAscii(bytes)) return new TextDecoder().decode(bytes);
  // Chunked so a multi-megabyte chunk does not overflow the argument stack.
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  return s;
}

/**
 * Lists the `tEXt` chunks of a PNG in file order. Malformed `tEXt` bodies (no
 * keyword separator) are skipped: they cannot hold a card and should not make
 * an otherwise good image unreadable.
 *
 * @throws {CardParseError} as {@link readPngChunks}.
 */
export function readPngTextChunks(bytes: Uint8Array): PngTextChunk[] {
  const out: PngTextChunk[] = [];
  for (const chunk of readPngChunks(bytes)) {
    if (chunk.type !== 'tEXt') continue;
    const text = decodeTextChunk(chunk.data);
    if (text) out.push(text);
  }
  return out;
}

function encodeTextChunk({ keyword, text }: PngTextChunk): PngChunk {
  if (keyword.length < 1 || keyword.length > MAX_KEYWORD_LENGTH || !/^[\x20-\x7e\xa1-\xff]+$/.test(keyword)) {
    throw new CardParseError('invalid-text-chunk', `"${keyword}" is not a valid PNG text keyword.`);
  }
  // eslint-disable-next-line no-control-regex -- tEXt bodies must be Latin-1 without NUL.
  if (/[^\x01-\xff]/.test(text)) {
    throw new CardParseError('invalid-text-chunk', `The text for "${keyword}" is not Latin-1; base64-encode it first.`);
  }
  const data = new Uint8Array(keyword.length + 1 + text.length);
  for (let i = 0; i < keyword.length; i++) data[i] = keyword.charCodeAt(i);
  data[keyword.length] = 0;
  for (let i = 0; i < text.length; i++) data[keyword.length + 1 + i] = text.charCodeAt(i);
  return { type: 'tEXt', data };
}

/**
 * Returns a new PNG with `texts` inserted as `tEXt` chunks just before `IEND`.
 * Existing `tEXt` chunks keyed `chara` or `ccv3`, or keyed like one of `texts`,
 * are removed first, so a re-exported card never carries a stale copy.
 * Bytes after `IEND` in the input are dropped.
 *
 * @throws {CardParseError} as {@link readPngChunks}; `invalid-text-chunk` when a
 *   keyword or text cannot be stored in `tEXt` (not Latin-1, NUL, bad length).
 */
export function writePngTextChunks(png: Uint8Array, texts: readonly PngTextChunk[]): Uint8Array {
  const replaced = new Set([...CARD_CHUNK_KEYWORDS, ...texts.map((t) => t.keyword)]);
  const added = texts.map(encodeTextChunk);
  const kept = readPngChunks(png).filter((chunk) => {
    if (chunk.type !== 'tEXt') return true;
    // Only the keyword decides: a 10 MB card text need not be decoded to be dropped.
    const keyword = textKeyword(chunk.data);
    return keyword === null || !replaced.has(keyword);
  });
  const iend = kept.length - 1; // readPngChunks guarantees IEND is last.
  return writePngChunks([...kept.slice(0, iend), ...added, kept[iend]!]);
}

/**
 * The same image without card chunks: what to keep as an avatar, so the stored
 * picture never carries a stale copy of a card that has since been edited.
 *
 * @throws {CardParseError} as {@link readPngChunks}.
 */
export function stripCardChunks(png: Uint8Array): Uint8Array {
  return writePngTextChunks(png, []);
}
