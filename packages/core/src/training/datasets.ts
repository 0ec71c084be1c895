/**
 * A dataset is a folder under DATA_ROOT with one sub-folder per class (`<dataset>/<label>/*.jpg`),
 * as fastai's `ImageDataLoaders.from_folder` and the blog's "fluffy or not/" read it. Scanning is
 * deterministic (labels and files sorted by name); the content hash covers every image's bytes
 * and label, so two scans of the same images agree and a changed image changes the hash.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import { mapLimit } from '../concurrency.js';
import { normaliseRelativePath, resolveImagePath } from '../storage/data-root.js';

export const DATASET_IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.webp']);
/** Scans refuse datasets larger than this (train jobs keep every feature in memory). */
export const MAX_DATASET_IMAGES = 200_000;

export interface DatasetImage {
  /** Relative to DATA_ROOT, '/'-separated: what a classify job would carry. */
  path: string;
  /** Index into DatasetScan.labels. */
  label: number;
}

export interface DatasetClass {
  label: string;
  count: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface DatasetScan {
  /** The dataset folder, relative to DATA_ROOT. */
  path: string;
  /** Class names: the sub-folder names, sorted. */
  labels: string[];
  classes: DatasetClass[];
  images: DatasetImage[];
  /** Files that are not images by extension, and stray files at the top level. */
  skipped: SkippedFile[];
}

export interface HashedDataset extends DatasetScan {
  /** sha256 of every image's bytes, parallel to `images`: the feature cache keys. */
  contentHashes: string[];
  /** sha256 over (label, file name, content hash) of every image, in scan order. */
  hash: string;
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** Resolves a dataset folder under the (real) DATA_ROOT; DATASET_NOT_FOUND when it is absent. */
export async function resolveDatasetDir(dataRoot: string, relative: string): Promise<{ dir: string; path: string }> {
  const normal = normaliseRelativePath(relative).replace(/\/+$/, '');
  let real: string;
  try {
    real = await realpath(path.join(dataRoot, normal));
  } catch {
    throw new AppError('DATASET_NOT_FOUND', `dataset folder "${relative}" does not exist under DATA_ROOT`, { details: { path: relative } });
  }
  if (!isInside(dataRoot, real)) throw new AppError('PATH_OUTSIDE_DATA_ROOT', `"${relative}" points outside DATA_ROOT`);
  if (!(await stat(real)).isDirectory()) throw new AppError('DATASET_NOT_FOUND', `"${relative}" is not a folder`, { details: { path: relative } });
  return { dir: real, path: path.relative(dataRoot, real).split(path.sep).join('/') };
}

/** Lists a dataset's classes and images (no file is read). */
export async function scanDataset(dataRoot: string, relative: string): Promise<DatasetScan> {
  const { dir, path: rel } = await resolveDatasetDir(dataRoot, relative);
  const entries = (await readdir(dir, { withFileTypes: true })).sort(byName);
  const labels: string[] = [];
  const classes: DatasetClass[] = [];
  const images: DatasetImage[] = [];
  const skipped: SkippedFile[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (!entry.isDirectory()) {
      skipped.push({ path: `${rel}/${entry.name}`, reason: 'not in a class folder' });
      continue;
    }
    const label = labels.length;
    let count = 0;
    const files = (await readdir(path.join(dir, entry.name), { withFileTypes: true })).sort(byName);
    for (const file of files) {
      if (file.name.startsWith('.')) continue;
      const filePath = `${rel}/${entry.name}/${file.name}`;
      if (!file.isFile()) {
        skipped.push({ path: filePath, reason: file.isDirectory() ? 'nested folder (not read)' : 'not a regular file' });
      } else if (!DATASET_IMAGE_EXTENSIONS.has(path.extname(file.name).toLowerCase())) {
        skipped.push({ path: filePath, reason: `not an image (${path.extname(file.name) || 'no extension'})` });
      } else {
        images.push({ path: filePath, label });
        count++;
      }
      if (images.length > MAX_DATASET_IMAGES) {
        throw new AppError('DATASET_INVALID', `dataset "${rel}" has more than ${MAX_DATASET_IMAGES} images`, { details: { limit: MAX_DATASET_IMAGES } });
      }
    }
    labels.push(entry.name);
    classes.push({ label: entry.name, count });
  }
  return { path: rel, labels, classes, images, skipped };
}

/** Reads every image once to hash it (sha256 of its bytes). */
export async function hashDataset(dataRoot: string, scan: DatasetScan, concurrency = 16): Promise<HashedDataset> {
  const contentHashes = await mapLimit(scan.images, concurrency, async (image) => {
    // resolveImagePath follows links and refuses any that lead out of DATA_ROOT.
    const bytes = await readFile(await resolveImagePath(dataRoot, image.path));
    return createHash('sha256').update(bytes).digest('hex');
  });
  const whole = createHash('sha256');
  scan.images.forEach((image, i) => {
    whole.update(`${scan.labels[image.label]}/${path.posix.basename(image.path)}\t${contentHashes[i]}\n`);
  });
  return { ...scan, contentHashes, hash: whole.digest('hex') };
}

/** A summary for APIs: no per-image list. */
export interface DatasetSummary {
  name: string;
  path: string;
  classes: DatasetClass[];
  images: number;
  hash: string;
  skipped: SkippedFile[];
}

export function summariseDataset(name: string, dataset: HashedDataset): DatasetSummary {
  return {
    name,
    path: dataset.path,
    classes: dataset.classes,
    images: dataset.images.length,
    hash: dataset.hash,
    skipped: dataset.skipped.slice(0, 100),
  };
}
