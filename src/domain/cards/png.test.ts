import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CardParseError, type CardParseReason } from './errors.ts';
import {
  crc32,
  isPng,
  readPngChunks,
  readPngTextChunks,
  stripCardChunks,
  writePngChunks,
  writePngTextChunks,
} from './png.ts';
import { sharedCard } from './testdata/fixtures.ts';
import { textChunk, tinyPng } from './testdata/tinyPng.ts';

function reasonOf(fn: () => unknown): CardParseReason | 'no error' | 'other error' {
  try {
    fn();
    return 'no error';
  } catch (error) {
    return error instanceof CardParseError ? error.reason : 'other error';
  }
}

const types = (png: Uint8Array) => readPngChunks(png).map((c) => c.type);

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('matches the CRC stored in a real PNG', () => {
    const png = sharedCard('default_CodingSensei.png');
    // IHDR: length at 8, type+data 12..29, CRC 29..33.
    const stored = new DataView(png.buffer, png.byteOffset).getUint32(29);
    expect(crc32(png, 12, 29)).toBe(stored);
  });
});

describe('tiny PNG builder', () => {
  it('builds a structurally valid 1×1 PNG whose pixels inflate', () => {
    const png = tinyPng(0x42);
    expect(isPng(png)).toBe(true);
    const chunks = readPngChunks(png);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const idat = chunks[1]!.data;
    expect([...inflateSync(idat)]).toEqual([0, 0x42]);
  });
});

describe('readPngChunks', () => {
  it('reads the real fixture cards', () => {
    expect(types(sharedCard('default_Seraphina.png'))).toEqual(['IHDR', 'IDAT', 'tEXt', 'IEND']);
  });

  it('ignores bytes after IEND', () => {
    const png = tinyPng();
    const padded = new Uint8Array([...png, 1, 2, 3]);
    expect(types(padded)).toEqual(['IHDR', 'IDAT', 'IEND']);
  });

  it('rejects non-PNG bytes', () => {
    expect(reasonOf(() => readPngChunks(new TextEncoder().encode('{"name":"x"}')))).toBe('not-png');
    expect(reasonOf(() => readPngChunks(new Uint8Array(0)))).toBe('not-png');
  });

  it('reports every possible truncation as truncated-png', () => {
    const png = tinyPng(0x80, [textChunk('chara', 'abc')]);
    for (let end = 8; end < png.length; end++) {
      expect(reasonOf(() => readPngChunks(png.subarray(0, end))), `cut at ${end}`).toBe('truncated-png');
    }
  });

  it('reports a truncated real card', () => {
    const png = sharedCard('default_Seraphina.png');
    expect(reasonOf(() => readPngChunks(png.subarray(0, png.length >> 1)))).toBe('truncated-png');
  });

  it('reports a checksum mismatch as corrupt-png', () => {
    const png = tinyPng();
    png[8 + 12 + 8 + 2] ^= 0xff; // a byte inside IDAT's data
    expect(reasonOf(() => readPngChunks(png))).toBe('corrupt-png');
  });

  it('reports an impossible chunk length and a missing IHDR', () => {
    const png = tinyPng();
    const huge = png.slice();
    new DataView(huge.buffer).setUint32(8, 0xffffffff);
    expect(reasonOf(() => readPngChunks(huge))).toBe('corrupt-png');

    const noIhdr = writePngChunks([{ type: 'IEND', data: new Uint8Array(0) }]);
    expect(reasonOf(() => readPngChunks(noIhdr))).toBe('corrupt-png');
  });

  it('reports a chunk whose type is not four letters', () => {
    const png = tinyPng();
    png[12] = 0x31; // "1HDR"
    expect(reasonOf(() => readPngChunks(png))).toBe('corrupt-png');
  });
});

describe('tEXt chunks', () => {
  it('reads keyword and latin-1 text, skipping malformed bodies', () => {
    const png = tinyPng(0, [
      textChunk('Comment', 'caf\u00e9'),
      { type: 'tEXt', data: Uint8Array.of(0x41, 0x42) }, // no NUL separator
    ]);
    expect(readPngTextChunks(png)).toEqual([{ keyword: 'Comment', text: 'café' }]);
  });

  it('inserts new text before IEND and replaces old card chunks only', () => {
    const png = tinyPng(0, [textChunk('chara', 'old'), textChunk('ccv3', 'old3'), textChunk('Software', 'x')]);
    const out = writePngTextChunks(png, [{ keyword: 'chara', text: 'new' }]);
    expect(types(out)).toEqual(['IHDR', 'IDAT', 'tEXt', 'tEXt', 'IEND']);
    expect(readPngTextChunks(out)).toEqual([
      { keyword: 'Software', text: 'x' },
      { keyword: 'chara', text: 'new' },
    ]);
    // The image data is untouched.
    expect(readPngChunks(out)[1]!.data).toEqual(readPngChunks(png)[1]!.data);
  });

  it('strips card chunks for the avatar', () => {
    const png = tinyPng(0, [textChunk('chara', 'x'), textChunk('ccv3', 'y')]);
    expect(stripCardChunks(png)).toEqual(tinyPng(0));
  });

  it('refuses text that tEXt cannot hold', () => {
    const png = tinyPng();
    expect(reasonOf(() => writePngTextChunks(png, [{ keyword: 'chara', text: 'snow ☃' }]))).toBe('invalid-text-chunk');
    expect(reasonOf(() => writePngTextChunks(png, [{ keyword: 'chara', text: 'a\0b' }]))).toBe('invalid-text-chunk');
    expect(reasonOf(() => writePngTextChunks(png, [{ keyword: '', text: 'a' }]))).toBe('invalid-text-chunk');
    expect(reasonOf(() => writePngTextChunks(png, [{ keyword: 'k'.repeat(80), text: 'a' }]))).toBe('invalid-text-chunk');
  });

  it('refuses to write into a broken PNG', () => {
    const png = tinyPng();
    expect(reasonOf(() => writePngTextChunks(png.subarray(0, 20), []))).toBe('truncated-png');
  });
});
