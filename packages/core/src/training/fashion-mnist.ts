/**
 * Fashion-MNIST (Zalando Research, MIT licence) from Debian's `dataset-fashion-mnist` package: IDX
 * files under /usr/share/datasets/fashion-mnist, gzipped or not, 60,000 training and 10,000 test
 * images of 28 × 28 grey pixels in 10 classes. Converted to a dataset folder of PNGs, one
 * sub-folder per class with a file-system-safe class name.
 */
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { AppError } from '../errors.js';
import { mapLimit } from '../concurrency.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The official class names, in label order, and the folder names used for them. */
export const FASHION_MNIST_CLASSES = [
  ['T-shirt/top', 't-shirt-top'],
  ['Trouser', 'trouser'],
  ['Pullover', 'pullover'],
  ['Dress', 'dress'],
  ['Coat', 'coat'],
  ['Sandal', 'sandal'],
  ['Shirt', 'shirt'],
  ['Sneaker', 'sneaker'],
  ['Bag', 'bag'],
  ['Ankle boot', 'ankle-boot'],
] as const;

export const FASHION_MNIST_LABELS: readonly string[] = FASHION_MNIST_CLASSES.map(([, folder]) => folder);

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an IDX file of unsigned bytes (type 0x08), gzipped or not. */
export function parseIdx(bytes: Uint8Array): IdxArray {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? new Uint8Array(gunzipSync(bytes)) : bytes;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (raw.byteLength < 4 || view.getUint16(0) !== 0) throw new AppError('DATASET_INVALID', 'not an IDX file (bad magic)');
  if (raw[2] !== 0x08) throw new AppError('DATASET_INVALID', `IDX element type 0x${raw[2]?.toString(16)} is not unsigned byte`);
  const rank = raw[3]!;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const size = dims.reduce((a, b) => a * b, 1);
  if (raw.byteLength - offset !== size)
    throw new AppError('DATASET_INVALID', `IDX holds ${raw.byteLength - offset} bytes, dims [${dims.join(', ')}] need ${size}`);
  return { dims, data: raw.subarray(offset) };
}

async function readIdx(dir: string, stem: string): Promise<IdxArray> {
  for (const name of [`${stem}.gz`, stem]) {
    const file = path.join(dir, name);
    const exists = await access(file).then(
      () => true,
      () => false,
    );
    if (exists) return parseIdx(await readFile(file));
  }
  throw new AppError('DATASET_NOT_FOUND', `${path.join(dir, stem)}(.gz) not found: install it with \`apt-get install -y dataset-fashion-mnist\``);
}

export type FashionMnistSet = 'train' | 't10k';

export interface FashionMnistImage {
  /** Position in the IDX file. */
  index: number;
  label: number;
  /** 28 × 28 grey pixels. */
  pixels: Uint8Array;
}

/** Reads one set; `perClass` keeps the first N images of each class, in file order. */
export async function readFashionMnist(options: { set?: FashionMnistSet; sourceDir?: string; perClass?: number } = {}): Promise<FashionMnistImage[]> {
  const set = options.set ?? 'train';
  const dir = options.sourceDir ?? FASHION_MNIST_DIR;
  const [images, labels] = await Promise.all([readIdx(dir, `${set}-images-idx3-ubyte`), readIdx(dir, `${set}-labels-idx1-ubyte`)]);
  const [count, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) throw new AppError('DATASET_INVALID', `${count} images but ${labels.dims[0]} labels`);
  const size = rows * cols;
  const taken = new Array<number>(FASHION_MNIST_CLASSES.length).fill(0);
  const out: FashionMnistImage[] = [];
  for (let index = 0; index < count; index++) {
    const label = labels.data[index]!;
    if (options.perClass !== undefined && taken[label]! >= options.perClass) continue;
    taken[label] = taken[label]! + 1;
    out.push({ index, label, pixels: images.data.subarray(index * size, (index + 1) * size) });
  }
  return out;
}

export interface ImportFashionMnistOptions {
  outDir: string;
  set?: FashionMnistSet;
  perClass?: number;
  sourceDir?: string;
  onProgress?: (done: number, total: number) => void;
}

/** Writes `<outDir>/<class>/<set>-<index>.png`; returns the count per class. */
export async function importFashionMnist(options: ImportFashionMnistOptions): Promise<{ images: number; perClass: Record<string, number>; outDir: string }> {
  const set = options.set ?? 'train';
  const images = await readFashionMnist({
    set,
    ...(options.sourceDir ? { sourceDir: options.sourceDir } : {}),
    ...(options.perClass !== undefined ? { perClass: options.perClass } : {}),
  });
  for (const folder of FASHION_MNIST_LABELS) await mkdir(path.join(options.outDir, folder), { recursive: true });
  const perClass: Record<string, number> = Object.fromEntries(FASHION_MNIST_LABELS.map((l) => [l, 0]));
  let done = 0;
  await mapLimit(images, 8, async (image) => {
    const folder = FASHION_MNIST_LABELS[image.label]!;
    const png = await sharp(Buffer.from(image.pixels), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toBuffer();
    await writeFile(path.join(options.outDir, folder, `${set}-${String(image.index).padStart(5, '0')}.png`), png);
    perClass[folder] = perClass[folder]! + 1;
    done++;
    if (done % 1000 === 0 || done === images.length) options.onProgress?.(done, images.length);
  });
  // Provenance, in a dot file (dataset scans skip it).
  await writeFile(
    path.join(options.outDir, '.source.json'),
    `${JSON.stringify({ dataset: 'Fashion-MNIST', licence: 'MIT', by: 'Zalando Research', from: options.sourceDir ?? FASHION_MNIST_DIR, set, perClass: options.perClass ?? null, classes: FASHION_MNIST_CLASSES.map(([name, folder]) => ({ name, folder })) }, null, 2)}\n`,
  );
  return { images: images.length, perClass, outDir: options.outDir };
}
