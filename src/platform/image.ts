/** Image helpers for avatars and card PNGs (browser only: canvas). */
import { describeNonImage, isAvatarBlob, sniffImageKind, storedTypeFor } from '../domain/storage/image';

const PALETTE = ['#7c3aed', '#db2777', '#0891b2', '#059669', '#d97706', '#4f46e5', '#dc2626', '#0d9488'];

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '?';
  const letters = parts.length === 1 ? [...parts[0]!].slice(0, 2) : [[...parts[0]!][0], [...parts.at(-1)!][0]];
  return letters.join('').toUpperCase();
}

export function placeholderColor(name: string): string {
  return PALETTE[hashString(name) % PALETTE.length]!;
}

async function canvasToPng(canvas: OffscreenCanvas | HTMLCanvasElement): Promise<Uint8Array> {
  const blob =
    'convertToBlob' in canvas
      ? await canvas.convertToBlob({ type: 'image/png' })
      : await new Promise<Blob>((resolve, reject) =>
          canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('Could not encode the image.'))), 'image/png'),
        );
  return new Uint8Array(await blob.arrayBuffer());
}

function makeCanvas(w: number, h: number): OffscreenCanvas | HTMLCanvasElement {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(w, h);
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  return c;
}

/** A generated avatar (initials on a colour) as PNG bytes, for cards without an image. */
export async function placeholderAvatarPng(name: string, size = 400): Promise<Uint8Array> {
  const canvas = makeCanvas(size, Math.round(size * 1.5));
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!ctx) throw new Error('Canvas is not available.');
  ctx.fillStyle = placeholderColor(name);
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#ffffff';
  ctx.font = `600 ${Math.round(size * 0.36)}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(initials(name), canvas.width / 2, canvas.height / 2);
  return canvasToPng(canvas);
}

/** Converts any browser-decodable image to PNG bytes (PNG input is returned as is). */
export async function imageToPng(blob: Blob): Promise<Uint8Array> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const isPng = bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  if (isPng) return bytes;
  const bitmap = await createImageBitmap(blob);
  const canvas = makeCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!ctx) throw new Error('Canvas is not available.');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return canvasToPng(canvas);
}

/** Max avatar upload size; larger images are refused with a message. */
export const MAX_AVATAR_BYTES = 8 * 1024 * 1024;

/**
 * Longest side of a stored avatar, in pixels. Bounds the canvas (and memory)
 * a hostile "image" of 60000×60000 would need; real avatars and card art are
 * at most a few thousand pixels high, and are kept at full size.
 */
export const MAX_AVATAR_SIDE_PX = 4096;

/** JPEG/WebP quality when re-encoding: visually lossless for avatars. */
const REENCODE_QUALITY = 0.92;

/** An avatar was refused; the message says why, for people. */
export class AvatarRejectedError extends Error {
  override readonly name = 'AvatarRejectedError';
}

/**
 * Turns untrusted image bytes (an upload, a card's PNG, a backup's avatar)
 * into the Blob the studio stores: the format is recognised by its magic
 * bytes (PNG, JPEG, WebP, GIF), the image is decoded and drawn again, and the
 * result is encoded by the browser as PNG, JPEG or WebP. The stored Blob's
 * type is therefore always one the studio set, never one from the file, and
 * nothing but pixels survives (no HTML, no scripts, no metadata).
 * Decoding (createImageBitmap) and encoding (convertToBlob) run off the main
 * thread in the browser; only the draw call is on it.
 *
 * @throws AvatarRejectedError when the bytes are not one of those images or cannot be decoded.
 */
export async function toStoredAvatar(input: Blob | Uint8Array): Promise<Blob> {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(await input.arrayBuffer());
  const kind = sniffImageKind(bytes);
  if (!kind) throw new AvatarRejectedError(`This is not an image: ${describeNonImage(bytes)}. Use a PNG, JPEG, WebP or GIF image.`);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes.slice()], { type: `image/${kind}` }));
  } catch (cause) {
    throw new AvatarRejectedError(`This ${kind.toUpperCase()} image is damaged: the browser cannot decode it.`, { cause });
  }
  try {
    const scale = Math.min(1, MAX_AVATAR_SIDE_PX / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = makeCanvas(width, height);
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
    if (!ctx) throw new AvatarRejectedError('This browser cannot draw images (no canvas), so the image cannot be checked.');
    ctx.drawImage(bitmap, 0, 0, width, height);
    const type = storedTypeFor(kind);
    const blob =
      'convertToBlob' in canvas
        ? await canvas.convertToBlob({ type, quality: REENCODE_QUALITY })
        : await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, REENCODE_QUALITY));
    // A browser without a WebP encoder answers PNG: still ours. Anything else is refused.
    if (!blob || !isAvatarBlob(blob)) throw new AvatarRejectedError('The image could not be encoded again by this browser.');
    return blob;
  } finally {
    bitmap.close();
  }
}
