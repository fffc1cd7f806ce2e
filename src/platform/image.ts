/** Image helpers for avatars and card PNGs (browser only: canvas). */

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
