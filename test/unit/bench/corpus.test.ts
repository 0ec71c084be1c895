import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_CORPUS_HEIGHT, MIN_CORPUS_WIDTH, corpusItems, ensureCorpus } from '@hourglass/core/bench';
import { solidImage } from '../../helpers/images.js';

describe('bench corpus', () => {
  let root: string;
  let photos: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'hg-corpus-'));
    photos = path.join(root, 'photos');
    await mkdir(photos);
    await writeFile(path.join(photos, 'a.jpg'), await solidImage({ colour: 'red', width: 640, height: 480, seed: 1, format: 'jpeg' }));
    await writeFile(path.join(photos, 'b.png'), await solidImage({ colour: 'blue', width: 300, height: 400, seed: 2, format: 'png' }));
    await writeFile(path.join(photos, 'tiny.jpg'), await solidImage({ colour: 'green', width: 64, height: 64, seed: 3, format: 'jpeg' }));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('expands photos into distinct JPEGs of at least 500x375, deterministically, and caches them', async () => {
    const a = await ensureCorpus({ dataRoot: path.join(root, 'd1'), count: 6, seed: 7, photoDirs: [photos], knownFolders: [] });
    expect(a.kind).toBe('photos');
    expect(a.sources.map((s) => path.basename(s.file))).toEqual(['a.jpg', 'b.png']); // tiny.jpg is too small to crop
    expect(a.files).toHaveLength(6);
    expect(a.cached).toBe(false);
    const bytes = await Promise.all(a.files.map((f) => readFile(path.join(root, 'd1', f))));
    expect(new Set(bytes.map((b) => b.toString('base64'))).size).toBe(6);
    for (const b of bytes) {
      const meta = await sharp(b).metadata();
      expect(meta.format).toBe('jpeg');
      expect(meta.width).toBeGreaterThanOrEqual(MIN_CORPUS_WIDTH);
      expect(meta.height).toBeGreaterThanOrEqual(MIN_CORPUS_HEIGHT);
    }
    const again = await ensureCorpus({ dataRoot: path.join(root, 'd1'), count: 6, seed: 7, photoDirs: [photos], knownFolders: [] });
    expect(again.cached).toBe(true);
    const elsewhere = await ensureCorpus({ dataRoot: path.join(root, 'd2'), count: 6, seed: 7, photoDirs: [photos], knownFolders: [] });
    const bytes2 = await Promise.all(elsewhere.files.map((f) => readFile(path.join(root, 'd2', f))));
    expect(bytes2.map((b) => b.toString('base64'))).toEqual(bytes.map((b) => b.toString('base64')));
  });

  it('falls back to generated photo-like images and says so', async () => {
    const c = await ensureCorpus({ dataRoot: path.join(root, 'd3'), count: 3, seed: 1, photoDirs: [path.join(root, 'none')], knownFolders: [] });
    expect(c.kind).toBe('generated');
    expect(c.sources).toEqual([]);
    expect(c.width.min).toBeGreaterThanOrEqual(MIN_CORPUS_WIDTH);
    expect(c.height.min).toBeGreaterThanOrEqual(MIN_CORPUS_HEIGHT);
  });

  it('hands out files round-robin for runs larger than the corpus', () => {
    const items = corpusItems({ files: ['x.jpg', 'y.jpg'] }, 5);
    expect(items).toEqual([
      { index: 0, path: 'x.jpg' },
      { index: 1, path: 'y.jpg' },
      { index: 2, path: 'x.jpg' },
      { index: 3, path: 'y.jpg' },
      { index: 4, path: 'x.jpg' },
    ]);
  });
});
