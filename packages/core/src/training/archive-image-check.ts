/**
 * Whether an archive entry named like an image holds one: its first bytes carry the format's
 * signature (JPEG, PNG, WebP) and sharp reads a sane header from it (dimensions > 0, no decode of
 * the pixels). 40 × 25 MB of zeros named .jpg were once stored as a dataset; now each is skipped
 * with its reason before a byte of it is written.
 */
import sharp from 'sharp';

const SIGNATURES: Array<{ format: string; test: (b: Uint8Array) => boolean }> = [
  { format: 'jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { format: 'png', test: (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v) },
  { format: 'webp', test: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP' },
];

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}

/** undefined when the bytes are a readable image; else why not. */
export async function imageProblem(data: Uint8Array): Promise<string | undefined> {
  const format = SIGNATURES.find((s) => s.test(data))?.format;
  if (!format) return 'content is not a JPEG, PNG or WebP image (no image signature)';
  try {
    const meta = await sharp(data, { failOn: 'none' }).metadata();
    if (!meta.width || !meta.height) return `content is a ${format} with no readable dimensions`;
    return undefined;
  } catch {
    return `content is a ${format} whose header cannot be read`;
  }
}
