/**
 * Test helper: a valid 1×1 greyscale PNG built in code (no image files in the
 * repo). The pixel data is a zlib stream with one stored (uncompressed) block,
 * which every decoder accepts and which needs no compressor.
 */
import { writePngChunks, type PngChunk } from '../png.ts';

function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** zlib header (deflate, no dictionary), one final stored block, Adler-32 trailer. */
function zlibStored(raw: Uint8Array): Uint8Array {
  const len = raw.length;
  return Uint8Array.of(0x78, 0x01, 0x01, len & 0xff, len >> 8, ~len & 0xff, (~len >> 8) & 0xff, ...raw, ...u32(adler32(raw)));
}

/** The chunks of a 1×1 PNG with one grey pixel of the given value; `extra` go before IEND. */
export function tinyPngChunks(grey = 0x80, extra: PngChunk[] = []): PngChunk[] {
  // width 1, height 1, bit depth 8, colour type 0 (greyscale), compression 0, filter 0, interlace 0
  const ihdr = Uint8Array.of(...u32(1), ...u32(1), 8, 0, 0, 0, 0);
  // One scanline: filter type 0 (None), then the pixel.
  const idat = zlibStored(Uint8Array.of(0, grey));
  return [{ type: 'IHDR', data: ihdr }, { type: 'IDAT', data: idat }, ...extra, { type: 'IEND', data: new Uint8Array(0) }];
}

/** A valid 1×1 PNG file. */
export function tinyPng(grey = 0x80, extra: PngChunk[] = []): Uint8Array {
  return writePngChunks(tinyPngChunks(grey, extra));
}

/** A raw `tEXt` chunk (keyword NUL latin-1 text), bypassing the writer's checks. */
export function textChunk(keyword: string, text: string): PngChunk {
  return { type: 'tEXt', data: Uint8Array.from(`${keyword}\0${text}`, (c) => c.charCodeAt(0) & 0xff) };
}
