import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AppError,
  createClassifyQueue,
  Keys,
  readBatch,
  resolveChunkSize,
  ResultStore,
  submitBatch,
  type ClassifyJobData,
  type ImageRef,
  type RegisteredModel,
} from '@hourglass/core';
import {
  ADD_BULK_CHUNK,
  buildColourNet,
  CLASSIFY_JOB_ATTEMPTS,
  classifyQueueName,
  newBatchId,
  parseManifest,
  toBatchView,
  type SubmitDeps,
  type SubmitRequest,
} from '@hourglass/core/testing';
import { testRedis, uniquePrefix } from '../../helpers/redis.js';

/** A real BullMQ Queue that also records the size of each addBulk call it makes. */
class RecordingQueue extends Queue<ClassifyJobData> {
  readonly addBulkSizes: number[] = [];
  override async addBulk(jobs: Parameters<Queue<ClassifyJobData>['addBulk']>[0]) {
    this.addBulkSizes.push(jobs.length);
    return super.addBulk(jobs);
  }
}

const model: RegisteredModel = {
  manifest: parseManifest(buildColourNet({ name: 'colour', size: 16, channels: 4, version: 2 }).manifest, 'colour/model.json'),
  dir: '/models/colour',
  onnxPath: '/models/colour/model.onnx',
  onnxBytes: 1,
};

const images = (n: number): ImageRef[] => Array.from({ length: n }, (_, index) => ({ index, path: `set/${index}.jpg` }));

let redis: Redis;
let queueRedis: Redis;
let keys: Keys;
let queue: RecordingQueue;
let deps: SubmitDeps;

const request = (extra: Partial<SubmitRequest> = {}): SubmitRequest => ({ model, items: images(3), owner: 'owner-hash', ...extra });

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a rejection').toBeInstanceOf(AppError);
  return error as AppError;
}

const waiting = async (): Promise<number> => (await queue.getJobCounts('waiting')).waiting ?? 0;

beforeAll(() => {
  redis = testRedis();
  queueRedis = testRedis();
});
afterAll(async () => {
  await Promise.all([redis.quit(), queueRedis.quit()]);
});
beforeEach(() => {
  const prefix = uniquePrefix('sub');
  keys = new Keys(prefix);
  queue = new RecordingQueue(classifyQueueName('colour'), { connection: queueRedis, prefix });
  deps = { redis, keys, queue };
});
afterEach(async () => {
  await queue.close();
});

