import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkQueuedImages, Keys, MAX_CHUNK_SIZE, ResultStore, submitBatch, type ClassifyJobData, type RegisteredModel, type ResultRow } from '@hourglass/core';
import { buildColourNet, classifyQueueName, countQueuedImages, parseManifest, type SubmitDeps } from '@hourglass/core/testing';
import { testRedis, uniquePrefix } from '../../helpers/redis.js';

const modelNamed = (name: string): RegisteredModel => ({
  manifest: parseManifest(buildColourNet({ name, size: 16, channels: 4 }).manifest, `${name}/model.json`),
  dir: `/models/${name}`,
  onnxPath: `/models/${name}/model.onnx`,
  onnxBytes: 1,
});
const colour = modelNamed('colour');
const other = modelNamed('other');
const images = (n: number) => Array.from({ length: n }, (_, index) => ({ index, path: `set/${index}.jpg` }));
const row = (index: number, error = false): ResultRow => ({
  index,
  source: `set/${index}.jpg`,
  model: 'colour',
  modelVersion: 1,
  worker: 'w',
  finishedAt: 0,
  ...(error ? { error: { code: 'JOB_REMOVED', message: 'removed' } } : { label: 'red', confidence: 1 }),
});

let redis: Redis;
let queueRedis: Redis;
let keys: Keys;
let queues: Array<Queue<ClassifyJobData>>;
let deps: (model: RegisteredModel) => SubmitDeps;

beforeAll(() => {
  redis = testRedis();
  queueRedis = testRedis();
});
afterAll(async () => {
  await Promise.all([redis.quit(), queueRedis.quit()]);
});
beforeEach(() => {
  const prefix = uniquePrefix('qi');
  keys = new Keys(prefix);
  queues = [];
  deps = (model) => {
    const queue = new Queue<ClassifyJobData>(classifyQueueName(model.manifest.name), { connection: queueRedis, prefix });
    queues.push(queue);
    return { redis, keys, queue };
  };
});
afterEach(async () => {
  await Promise.all(queues.map((q) => q.close()));
});

describe('countQueuedImages', () => {
  it('counts images not yet started, per model, exactly once under idempotent submits, starts, rows and removed-job rows', async () => {
    const store = new ResultStore(redis, keys, 3600);
    const first = await submitBatch(deps(colour), { model: colour, items: images(12), chunkSize: 4, owner: 'o', idempotencyKey: 'k1' });
    await submitBatch(deps(colour), { model: colour, items: images(12), chunkSize: 4, owner: 'o', idempotencyKey: 'k1' }); // a retried submit
    await submitBatch(deps(other), { model: other, items: images(7), chunkSize: 7, owner: 'o' });
    expect(await countQueuedImages(redis, keys, 'colour')).toBe(12);
    expect(await countQueuedImages(redis, keys, 'other')).toBe(7);

    // A job starts, is retried (started again), then stores its rows.
    await store.markStarted(first.id, [0, 1, 2, 3]);
    await store.markStarted(first.id, [0, 1, 2, 3]);
    expect(await countQueuedImages(redis, keys, 'colour')).toBe(8);
    await store.storeRows(
      first.id,
      [0, 1, 2, 3].map((i) => row(i)),
    );
    await store.storeRows(
      first.id,
      [0, 1].map((i) => row(i)),
    ); // a rerun after a stall
    expect(await countQueuedImages(redis, keys, 'colour')).toBe(8);

    // The sweeper fills a removed job's images with JOB_REMOVED rows: they leave the count too.
    await store.storeRows(
      first.id,
      [4, 5, 6, 7].map((i) => row(i, true)),
    );
    expect(await countQueuedImages(redis, keys, 'colour')).toBe(4);
    await store.storeRows(
      first.id,
      [8, 9, 10, 11].map((i) => row(i)),
    );
    expect(await countQueuedImages(redis, keys, 'colour')).toBe(0);
    expect(await countQueuedImages(redis, keys, 'other')).toBe(7);
  });

  it('decides from job counts alone when a bound settles it, and reads the batches otherwise', async () => {
    await submitBatch(deps(colour), { model: colour, items: images(15), chunkSize: 5, owner: 'o' });
    const ask = { model: 'colour', waitingJobs: 3 };
    // Even one image per job would be over the limit.
    expect(await checkQueuedImages(redis, keys, { ...ask, adding: 18, limit: 20 })).toEqual({ queued: 3, fits: false, basis: 'jobs' });
    // Even full jobs would be under it.
    expect(await checkQueuedImages(redis, keys, { ...ask, adding: 10, limit: 3 * MAX_CHUNK_SIZE + 10 })).toEqual({ queued: 3, fits: true, basis: 'jobs' });
    // In between, the batches say: 15 queued.
    expect(await checkQueuedImages(redis, keys, { ...ask, adding: 5, limit: 20 })).toEqual({ queued: 15, fits: true, basis: 'batches' });
    expect(await checkQueuedImages(redis, keys, { ...ask, adding: 6, limit: 20 })).toEqual({ queued: 15, fits: false, basis: 'batches' });
  });
});
