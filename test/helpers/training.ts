/**
 * Datasets and backbones for the training tests: a generated colour dataset (fast, known
 * answer), a Fashion-MNIST subset from Debian's package, the bundled mobilenet-v2 imported once
 * into a cache folder that every test file reuses, and an in-process backbone classifier.
 */
import { access, cp, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FASHION_MNIST_DIR, ImageClassifier, importFashionMnist, loadModel, type RegisteredModel } from '@hourglass/core';
import { importBundledModels } from '@hourglass/core/importers';
import { solidImage, writeImage, type ColourName, corruptJpeg } from './images.js';

/** A dataset folder `<dataRoot>/<name>/<colour>/*.jpg` with `perClass` noisy images per colour. */
export async function makeColourDataset(
  dataRoot: string,
  name: string,
  options: { perClass?: number; colours?: ColourName[]; broken?: number; size?: number } = {},
): Promise<string> {
  const { perClass = 12, colours = ['red', 'green', 'blue'], broken = 0, size = 24 } = options;
  for (const [c, colour] of colours.entries()) {
    for (let i = 0; i < perClass; i++) {
      const bytes = await solidImage({ colour, width: size, height: size, noise: 40, seed: 1000 * c + i + 1 });
      await writeImage(path.join(dataRoot, name, colour), `${String(i).padStart(3, '0')}.jpg`, bytes);
    }
  }
  // Undecodable files that look like images, in the first class.
  for (let i = 0; i < broken; i++) await writeImage(path.join(dataRoot, name, colours[0]!), `broken-${i}.jpg`, await corruptJpeg());
  return path.join(dataRoot, name);
}

export const hasFashionMnist = (): Promise<boolean> =>
  access(path.join(FASHION_MNIST_DIR, 'train-labels-idx1-ubyte.gz')).then(
    () => true,
    () =>
      access(path.join(FASHION_MNIST_DIR, 'train-labels-idx1-ubyte')).then(
        () => true,
        () => false,
      ),
  );

/** Folder shared by every training test run on this machine: imported models, PNG datasets. */
export const TRAINING_CACHE = process.env.HOURGLASS_TEST_CACHE ?? path.join(os.tmpdir(), 'hourglass-test-cache');

/** The Fashion-MNIST subset as PNG folders, converted once into the cache, copied into `dataRoot/name`. */
export async function fashionDataset(dataRoot: string, name: string, perClass: number): Promise<string> {
  const cached = path.join(TRAINING_CACHE, `fashion-mnist-${perClass}`);
  const marker = path.join(cached, '.source.json');
  if (
    !(await access(marker).then(
      () => true,
      () => false,
    ))
  )
    await importFashionMnist({ outDir: cached, perClass });
  const target = path.join(dataRoot, name);
  await mkdir(dataRoot, { recursive: true });
  await cp(cached, target, { recursive: true });
  return target;
}

/** Imports the bundled `mobilenet-v2` (cached across runs) and copies it into `modelsDir`. */
export async function bundledBackbone(modelsDir: string, name = 'mobilenet-v2'): Promise<RegisteredModel> {
  const cacheDir = path.join(TRAINING_CACHE, 'models');
  await importBundledModels(cacheDir, { only: [name] });
  await mkdir(modelsDir, { recursive: true });
  await cp(path.join(cacheDir, name), path.join(modelsDir, name), { recursive: true });
  return loadModel(modelsDir, name);
}

export function openBackbone(model: RegisteredModel, options: { batchSize?: number; threads?: number } = {}): Promise<ImageClassifier> {
  return ImageClassifier.open(model, {
    provider: { ep: 'cpu' },
    intraOpThreads: options.threads ?? 2,
    batchSize: options.batchSize ?? 16,
    batchTimeoutMs: 2,
    maxInputPixels: 64_000_000,
    preprocessConcurrency: 4,
    withFeatures: true,
  });
}
