/**
 * Which images may be stored as avatars, recognised by their bytes. A file's
 * own MIME type (or a backup's `type` field) is never trusted: a Blob stored
 * as `text/html` and opened in a tab runs as the studio's own page.
 */

/** The only types a stored avatar Blob may carry; the studio sets them itself after re-encoding. */
export const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type AvatarType = (typeof AVATAR_TYPES)[number];

/** Image formats accepted as input (GIF is re-encoded as PNG). */
export type ImageKind = 'png' | 'jpeg' | 'webp' | 'gif';

/** The image format named by the first bytes, or null when they are not a PNG, JPEG, WebP or GIF. */
export function sniffImageKind(bytes: Uint8Array): ImageKind | null {
  const at = (offset: number, ...sig: number[]) => bytes.length >= offset + sig.length && sig.every((b, i) => bytes[offset + i] === b);
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (at(0, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'webp';
  if (at(0, 0x47, 0x49, 0x46, 0x38, 0x37, 0x61) || at(0, 0x47, 0x49, 0x46, 0x38, 0x39, 0x61)) return 'gif';
  return null;
}

/** What a non-image looks like, for the refusal message ("it looks like HTML"). */
export function describeNonImage(bytes: Uint8Array): string {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 512)).trimStart().toLowerCase();
  if (/^<!doctype html|^<html|<script|<body|<iframe/.test(head)) return 'it looks like HTML';
  if (head.startsWith('<?xml') || head.includes('<svg')) return 'it looks like SVG or XML';
  if (head.startsWith('{') || head.startsWith('[')) return 'it looks like JSON';
  if (bytes.length === 0) return 'it is empty';
  return 'its content is not a PNG, JPEG, WebP or GIF image';
}

/** The type an image of `kind` is stored as after re-encoding (GIF → PNG: one frame, no animation). */
export function storedTypeFor(kind: ImageKind): AvatarType {
  return kind === 'jpeg' ? 'image/jpeg' : kind === 'webp' ? 'image/webp' : 'image/png';
}

/** True for a Blob whose type is one the studio sets on avatars. */
export function isAvatarBlob(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob && (AVATAR_TYPES as readonly string[]).includes(value.type);
}
