import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore, realDataRoot, resolveImagePath } from '@hourglass/core';
import { BLOB_DIR } from '@hourglass/core/testing';
import { solidImage } from '../../helpers/images.js';

let root: string;

beforeEach(async () => {
  root = await realDataRoot(await mkdtemp(path.join(os.tmpdir(), 'hg-blobs-')));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every file under the blob folder, relative to DATA_ROOT. */
async function blobFiles(): Promise<string[]> {
  const entries = await readdir(path.join(root, BLOB_DIR), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

describe('BlobStore.put', () => {
  it('stores bytes content-addressed by their sha256, and the content matches', async () => {
    const bytes = await solidImage({ colour: 'red', width: 32, height: 32 });
    const digest = createHash('sha256').update(bytes).digest('hex');
    const relative = await new BlobStore(root).put(bytes);
    expect(relative).toBe(`${BLOB_DIR}/${digest.slice(0, 2)}/${digest}`);
    expect(Buffer.compare(await readFile(path.join(root, relative)), bytes)).toBe(0);
  });

  it('stores the same bytes once and returns the same path', async () => {
    const store = new BlobStore(root);
    const bytes = await solidImage({ colour: 'green', width: 16, height: 16 });
    const first = await store.put(bytes);
    const second = await store.put(Buffer.from(bytes));
    expect(second).toBe(first);
    expect(await blobFiles()).toEqual([first]);
  });

  it('stores different bytes at different paths', async () => {
    const store = new BlobStore(root);
    const a = await store.put(await solidImage({ colour: 'red', width: 16, height: 16 }));
    const b = await store.put(await solidImage({ colour: 'blue', width: 16, height: 16 }));
    expect(a).not.toBe(b);
    expect(await blobFiles()).toEqual([a, b].sort());
  });

  it('leaves one complete file and no temp files when the same upload races itself', async () => {
    const store = new BlobStore(root);
    const bytes = await solidImage({ colour: 'blue', width: 48, height: 48 });
    const paths = await Promise.all(Array.from({ length: 8 }, () => store.put(bytes)));
    expect(new Set(paths).size).toBe(1);
    expect(await blobFiles()).toEqual([paths[0]]);
    expect(Buffer.compare(await readFile(path.join(root, paths[0]!)), bytes)).toBe(0);
  });

  it('returns a path that resolves under DATA_ROOT like any client path', async () => {
    const relative = await new BlobStore(root).put(new Uint8Array([1, 2, 3]));
    expect(await resolveImagePath(root, relative)).toBe(path.join(root, relative));
  });
});
