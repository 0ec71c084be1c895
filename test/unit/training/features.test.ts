/**
 * extractFeatures writes every image's features into one row-major float32 matrix: row i is image
 * i's, whether computed now, read from the cache or shared with a duplicate; a failed image is a
 * zero row marked absent. Checked against the generated colour CNN's own features output, image by
 * image, through the real batched classifier.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, ImageClassifier, loadModel, realDataRoot, writeModel, type RegisteredModel } from '@hourglass/core';
import { MemoryFeatureCache, buildColourNet, extractFeatures, hashDataset, scanDataset, type ExtractResult, type HashedDataset } from '@hourglass/core/testing';
import { makeColourDataset, openBackbone } from '../../helpers/training.js';

const WIDTH = 8;
const BACKBONE = 'colours-test';

let root: string;
let dataRoot: string;
let model: RegisteredModel;
let backbone: ImageClassifier;
let dataset: HashedDataset;
const opened: ImageClassifier[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hourglass-features-'));
  const modelsDir = path.join(root, 'models');
  const { manifest, onnx } = buildColourNet({ name: 'colours', size: 32, channels: WIDTH });
  await writeModel(modelsDir, manifest, onnx);
  model = await loadModel(modelsDir, 'colours');
  await makeColourDataset(path.join(root, 'data'), 'colours', { perClass: 4, broken: 2 });
  // The same bytes under a second name: computed once, written to both rows.
  await copyFile(path.join(root, 'data', 'colours', 'green', '001.jpg'), path.join(root, 'data', 'colours', 'green', 'copy-of-001.jpg'));
  dataRoot = await realDataRoot(path.join(root, 'data'));
  dataset = await hashDataset(dataRoot, await scanDataset(dataRoot, 'colours'));
  backbone = await openBackbone(model, { batchSize: 4, threads: 1 });
  opened.push(backbone);
});

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await rm(root, { recursive: true, force: true });
});

const extract = (cache: MemoryFeatureCache, classifier = backbone): Promise<ExtractResult> =>
  extractFeatures({
    classifier,
    dataRoot,
    paths: dataset.images.map((i) => i.path),
    hashes: dataset.contentHashes,
    cache,
    backbone: BACKBONE,
    width: WIDTH,
    concurrency: 8,
    flushEvery: 3,
  });

const row = (result: ExtractResult, i: number): number[] => [...result.features.subarray(i * WIDTH, (i + 1) * WIDTH)];
const isBroken = (p: string): boolean => path.basename(p).startsWith('broken-');

describe('extractFeatures', () => {
  it('row i holds image i’s features; a failed image is a zero row, marked absent and listed', async () => {
    const result = await extract(new MemoryFeatureCache());
    const n = dataset.images.length;
    expect(n).toBe(3 * 4 + 2 + 1);
    expect(result.width).toBe(WIDTH);
    expect(result.features).toBeInstanceOf(Float32Array);
    expect(result.features.length).toBe(n * WIDTH);
    expect(result.present.length).toBe(n);

    const broken = dataset.images.flatMap((image, i) => (isBroken(image.path) ? [i] : []));
    expect(broken).toHaveLength(2);
    expect(result.failures.map((f) => [f.index, f.path, f.code])).toEqual(broken.map((i) => [i, dataset.images[i]!.path, 'IMAGE_DECODE_FAILED']));
    // 12 distinct good images (the copy shares its original's computation).
    expect({ cached: result.cached, computed: result.computed }).toEqual({ cached: 0, computed: 12 });

    const rows: number[][] = [];
    for (const [i, image] of dataset.images.entries()) {
      if (isBroken(image.path)) {
        expect(result.present[i], image.path).toBe(0);
        expect(row(result, i)).toEqual(new Array(WIDTH).fill(0));
        continue;
      }
      expect(result.present[i], image.path).toBe(1);
      // The same image alone through the same classifier (batching may move the last bits).
      const own = (await backbone.classify(path.join(dataRoot, image.path))).features!;
      row(result, i).forEach((v, k) => expect(Math.abs(v - own[k]!), `${image.path} feature ${k}`).toBeLessThan(1e-6));
      rows.push(row(result, i));
    }
    // The check can tell rows apart: distinct images (all but the copy) have distinct features.
    const copy = dataset.images.findIndex((image) => image.path.endsWith('copy-of-001.jpg'));
    const original = dataset.images.findIndex((image) => image.path.endsWith('green/001.jpg'));
    expect(row(result, copy)).toEqual(row(result, original));
    expect(new Set(rows.map((r) => r.join(','))).size).toBe(12);
  });

  it('cache hits land on their rows; an entry of another width is recomputed, not copied in', async () => {
    const cache = new MemoryFeatureCache();
    const first = await extract(cache);
    const again = await extract(cache);
    expect({ cached: again.cached, computed: again.computed }).toEqual({ cached: 13, computed: 0 });
    expect([...again.features]).toEqual([...first.features]);
    expect([...again.present]).toEqual([...first.present]);

    const victim = dataset.images.findIndex((image) => image.path.endsWith('blue/002.jpg'));
    const key = `${BACKBONE}:${dataset.contentHashes[victim]}`;
    cache.entries.set(key, cache.entries.get(key)!.slice(0, WIDTH / 2));
    const repaired = await extract(cache);
    expect({ cached: repaired.cached, computed: repaired.computed }).toEqual({ cached: 12, computed: 1 });
    row(repaired, victim).forEach((v, k) => expect(Math.abs(v - row(first, victim)[k]!)).toBeLessThan(1e-6));
    expect(cache.entries.get(key)!.length).toBe(WIDTH);
  });

  it('a classifier without the features output is a model error (MODEL_INVALID), not one failure per image', async () => {
    const plain = await ImageClassifier.open(model, {
      provider: { ep: 'cpu' },
      intraOpThreads: 1,
      batchSize: 4,
      batchTimeoutMs: 2,
      maxInputPixels: 10_000_000,
      preprocessConcurrency: 4,
    });
    opened.push(plain);
    const error = await extract(new MemoryFeatureCache(), plain).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('MODEL_INVALID');
  });
});
