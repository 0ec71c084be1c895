/**
 * writeModel under concurrency and after crashes: writers of one name serialise on its lock (no
 * ENOTEMPTY, every one lands whole, versions never collide), readers never see a model vanish
 * while it is being replaced, and leftovers of crashed writers are cleaned up or put back.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, recoverModelsDir, scanModels, writeModel } from '@hourglass/core';
import { buildColourNet, MANIFEST_FILE, ONNX_FILE, storeModel, withModelLock } from '@hourglass/core/testing';

let root: string;
let counter = 0;
const fresh = async (): Promise<string> => {
  const dir = path.join(root, `store-${counter++}`);
  await mkdir(dir, { recursive: true });
  return dir;
};

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hg-store-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const build = (name: string, seed: number) => {
  const { manifest, onnx } = buildColourNet({ name, size: 16, channels: 4, seed });
  return { manifest: { ...manifest, description: `writer ${seed}` }, onnx };
};

describe('writeModel concurrency', () => {
  it('eight concurrent writers of one name all succeed, in turn, each with its own version', async () => {
    const dir = await fresh();
    const writers = Array.from({ length: 8 }, (_, i) => build('busy', i + 1));
    const written = await Promise.all(writers.map((w) => storeModel(dir, w.manifest, w.onnx, { nextVersion: true })));
    expect(written.map((w) => w.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await readdir(dir)).toEqual(['busy']);
    const model = await loadModel(dir, 'busy');
    expect(model.manifest.version).toBe(8);
    // The folder is one writer's, whole: its ONNX is the one that writer built.
    const last = writers[Number(/writer (\d+)/.exec(model.manifest.description ?? '')![1]) - 1]!;
    expect(Buffer.compare(await readFile(model.onnxPath), Buffer.from(last.onnx))).toBe(0);
  });

  it('concurrent plain writeModel calls never fail with ENOTEMPTY', async () => {
    const dir = await fresh();
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => build('race', i)).map((w) => writeModel(dir, w.manifest, w.onnx)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await readdir(dir)).toEqual(['race']);
  });

  it('readers never see the model missing while it is replaced again and again', async () => {
    const dir = await fresh();
    const first = build('swap', 0);
    await writeModel(dir, first.manifest, first.onnx);
    let writing = true;
    const failures: string[] = [];
    const readers = Array.from({ length: 3 }, async () => {
      let reads = 0;
      while (writing || reads === 0) {
        reads++;
        await loadModel(dir, 'swap').catch((e: Error) => failures.push(`loadModel: ${e.message}`));
        const snapshot = await scanModels(dir);
        if (!snapshot.models.has('swap')) failures.push(`scanModels: ${JSON.stringify(snapshot.problems)}`);
      }
      return reads;
    });
    for (let i = 1; i <= 25; i++) {
      const next = build('swap', i);
      await writeModel(dir, next.manifest, next.onnx);
    }
    writing = false;
    expect((await Promise.all(readers)).every((n) => n > 0)).toBe(true);
    expect(failures).toEqual([]);
  });
});

describe('writeModel after crashes', () => {
  it('removes staging folders a crashed writer left', async () => {
    const dir = await fresh();
    await mkdir(path.join(dir, `.staging-left-${randomUUID()}`));
    await writeFile(path.join(dir, `.staging-left-${randomUUID()}`), '');
    await mkdir(path.join(dir, `.staging-other-${randomUUID()}`));
    const model = build('left', 1);
    await writeModel(dir, model.manifest, model.onnx);
    // This name's leftovers are gone; another name's are left to that name's writers...
    expect((await readdir(dir)).filter((e) => e.includes('left')).sort()).toEqual(['left']);
    // ...or to recoverModelsDir.
    await recoverModelsDir(dir);
    expect(await readdir(dir)).toEqual(['left']);
  });

  it('a model moved aside by a writer that died between its two renames is put back', async () => {
    const dir = await fresh();
    const v1 = build('phoenix', 1);
    await writeModel(dir, v1.manifest, v1.onnx);
    // The crash: `phoenix` renamed to its -old name, and the new folder never renamed in.
    await rename(path.join(dir, 'phoenix'), path.join(dir, `.staging-phoenix-${randomUUID()}-old`));
    await mkdir(path.join(dir, `.staging-phoenix-${randomUUID()}`));
    await expect(loadModel(dir, 'phoenix')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    expect(await recoverModelsDir(dir)).toEqual(['phoenix']);
    expect(await readdir(dir)).toEqual(['phoenix']);
    expect((await loadModel(dir, 'phoenix')).manifest.description).toBe('writer 1');
    // And the next registration numbers on from the recovered version.
    await rename(path.join(dir, 'phoenix'), path.join(dir, `.staging-phoenix-${randomUUID()}-old`));
    const v2 = build('phoenix', 2);
    expect((await storeModel(dir, { ...v2.manifest, version: 5 }, v2.onnx, { nextVersion: true })).version).toBe(2);
  });

  it('loadModel waits out a swap in flight instead of answering MODEL_NOT_FOUND', async () => {
    const dir = await fresh();
    const v1 = build('slow', 1);
    await writeModel(dir, v1.manifest, v1.onnx);
    const aside = path.join(dir, `.staging-slow-${randomUUID()}-old`);
    await rename(path.join(dir, 'slow'), aside);
    setTimeout(() => void rename(aside, path.join(dir, 'slow')), 150);
    const [model, snapshot] = await Promise.all([loadModel(dir, 'slow'), scanModels(dir)]);
    expect(model.manifest.name).toBe('slow');
    expect(snapshot.models.has('slow')).toBe(true);
  });
});

describe('model write lock', () => {
  it('takes over a lock whose process is gone', async () => {
    const dir = await fresh();
    const dead = spawn(process.execPath, ['-e', '']);
    const pid = dead.pid!;
    await new Promise((resolve) => dead.once('exit', resolve));
    await writeFile(path.join(dir, '.lock-orphan'), JSON.stringify({ token: 'x', pid, host: os.hostname(), at: Date.now() }));
    const model = build('orphan', 1);
    await writeModel(dir, model.manifest, model.onnx, { timeoutMs: 2_000 });
    expect(await readdir(dir)).toEqual(['orphan']);
  });

  it('MODEL_BUSY when a live holder keeps the lock past the timeout', async () => {
    const dir = await fresh();
    let release!: () => void;
    const held = withModelLock(dir, 'held', () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((r) => setTimeout(r, 20));
    const model = build('held', 1);
    await expect(writeModel(dir, model.manifest, model.onnx, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'MODEL_BUSY' });
    // Recovery skips a name whose writer is alive instead of waiting for it.
    await mkdir(path.join(dir, `.staging-held-${randomUUID()}`));
    const t0 = Date.now();
    expect(await recoverModelsDir(dir)).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(1_000);
    release();
    await held;
    await writeModel(dir, model.manifest, model.onnx, { timeoutMs: 2_000 });
    expect(await readdir(dir)).toEqual(['held']);
  });
});

describe('writeModel extra files', () => {
  it('stores files at their relative paths, from bytes or copied', async () => {
    const dir = await fresh();
    const src = path.join(root, `src-${counter++}.bin`);
    await writeFile(src, Buffer.alloc(3000, 7));
    const model = build('extras', 1);
    await writeModel(dir, model.manifest, model.onnx, {
      files: [
        { path: 'model.onnx.data', data: new Uint8Array([1, 2, 3]) },
        { path: 'weights/w.bin', from: src },
      ],
    });
    expect((await readdir(path.join(dir, 'extras'))).sort()).toEqual([MANIFEST_FILE, ONNX_FILE, 'model.onnx.data', 'weights'].sort());
    expect((await readFile(path.join(dir, 'extras', 'weights', 'w.bin'))).length).toBe(3000);
  });

  it.each(['../escape.bin', '/abs.bin', 'a/../../b.bin', 'model.json', '.hidden/x', ''])('refuses the path "%s"', async (bad) => {
    const dir = await fresh();
    const model = build('bad-files', 1);
    await expect(writeModel(dir, model.manifest, model.onnx, { files: [{ path: bad, data: new Uint8Array(1) }] })).rejects.toMatchObject({
      code: 'MODEL_EXTERNAL_DATA_INVALID',
    });
    expect(await readdir(dir)).toEqual([]);
  });
});
