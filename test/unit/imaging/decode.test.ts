import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '@hourglass/core';
import { decodeImage, type DecodeOptions } from '@hourglass/core/testing';
import {
  alphaPng,
  brokenImages,
  cmykJpeg,
  COLOURS,
  encodePng,
  encodeRaw,
  grayscaleImage,
  orientedJpeg,
  png16,
  pngHeaderClaiming,
  rgbPixels,
  solidImage,
  writeImage,
  type Rgb,
} from '../../helpers/images.js';

const opts = (width: number, height: number, extra: Partial<DecodeOptions> = {}): DecodeOptions => ({
  width,
  height,
  fit: 'fill',
  maxInputPixels: 64_000_000,
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected decodeImage to reject').toBeInstanceOf(AppError);
  return error as AppError;
}
const codeOf = async (promise: Promise<unknown>): Promise<ErrorCode> => (await failure(promise)).code;

/** The RGB bytes at (x, y) of a decoded HWC image. */
const at = (pixels: Uint8Array, width: number, x: number, y: number): number[] => [...pixels.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)];

function expectNear(actual: number[], expected: Rgb, tolerance: number): void {
  actual.forEach((v, c) => expect(Math.abs(v - expected[c]!), `channel ${c}: ${actual.join(',')} vs ${expected.join(',')}`).toBeLessThanOrEqual(tolerance));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hg-decode-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('decodeImage: exact pixels', () => {
  // A 3×2 PNG with six distinct colours.
  const samples = [255, 0, 0, /**/ 0, 255, 0, /**/ 0, 0, 255, /**/ 10, 20, 30, /**/ 128, 64, 32, /**/ 255, 255, 255];

  it('returns the PNG’s bytes, HWC RGB, when the size is unchanged', async () => {
    const decoded = await decodeImage(encodePng({ width: 3, height: 2, channels: 3, samples }), opts(3, 2));
    expect(decoded.width).toBe(3);
    expect(decoded.height).toBe(2);
    expect([...decoded.pixels]).toEqual(samples);
  });

  it('reads the same bytes from a file path as from a buffer', async () => {
    const file = await writeImage(dir, 'exact.png', encodePng({ width: 3, height: 2, channels: 3, samples }));
    expect([...(await decodeImage(file, opts(3, 2))).pixels]).toEqual(samples);
  });

  it('keeps a sharp-encoded PNG lossless too', async () => {
    const pixels = rgbPixels(5, 4, (x, y) => [x * 50, y * 60, 255 - x * 10 - y]);
    const decoded = await decodeImage(await encodeRaw(pixels, 5, 4, { format: 'png' }), opts(5, 4));
    expect([...decoded.pixels]).toEqual([...pixels]);
  });
});

describe('decodeImage: resizing', () => {
  it('stretches to exactly width × height × 3 with fit "fill"', async () => {
    const decoded = await decodeImage(await solidImage({ colour: 'red', width: 64, height: 48 }), opts(10, 20));
    expect(decoded.pixels.length).toBe(10 * 20 * 3);
    expectNear(at(decoded.pixels, 10, 5, 10), COLOURS.red, 25);
  });

  it('letterboxes with black bars with fit "contain"', async () => {
    const red = encodePng({ width: 40, height: 20, channels: 3, samples: rgbPixels(40, 20, () => COLOURS.red) });
    const decoded = await decodeImage(red, opts(20, 20, { fit: 'contain' }));
    expect(at(decoded.pixels, 20, 10, 0)).toEqual([0, 0, 0]);
    expect(at(decoded.pixels, 20, 10, 19)).toEqual([0, 0, 0]);
    expectNear(at(decoded.pixels, 20, 10, 10), COLOURS.red, 2);
  });

  it('crops the centre with fit "cover"', async () => {
    // Left quarter green, middle red, right quarter blue: the centre crop is all red.
    const px = rgbPixels(40, 10, (x) => (x < 10 ? COLOURS.green : x >= 30 ? COLOURS.blue : COLOURS.red));
    const decoded = await decodeImage(encodePng({ width: 40, height: 10, channels: 3, samples: px }), opts(10, 10, { fit: 'cover' }));
    expectNear(at(decoded.pixels, 10, 0, 5), COLOURS.red, 2);
    expectNear(at(decoded.pixels, 10, 9, 5), COLOURS.red, 2);
  });
});

describe('decodeImage: EXIF orientation', () => {
  it('applies orientation 6 (rotate 90° clockwise): 40×20 stored decodes as 20×40, corner at top-right', async () => {
    const jpeg = await orientedJpeg({ width: 40, height: 20, orientation: 6 });
    const d = await decodeImage(jpeg, opts(20, 40));
    // Stored top-left block (10×5) lands in the top-right, as a 5-wide, 10-tall block.
    expectNear(at(d.pixels, 20, 18, 1), COLOURS.red, 30);
    expectNear(at(d.pixels, 20, 16, 8), COLOURS.red, 30);
    expectNear(at(d.pixels, 20, 1, 1), COLOURS.blue, 30);
    expectNear(at(d.pixels, 20, 1, 38), COLOURS.blue, 30);
    expectNear(at(d.pixels, 20, 18, 38), COLOURS.blue, 30);
    // Without rotation the block would be at the top-left of a stretched image.
  });

  it('applies orientation 3 (rotate 180°): the corner lands bottom-right', async () => {
    const d = await decodeImage(await orientedJpeg({ width: 40, height: 20, orientation: 3 }), opts(40, 20));
    expectNear(at(d.pixels, 40, 38, 18), COLOURS.red, 30);
    expectNear(at(d.pixels, 40, 1, 1), COLOURS.blue, 30);
  });

  it('leaves orientation 1 as stored', async () => {
    const d = await decodeImage(await orientedJpeg({ width: 40, height: 20, orientation: 1 }), opts(40, 20));
    expectNear(at(d.pixels, 40, 1, 1), COLOURS.red, 30);
    expectNear(at(d.pixels, 40, 38, 18), COLOURS.blue, 30);
  });
});

describe('decodeImage: every input becomes 3 sRGB channels', () => {
  it('replicates 8-bit grayscale into R = G = B (PNG exact, JPEG close)', async () => {
    const png = await decodeImage(await grayscaleImage(77, { format: 'png' }), opts(4, 4));
    expect(png.pixels.length).toBe(48);
    expect([...png.pixels].every((v) => v === 77)).toBe(true);
    const jpeg = await decodeImage(await grayscaleImage(200, { format: 'jpeg' }), opts(4, 4));
    expect(jpeg.pixels.length).toBe(48);
    for (let p = 0; p < 16; p++) {
      const [r, g, b] = at(jpeg.pixels, 4, p % 4, Math.floor(p / 4));
      expect(r).toBe(g);
      expect(g).toBe(b);
      expect(Math.abs(r! - 200)).toBeLessThanOrEqual(2);
    }
  });

  it('scales 16-bit samples to 8 bits instead of clipping them', async () => {
    const rgb = await decodeImage(png16(2, 2, [65535, 32768, 2560]), opts(2, 2));
    expect([...rgb.pixels]).toEqual([255, 128, 10, 255, 128, 10, 255, 128, 10, 255, 128, 10]);
    const grey = await decodeImage(encodePng({ width: 2, height: 2, channels: 1, depth: 16, samples: [0, 65535, 32768, 2560] }), opts(2, 2));
    expect([...grey.pixels]).toEqual([0, 0, 0, 255, 255, 255, 128, 128, 128, 10, 10, 10]);
  });

  it('converts a CMYK JPEG to about its sRGB colour', async () => {
    const d = await decodeImage(await cmykJpeg('red'), opts(4, 4));
    expect(d.pixels.length).toBe(48);
    const [r, g, b] = at(d.pixels, 4, 2, 2);
    expect(r).toBeGreaterThan(180);
    expect(g).toBeLessThan(80);
    expect(b).toBeLessThan(80);
  });

  it('drops alpha and keeps the colour underneath (RGBA and grey+alpha)', async () => {
    const transparent = await decodeImage(alphaPng([10, 200, 30], 0), opts(8, 8));
    expect(at(transparent.pixels, 8, 3, 3)).toEqual([10, 200, 30]);
    const half = await decodeImage(alphaPng([90, 80, 70], 128), opts(8, 8));
    expect(half.pixels.length).toBe(8 * 8 * 3);
    expect(at(half.pixels, 8, 7, 7)).toEqual([90, 80, 70]);
    const greyAlpha = await decodeImage(encodePng({ width: 2, height: 1, channels: 2, samples: [50, 255, 128, 0] }), opts(2, 1));
    expect([...greyAlpha.pixels]).toEqual([50, 50, 50, 128, 128, 128]);
  });
});

describe('decodeImage: broken input fails the one image', () => {
  it.each(['corrupt', 'truncated', 'zero-byte', 'text'] as const)('%s bytes → IMAGE_DECODE_FAILED', async (kind) => {
    const bytes = (await brokenImages())[kind];
    const error = await failure(decodeImage(bytes, opts(8, 8)));
    expect(error.code).toBe('IMAGE_DECODE_FAILED');
    expect(error.isClientError).toBe(true);
    expect(error.message).not.toContain('\n');
  });

  it.each(['corrupt', 'truncated', 'zero-byte', 'text'] as const)('%s file named .jpg → IMAGE_DECODE_FAILED', async (kind) => {
    const file = await writeImage(dir, `${kind}.jpg`, (await brokenImages())[kind]);
    expect(await codeOf(decodeImage(file, opts(8, 8)))).toBe('IMAGE_DECODE_FAILED');
  });

  it('a missing file → IMAGE_DECODE_FAILED', async () => {
    expect(await codeOf(decodeImage(path.join(dir, 'absent.jpg'), opts(8, 8)))).toBe('IMAGE_DECODE_FAILED');
  });
});

describe('decodeImage: pixel limit', () => {
  it('refuses a header claiming 20000×20000 before decoding it (IMAGE_TOO_LARGE)', async () => {
    const error = await failure(decodeImage(pngHeaderClaiming(20_000, 20_000), opts(8, 8)));
    expect(error.code).toBe('IMAGE_TOO_LARGE');
    expect(error.isClientError).toBe(true);
  });

  it('applies maxInputPixels exactly: width × height at the limit passes, one pixel less fails', async () => {
    const image = await solidImage({ colour: 'blue', width: 8, height: 8, format: 'png' });
    await expect(decodeImage(image, opts(4, 4, { maxInputPixels: 64 }))).resolves.toMatchObject({ width: 4, height: 4 });
    expect(await codeOf(decodeImage(image, opts(4, 4, { maxInputPixels: 63 })))).toBe('IMAGE_TOO_LARGE');
  });
});
