/**
 * Train jobs over REST with real worker processes: register a dataset, reject bad requests with
 * the right codes, train a head on the colour backbone, classify with the new model; and a worker
 * killed mid-training whose job another worker finishes from the cached features, registering the
 * model once.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, writeModel } from '@hourglass/core';
import { buildColourNet } from '@hourglass/core/testing';
import { TEST_API_KEY, fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';
import { hasFashionMnist, makeColourDataset } from '../../helpers/training.js';
import { runCli } from '../../helpers/cli.js';
import { tarArchive, zipArchive } from '../../helpers/archives.js';
import { solidImage } from '../../helpers/images.js';

let system: TestSystem;
const fashionMnist = await hasFashionMnist();

const post = (pathname: string, body: unknown) =>
  system.request(pathname, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function waitForTrain(id: string, until: (view: Record<string, any>) => boolean, timeoutMs = 90_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  let view: Record<string, any> = {};
  while (Date.now() < deadline) {
    const res = await system.request(`/v1/train/${id}`);
    view = (await res.json()) as Record<string, any>;
    if (!res.ok) throw new Error(`GET /v1/train/${id}: ${res.status} ${JSON.stringify(view)}`);
    if (until(view)) return view;
    if (view.status === 'failed') throw new Error(`train job failed: ${JSON.stringify(view.error)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`train job ${id} not there after ${timeoutMs} ms: ${JSON.stringify(view).slice(0, 2000)}`);
}

beforeAll(async () => {
  system = await startTestSystem();
  await makeColourDataset(system.dataRoot, 'colours3', { perClass: 10, broken: 1 });
  await makeColourDataset(system.dataRoot, 'mono', { perClass: 5, colours: ['red'] });
  await makeColourDataset(system.dataRoot, 'lopsided', { perClass: 1, colours: ['red', 'green'] });
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

describe('datasets', () => {
  it('registers a folder under DATA_ROOT and lists it with classes, counts and hash', async () => {
    const res = await post('/v1/datasets', { path: 'colours3' });
    expect(res.status).toBe(201);
    const dataset = (await res.json()) as Record<string, any>;
    expect(dataset).toMatchObject({ name: 'colours3', path: 'colours3', images: 31 });
    expect(dataset.classes).toEqual([
      { label: 'blue', count: 10 },
      { label: 'green', count: 10 },
      { label: 'red', count: 11 },
    ]);
    expect(dataset.hash).toMatch(/^[0-9a-f]{64}$/);
    const list = (await (await system.request('/v1/datasets')).json()) as { datasets: Array<Record<string, any>> };
    expect(list.datasets.map((d) => d.name)).toContain('colours3');
    expect((await system.request('/v1/datasets/colours3')).status).toBe(200);
  });

  it('accepts an uploaded .tar.gz or .zip (multipart: name + archive), reporting what it skipped', async () => {
    const jpeg = await solidImage({ colour: 'blue', width: 16, height: 16 });
    const entries = [
      { name: 'upload/a/1.jpg', data: jpeg },
      { name: 'upload/a/2.jpg', data: jpeg },
      { name: 'upload/b/1.jpg', data: jpeg },
      { name: 'upload/b/2.jpg', data: jpeg },
      { name: 'upload/b/readme.txt', data: Buffer.from('hello') },
    ];
    for (const [file, bytes] of [
      ['up.tar.gz', tarArchive(entries)],
      ['up.zip', zipArchive(entries)],
    ] as const) {
      const form = new FormData();
      const name = `up-${file.endsWith('zip') ? 'zip' : 'tgz'}`;
      form.set('name', name);
      form.set('archive', new Blob([bytes]), file);
      const res = await system.request('/v1/datasets', { method: 'POST', body: form });
      const body = (await res.json()) as Record<string, any>;
      expect(res.status, JSON.stringify(body)).toBe(201);
      expect(body).toMatchObject({ name, path: `datasets/${name}`, images: 4, archive: { written: 4, skippedCount: 1 } });
      expect(body.archive.skipped).toEqual([{ path: 'upload/b/readme.txt', reason: 'not an image (.txt)' }]);
    }
    // Same name again: refused, nothing overwritten.
    const again = new FormData();
    again.set('name', 'up-zip');
    again.set('archive', new Blob([zipArchive(entries)]), 'up.zip');
    expect((await system.request('/v1/datasets', { method: 'POST', body: again })).status).toBe(400);
  });

  it('rejects an archive whose entries climb out of it (400 ARCHIVE_INVALID) and writes nothing', async () => {
    const jpeg = await solidImage({ colour: 'red', width: 16, height: 16 });
    const form = new FormData();
    form.set('name', 'evil');
    form.set(
      'archive',
      new Blob([
        tarArchive([
          { name: 'a/1.jpg', data: jpeg },
          { name: '../../../escaped.jpg', data: jpeg },
        ]),
      ]),
      'evil.tar.gz',
    );
    const res = await system.request('/v1/datasets', { method: 'POST', body: form });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe('ARCHIVE_INVALID');
    expect(await readdir(path.join(system.dataRoot, 'datasets'))).not.toContain('evil');
    expect(await readdir(path.dirname(system.dataRoot))).not.toContain('escaped.jpg');
    const wrongKind = new FormData();
    wrongKind.set('name', 'rar');
    wrongKind.set('archive', new Blob([Buffer.from('x')]), 'x.rar');
    expect((await system.request('/v1/datasets', { method: 'POST', body: wrongKind })).status).toBe(415);
  });

  it('rejects paths outside DATA_ROOT and folders that do not exist', async () => {
    expect(((await (await post('/v1/datasets', { path: '../etc' })).json()) as any).error.code).toBe('PATH_OUTSIDE_DATA_ROOT');
    const missing = await post('/v1/datasets', { path: 'nope' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error.code).toBe('DATASET_NOT_FOUND');
    expect((await system.request('/v1/datasets/nope')).status).toBe(404);
  });
});

describe('POST /v1/train: bad input', () => {
  it('404 for an unknown backbone or dataset', async () => {
    const model = await post('/v1/train', { baseModel: 'no-such-model', dataset: 'colours3' });
    expect(model.status).toBe(404);
    expect(((await model.json()) as any).error.code).toBe('MODEL_NOT_FOUND');
    const dataset = await post('/v1/train', { baseModel: 'colours', dataset: 'no-such-dataset' });
    expect(dataset.status).toBe(404);
    expect(((await dataset.json()) as any).error.code).toBe('DATASET_NOT_FOUND');
  });

  it('400 with counts for one class, or a class too small for the split', async () => {
    const mono = await post('/v1/train', { baseModel: 'colours', dataset: 'mono' });
    expect(mono.status).toBe(400);
    expect(((await mono.json()) as any).error).toMatchObject({ code: 'DATASET_INVALID', message: expect.stringMatching(/at least 2 classes/) });
    const lopsided = await post('/v1/train', { baseModel: 'colours', dataset: 'lopsided' });
    expect(lopsided.status).toBe(400);
    const body = (await lopsided.json()) as any;
    expect(body.error.code).toBe('DATASET_INVALID');
    expect(body.error.classes).toEqual(expect.arrayContaining([expect.objectContaining({ label: 'red', total: 1 })]));
  });

  it('400 for invalid parameters', async () => {
    const res = await post('/v1/train', { baseModel: 'colours', dataset: 'colours3', head: 'transformer', epochs: 0 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe('VALIDATION_FAILED');
    expect((await system.request('/v1/train/tnotajob000')).status).toBe(404);
  });
});

describe('train, then classify with the new model', () => {
  it('trains a head over REST, registers <base>-<dataset> v1 and classifies with it', async () => {
    await system.startWorker();
    const res = await post('/v1/train', { baseModel: 'colours', dataset: 'colours3', epochs: 3, lr: 0.01 });
    expect(res.status).toBe(202);
    const queued = (await res.json()) as Record<string, any>;
    expect(queued).toMatchObject({ id: expect.stringMatching(/^t/), status: 'queued', outputModel: 'colours-colours3', queue: 'train-colours', workers: 1 });
    expect(queued.warning).toBeUndefined();

    const done = await waitForTrain(queued.id, (v) => v.status === 'completed');
    expect(done.model).toEqual({ name: 'colours-colours3', version: 1 });
    expect(done.epochs.map((e: any) => e.epoch)).toEqual([0, 1, 2]);
    for (const row of done.epochs) expect(Object.keys(row).sort()).toEqual(['epoch', 'error_rate', 'seconds', 'train_loss', 'valid_loss']);
    expect(done.accuracy).toBe(1);
    expect(done.result.images).toMatchObject({ total: 31, failed: 1 });
    expect(done.result.failures).toEqual([expect.objectContaining({ path: 'colours3/red/broken-0.jpg', code: 'IMAGE_DECODE_FAILED' })]);
    expect(done.progress).toEqual({ phase: 'done', percent: 100 });

    const listed = (await (await system.request('/v1/train')).json()) as { jobs: Array<Record<string, any>> };
    expect(listed.jobs[0]).toMatchObject({ id: queued.id, status: 'completed' });

    const model = (await (await system.request('/v1/models/colours-colours3')).json()) as Record<string, any>;
    expect(model).toMatchObject({ name: 'colours-colours3', version: 1, labels: ['blue', 'green', 'red'], source: { kind: 'trained' } });

    await system.startWorker({ model: 'colours-colours3' });
    const batch = await post('/v1/batches', {
      model: 'colours-colours3',
      images: [{ path: 'colours3/red/000.jpg' }, { path: 'colours3/green/003.jpg' }, { path: 'colours3/blue/007.jpg' }],
    });
    expect(batch.status).toBe(202);
    const { id } = (await batch.json()) as { id: string };
    await waitForBatch(system, id);
    const rows = (await fetchResults(system, id)).sort((a, b) => a.index - b.index);
    expect(rows.map((r) => r.label)).toEqual(['red', 'green', 'blue']);
    for (const row of rows) expect(row).toMatchObject({ model: 'colours-colours3', modelVersion: 1 });
  });

  it('a second job on the same dataset reuses every cached feature and registers version 2', async () => {
    const res = await post('/v1/train', { baseModel: 'colours', dataset: 'colours3', head: 'mlp', hidden: 8, epochs: 2, lr: 0.01 });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const done = await waitForTrain(id, (v) => v.status === 'completed');
    expect(done.model).toEqual({ name: 'colours-colours3', version: 2 });
    expect(done.result.featureCache).toEqual({ hits: 30, computed: 0 });
  });
});

describe('the CLI', () => {
  it('hourglass train queues a job and prints the epoch table as it goes', async () => {
    const env = { HOURGLASS_URL: system.baseUrl, HOURGLASS_API_KEY: TEST_API_KEY };
    const run = await runCli(['train', '--base', 'colours', '--dataset', 'colours3', '--epochs', '2', '--lr', '0.01', '--name', 'colours-cli'], env);
    expect(run.stderr).toMatch(/train job t[a-z0-9]+: 31 images -> colours-cli/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^epoch\s+train_loss\s+valid_loss\s+error_rate\s+time$/m);
    expect(run.stdout.match(/^\s+[01]\s+\d/gm)).toHaveLength(2);
    expect(run.stdout).toMatch(/model colours-cli v1: valid accuracy 100\.0 %/);
    const bad = await runCli(['train', '--base', 'nope', '--dataset', 'colours3'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/MODEL_NOT_FOUND \(HTTP 404\)/);
  });

  it('hourglass datasets import-fashion-mnist writes PNG folders per class', async () => {
    expect(fashionMnist, 'dataset-fashion-mnist is not installed: apt-get install -y dataset-fashion-mnist (.ci/run installs it)').toBe(true);
    const out = path.join(system.dataRoot, 'fm-cli');
    const run = await runCli(['datasets', 'import-fashion-mnist', '--per-class', '2', '--out', out]);
    expect(run.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual([
      '.source.json',
      'ankle-boot',
      'bag',
      'coat',
      'dress',
      'pullover',
      'sandal',
      'shirt',
      'sneaker',
      't-shirt-top',
      'trouser',
    ]);
    expect(await readdir(path.join(out, 't-shirt-top'))).toHaveLength(2);
    const registered = await post('/v1/datasets', { path: 'fm-cli', name: 'fm-cli' });
    expect(((await registered.json()) as any).images).toBe(20);
  });
});

describe('a worker killed mid-training', () => {
  it('the job is taken over by another worker, reuses the features already cached, and registers one model', async () => {
    // A heavier generated backbone so that extracting 3 × 200 images takes a few seconds.
    const { manifest, onnx } = buildColourNet({ name: 'colours-big', size: 96, channels: 48 });
    await writeModel(system.modelsDir, manifest, onnx);
    await makeColourDataset(system.dataRoot, 'many', { perClass: 200, size: 40 });
    const fastRecovery = { LOCK_DURATION_MS: '2000', STALLED_INTERVAL_MS: '1000', INTRA_OP_THREADS: '1', BATCH_SIZE: '4' };
    const first = await system.startWorker({ model: 'colours-big', env: fastRecovery });

    const res = await post('/v1/train', { baseModel: 'colours-big', dataset: 'many', epochs: 2, lr: 0.01 });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const midway = await waitForTrain(id, (v) => (v.progress?.extracted?.done ?? 0) >= 60);
    expect(midway.status).toBe('running');
    await first.stop('SIGKILL');
    const done0 = midway.progress.extracted.done as number;
    // Nothing registered, nothing half-written in the registry.
    expect((await readdir(system.modelsDir)).filter((d) => d.startsWith('colours-big-'))).toEqual([]);

    await system.startWorker({ model: 'colours-big', env: fastRecovery });
    const done = await waitForTrain(id, (v) => v.status === 'completed', 120_000);
    expect(done.model).toEqual({ name: 'colours-big-many', version: 1 });
    // The features flushed before the kill came from the cache (flushes are groups of 32).
    expect(done.result.featureCache.hits).toBeGreaterThanOrEqual(32 * Math.floor(done0 / 32) - 32);
    expect(done.result.featureCache.hits).toBeGreaterThan(0);
    expect(done.result.featureCache.hits + done.result.featureCache.computed).toBe(600);
    expect(done.attempts).toBeGreaterThanOrEqual(0);
    const model = await loadModel(system.modelsDir, 'colours-big-many');
    expect(model.manifest.version).toBe(1);
    expect((model.manifest.lineage as any).trainId).toBe(id);
    expect((await readdir(system.modelsDir)).filter((d) => d.startsWith('.staging'))).toEqual([]);
  }, 180_000);
});
