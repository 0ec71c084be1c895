/** Animated and multi-page inputs decode as their first frame (sharp `pages: 1`). */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '@hourglass/core/testing';

const frame = (r: number, g: number, b: number): Promise<Buffer> =>
  sharp({ create: { width: 16, height: 12, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

async function animated(format: 'gif' | 'webp' | 'tiff'): Promise<Buffer> {
  const frames = [await frame(220, 30, 30), await frame(30, 40, 220), await frame(30, 200, 40)];
  const joined = sharp(frames, { join: { animated: true } });
  return format === 'gif' ? joined.gif().toBuffer() : format === 'webp' ? joined.webp({ lossless: true }).toBuffer() : joined.tiff().toBuffer();
}

describe('decodeImage: animated and multi-page images', () => {
  it.each(['gif', 'webp', 'tiff'] as const)('an animated/multi-page %s decodes as its first frame, at the requested size', async (format) => {
    const bytes = await animated(format);
    expect((await sharp(bytes, { pages: -1 }).metadata()).pages).toBe(3);
    const { pixels, width, height } = await decodeImage(bytes, { width: 8, height: 8, fit: 'fill', maxInputPixels: 1_000_000 });
    expect([width, height, pixels.length]).toEqual([8, 8, 8 * 8 * 3]);
    // Red, the first frame (not the frames stacked into one tall image, not the last frame).
    const [r, g, b] = [pixels[0]!, pixels[1]!, pixels[2]!];
    expect(r).toBeGreaterThan(180);
    expect(g).toBeLessThan(80);
    expect(b).toBeLessThan(80);
  });
});