describe('submitBatch', () => {
  it('creates the batch and one job per image with ids <batchId>-<n>', async () => {
    const view = await submitBatch(deps, request());
    expect(view).toMatchObject({
      model: 'colour',
      modelVersion: 2,
      total: 3,
      chunkSize: 1,
      status: 'queued',
      counts: { queued: 3, active: 0, completed: 0, failed: 0 },
    });
    expect(view.timings.firstResultAt).toBeNull();
    expect(view.timings.finishedAt).toBeNull();
    expect(await waiting()).toBe(3);
    for (let n = 0; n < 3; n++) {
      const job = await queue.getJob(`${view.id}-${n}`);
      expect(job, `job ${view.id}-${n}`).toBeDefined();
      expect(job!.name).toBe('classify');
      expect(job!.data).toMatchObject({ batchId: view.id, model: 'colour', items: [{ index: n, path: `set/${n}.jpg` }] });
      expect(job!.opts.attempts).toBe(CLASSIFY_JOB_ATTEMPTS);
    }
    const meta = await redis.hgetall(keys.batch(view.id));
    expect(meta).toMatchObject({ id: view.id, model: 'colour', modelVersion: '2', total: '3', owner: 'owner-hash', enqueued: '1' });
    expect(await redis.zscore(keys.batchIndex('owner-hash'), view.id)).toBe(meta.createdAt);
  });

  it('groups chunkSize images per job, in order, the last job short', async () => {
    const view = await submitBatch(deps, request({ items: images(5), chunkSize: 2 }));
    expect(view.chunkSize).toBe(2);
    expect(view.total).toBe(5);
    expect(await waiting()).toBe(3);
    const groups = await Promise.all([0, 1, 2].map(async (n) => (await queue.getJob(`${view.id}-${n}`))!.data.items.map((i) => i.index)));
    expect(groups).toEqual([[0, 1], [2, 3], [4]]);
    expect(await queue.getJob(`${view.id}-3`)).toBeUndefined();
  });

  it('returns the same batch for a repeated Idempotency-Key and adds no jobs', async () => {
    const first = await submitBatch(deps, request({ idempotencyKey: 'retry-1' }));
    const again = await submitBatch(deps, request({ idempotencyKey: 'retry-1' }));
    expect(again.id).toBe(first.id);
    expect(await waiting()).toBe(3);
    // Other keys, and the same key from another caller, are other batches.
    const other = await submitBatch(deps, request({ idempotencyKey: 'retry-2' }));
    const otherOwner = await submitBatch(deps, request({ idempotencyKey: 'retry-1', owner: 'someone-else' }));
    expect(new Set([first.id, other.id, otherOwner.id]).size).toBe(3);
    expect(await waiting()).toBe(9);
  });

  it('a retried auto-sized submit keeps the size stored with the batch, whatever the workers report by then', async () => {
    const items = images(40);
    const heartbeat = async (imagesPerSecond: number): Promise<void> => {
      await redis.set(
        keys.worker('colour', 'w1'),
        JSON.stringify({
          id: 'w1',
          model: 'colour',
          modelVersion: 2,
          ep: 'cpu',
          host: 'h',
          pid: 1,
          batchSize: 16,
          intraOpThreads: 1,
          startedAt: 0,
          seenAt: Date.now(),
          processed: 100,
          imagesPerSecond,
        }),
        'EX',
        60,
      );
    };
    const autoSubmit = async (): Promise<Awaited<ReturnType<typeof submitBatch>>> => {
      const chunk = await resolveChunkSize(redis, keys, { model: 'colour', total: items.length, configuredDefault: 'auto' });
      return submitBatch(
        deps,
        request({ idempotencyKey: 'auto-retry', items, chunkSize: chunk.chunkSize, chunkSizeSource: chunk.source, chunkSizeReason: chunk.reason }),
      );
    };
    await heartbeat(1); // very slow: 1 image per job (a second of work each)
    const first = await autoSubmit();
    expect(first).toMatchObject({ chunkSize: 1, chunkSizeSource: 'auto' });
    expect(first.chunkSizeReason).toContain('1.00 img/s');
    // The first attempt's enqueue was lost (a crash between creating the batch and enqueueing):
    // the retry enqueues, with the stored size, though the worker now reports a fast rate.
    await queue.obliterate({ force: true });
    await redis.hdel(keys.batch(first.id), 'enqueued');
    await heartbeat(2_600);
    expect((await resolveChunkSize(redis, keys, { model: 'colour', total: items.length, configuredDefault: 'auto' })).chunkSize).toBe(10);
    const again = await autoSubmit();
    expect(again).toMatchObject({ id: first.id, chunkSize: 1, chunkSizeSource: 'auto', chunkSizeReason: first.chunkSizeReason });
    expect(await waiting()).toBe(40);
    expect((await queue.getJob(`${first.id}-39`))!.data.items.map((i) => i.index)).toEqual([39]);
  });

  it('names who chose the size: request, default or auto', async () => {
    expect(await submitBatch(deps, request({ chunkSize: 2 }))).toMatchObject({ chunkSize: 2, chunkSizeSource: 'request' });
    expect(await submitBatch(deps, request())).toMatchObject({ chunkSize: 1, chunkSizeSource: 'default' });
    expect(await resolveChunkSize(redis, keys, { model: 'colour', total: 3, requested: 3, configuredDefault: 'auto' })).toMatchObject({
      chunkSize: 3,
      source: 'request',
    });
    expect(await resolveChunkSize(redis, keys, { model: 'colour', total: 3, configuredDefault: 7 })).toMatchObject({ chunkSize: 7, source: 'default' });
    // No live worker: the policy's assumption, capped by the batch (3 images, 1 worker × 4 jobs).
    expect(await resolveChunkSize(redis, keys, { model: 'colour', total: 3, configuredDefault: 'auto' })).toMatchObject({ chunkSize: 1, source: 'auto' });
  });

  it('two concurrent submits with one Idempotency-Key make one batch', async () => {
    const [a, b] = await Promise.all([submitBatch(deps, request({ idempotencyKey: 'race' })), submitBatch(deps, request({ idempotencyKey: 'race' }))]);
    expect(a.id).toBe(b.id);
    expect(await waiting()).toBe(3);
    expect(await redis.zcard(keys.batchIndex('owner-hash'))).toBe(1);
  });

  it('creates a new batch for every submit without a key', async () => {
    const a = await submitBatch(deps, request());
    const b = await submitBatch(deps, request());
    expect(a.id).not.toBe(b.id);
    expect(await waiting()).toBe(6);
  });

  it('refuses the same Idempotency-Key with a different body (IDEMPOTENCY_KEY_REUSED)', async () => {
    const first = await submitBatch(deps, request({ idempotencyKey: 'k' }));
    for (const changed of [
      request({ idempotencyKey: 'k', items: images(4) }),
      request({ idempotencyKey: 'k', items: [{ index: 0, path: 'other.jpg' }, ...images(3).slice(1)] }),
      request({ idempotencyKey: 'k', chunkSize: 3 }),
    ]) {
      const error = await rejection(submitBatch(deps, changed));
      expect(error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(error.details).toEqual({ batchId: first.id });
    }
    expect(await waiting()).toBe(3);
  });

  it.each([['has space'], ['a:b'], ['x'.repeat(129)], ['slash/y'], ['ünï']])('refuses the Idempotency-Key %j (IDEMPOTENCY_KEY_INVALID)', async (key) => {
    expect((await rejection(submitBatch(deps, request({ idempotencyKey: key })))).code).toBe('IDEMPOTENCY_KEY_INVALID');
    expect(await waiting()).toBe(0);
  });

  it('accepts the longest and oddest legal keys', async () => {
    await submitBatch(deps, request({ idempotencyKey: 'A'.repeat(128) }));
    await submitBatch(deps, request({ idempotencyKey: 'a.b_c~d-e' }));
    expect(await waiting()).toBe(6);
  });

  it('refuses an empty batch (EMPTY_BATCH) and creates nothing', async () => {
    expect((await rejection(submitBatch(deps, request({ items: [] })))).code).toBe('EMPTY_BATCH');
    expect(await redis.zcard(keys.batchIndex('owner-hash'))).toBe(0);
  });

  it.each([[0], [257], [1.5]])('refuses chunkSize %d (VALIDATION_FAILED)', async (chunkSize) => {
    expect((await rejection(submitBatch(deps, request({ chunkSize })))).code).toBe('VALIDATION_FAILED');
    expect(await waiting()).toBe(0);
  });

  it('enqueues 2,500 images in addBulk chunks of at most 1,000', async () => {
    const view = await submitBatch(deps, request({ items: images(2_500) }));
    expect(ADD_BULK_CHUNK).toBe(1_000);
    expect(queue.addBulkSizes).toEqual([1_000, 1_000, 500]);
    expect(await waiting()).toBe(2_500);
    expect(view.total).toBe(2_500);
    expect((await queue.getJob(`${view.id}-2499`))!.data.items).toEqual([{ index: 2499, path: 'set/2499.jpg' }]);
  });

  it('a retry after a crash mid-enqueue re-adds every chunk without duplicating jobs', async () => {
    const first = await submitBatch(deps, request({ items: images(1_200), idempotencyKey: 'crash' }));
    // As if the process died after addBulk but before marking the batch enqueued.
    await redis.hdel(keys.batch(first.id), 'enqueued');
    const again = await submitBatch(deps, request({ items: images(1_200), idempotencyKey: 'crash' }));
    expect(again.id).toBe(first.id);
    expect(queue.addBulkSizes).toEqual([1_000, 200, 1_000, 200]);
    expect(await waiting()).toBe(1_200);
    expect(await redis.hget(keys.batch(first.id), 'enqueued')).toBe('1');
  });

  it('works with the queue createClassifyQueue makes', async () => {
    const real = createClassifyQueue('colour', queueRedis, uniquePrefix('cq'));
    try {
      const view = await submitBatch({ redis, keys, queue: real }, request());
      expect(real.name).toBe('classify-colour');
      expect((await real.getJobCounts('waiting')).waiting).toBe(3);
      expect(await real.getJob(`${view.id}-2`)).toBeDefined();
    } finally {
      await real.close();
    }
  });
});

describe('batch view', () => {
  it('follows the counters as results arrive: queued → running → completed', async () => {
    const view = await submitBatch(deps, request({ items: images(4) }));
    const store = new ResultStore(redis, keys);
    await store.markStarted(view.id, [0, 1]);
    let now = await readBatch(redis, keys, view.id);
    expect(now.status).toBe('running');
    expect(now.counts).toEqual({ queued: 2, active: 2, completed: 0, failed: 0 });

    const row = (index: number, error = false) => ({
      index,
      source: `set/${index}.jpg`,
      model: 'colour',
      modelVersion: 2,
      worker: 'w',
      finishedAt: Date.now(),
      ...(error ? { error: { code: 'IMAGE_DECODE_FAILED' as const, message: 'bad' } } : { label: 'red', confidence: 1 }),
    });
    await store.store(view.id, [row(0), row(1, true)]);
    now = await readBatch(redis, keys, view.id);
    expect(now.counts).toEqual({ queued: 2, active: 0, completed: 1, failed: 1 });
    expect(now.timings.firstResultAt).not.toBeNull();
    expect(now.timings.finishedAt).toBeNull();

    await store.store(view.id, [row(2), row(3)]);
    now = await readBatch(redis, keys, view.id);
    expect(now.status).toBe('completed');
    expect(now.counts).toEqual({ queued: 0, active: 0, completed: 3, failed: 1 });
    expect(now.timings.finishedAt).not.toBeNull();
  });

  it('readBatch of an unknown id is BATCH_NOT_FOUND', async () => {
    expect((await rejection(readBatch(redis, keys, 'bnope'))).code).toBe('BATCH_NOT_FOUND');
  });

  it('toBatchView derives counts, status and rate from the meta hash alone', () => {
    const meta = {
      id: 'b1',
      model: 'm',
      modelVersion: '3',
      total: '10',
      chunkSize: '2',
      createdAt: '1000',
      firstResultAt: '1500',
      completed: '6',
      failed: '2',
      started: '9',
    };
    const running = toBatchView(meta, 3_000);
    expect(running).toMatchObject({
      id: 'b1',
      model: 'm',
      modelVersion: 3,
      total: 10,
      chunkSize: 2,
      status: 'running',
      counts: { queued: 1, active: 1, completed: 6, failed: 2 },
      timings: { createdAt: new Date(1000).toISOString(), firstResultAt: new Date(1500).toISOString(), finishedAt: null },
      elapsedMs: 2_000,
      imagesPerSecond: 4,
    });
    const done = toBatchView({ ...meta, completed: '8', started: '10', finishedAt: '5000' }, 99_999);
    expect(done).toMatchObject({ status: 'completed', elapsedMs: 4_000, imagesPerSecond: 2.5, counts: { queued: 0, active: 0, completed: 8, failed: 2 } });
    expect(toBatchView({ ...meta, completed: '0', failed: '0', started: '0' }, 1_000)).toMatchObject({
      status: 'queued',
      imagesPerSecond: 0,
      counts: { queued: 10, active: 0 },
    });
    // A duplicate start counted beyond total never makes queued negative.
    expect(toBatchView({ ...meta, started: '15' }, 3_000).counts.queued).toBe(0);
  });
});

describe('newBatchId', () => {
  it('is unique, never all digits, and has no ":" (BullMQ job id rules)', () => {
    const ids = Array.from({ length: 500 }, newBatchId);
    expect(new Set(ids).size).toBe(500);
    for (const id of ids) {
      expect(id).toMatch(/^b[0-9a-z]+$/);
      expect(id).not.toMatch(/^\d+$/);
    }
  });
});
