/**
 * The demo's images: real JPEG and PNG files made with sharp, 500×375 like a phone photo resized
 * for the web, each dominated by one colour with noise and a shape on top, so the generated
 * colour model's answers can be checked. Cached: existing files are reused.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { COLOUR_LABELS, seededRandom } from '@hourglass/core/testing';

export interface DemoImage {
  path: string;
  expected: string;
}

const BASE: Record<string, [number, number, number]> = { red: [200, 40, 40], green: [40, 170, 60], blue: [40, 60, 200] };

export interface ColourImageOptions {
  width?: number;
  height?: number;
  /** Each pixel moves by up to ±noise/2 on every channel. */
  noise?: number;
  /** A translucent white disc on top, so images differ by more than noise. */
  disc?: boolean;
  format?: 'jpeg' | 'png';
}

/** A real JPEG or PNG dominated by one colour (red, green or blue), deterministic by seed. */
export async function renderColourImage(colour: string, seed: number, options: ColourImageOptions = {}): Promise<Buffer> {
  const { width = 500, height = 375, noise = 60, disc = true, format = 'jpeg' } = options;
  const random = seededRandom(seed);
  const [r, g, b] = BASE[colour]!;
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i += 3) {
    const n = (random() - 0.5) * noise;
    pixels[i] = Math.max(0, Math.min(255, r + n));
    pixels[i + 1] = Math.max(0, Math.min(255, g + n));
    pixels[i + 2] = Math.max(0, Math.min(255, b + n));
  }
  let image = sharp(pixels, { raw: { width, height, channels: 3 } });
  if (disc) {
    const cx = Math.round(width * (0.16 + random() * 0.68));
    const cy = Math.round(height * (0.16 + random() * 0.67));
    const radius = Math.round(Math.min(width, height) * (0.08 + random() * 0.08));
    image = image.composite([
      { input: Buffer.from(`<svg width="${width}" height="${height}"><circle cx="${cx}" cy="${cy}" r="${radius}" fill="white" fill-opacity="0.7"/></svg>`) },
    ]);
  }
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 85 }).toBuffer();
}

async function render(file: string, colour: string, seed: number): Promise<void> {
  await writeFile(file, await renderColourImage(colour, seed, { format: file.endsWith('.png') ? 'png' : 'jpeg' }));
}

export async function ensureDemoImages(dataRoot: string, count: number): Promise<DemoImage[]> {
  const dir = path.join(dataRoot, 'demo');
  await mkdir(dir, { recursive: true });
  const images: DemoImage[] = [];
  for (let i = 0; i < count; i++) {
    const colour = COLOUR_LABELS[i % COLOUR_LABELS.length]!;
    const name = `${String(i).padStart(4, '0')}-${colour}.${i % 5 === 4 ? 'png' : 'jpg'}`;
    const file = path.join(dir, name);
    if (
      !(await stat(file).then(
        (s) => s.size > 0,
        () => false,
      ))
    )
      await render(file, colour, 1000 + i);
    images.push({ path: `demo/${name}`, expected: colour });
  }
  return images;
}

/**
 * A labelled dataset in the blog's shape, one folder per class (`demo-set/<colour>/*.jpg`), for the
 * demo's fine-tuning step. Different seeds from the batch images, so those stay held out.
 */
export async function ensureDemoDataset(dataRoot: string, perClass: number): Promise<string> {
  const folder = 'demo-set';
  for (const colour of COLOUR_LABELS) {
    const dir = path.join(dataRoot, folder, colour);
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const file = path.join(dir, `${String(i).padStart(3, '0')}.jpg`);
      if (
        !(await stat(file).then(
          (s) => s.size > 0,
          () => false,
        ))
      )
        await render(file, colour, 50_000 + COLOUR_LABELS.indexOf(colour) * 1000 + i);
    }
  }
  return folder;
}
