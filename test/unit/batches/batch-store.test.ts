/** BatchStore: the batch record's one reader and writer (create once, records, progress, open set, remove). */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Keys, ResultStore, type ResultRow } from '@hourglass/core';
import { BatchStore, type NewBatch } from '@hourglass/core/testing';
import { testRedis, uniquePrefix } from '../../helpers/redis.js';

let redis: Redis;
let keys: Keys;
let store: BatchStore;

beforeAll(() => {
  redis = testRedis();
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(() => {
  keys = new Keys(uniquePrefix('bs'));
  store = new BatchStore(redis, keys);
});

const batch = (over: Partial<NewBatch> = {}): NewBatch => ({
  id: 'b1',
  model: 'colours',
  modelVersion: 2,
  owner: 'alice',
  total: 5,
  chunkSize: 2,
  chunkSizeSource: 'request',
  chunkSizeReason: 'set by the test',
  createdAt: 1_000,
  ...over,
});

describe('BatchStore', () => {
  it('creates the record once: a retry with another chunk size gets the first one back', async () => {
    expect(await store.create(batch())).toEqual({ chunkSize: 2 });
    expect(await store.create(batch({ chunkSize: 4, createdAt: 2_000 }))).toEqual({ chunkSize: 2 });
    const view = await store.view('b1');
    expect(view).toMatchObject({ id: 'b1', model: 'colours', modelVersion: 2, total: 5, chunkSize: 2, status: 'queued' });
    expect(view.timings.createdAt).toBe(new Date(1_000).toISOString());
    expect(await store.owner('b1')).toBe('alice');
    expect((await store.list('alice', 10)).map((b) => b.id)).toEqual(['b1']);
  });

  it('reads records (null for a batch that does not exist) and the progress the result store advances', async () => {
    await store.create(batch());
    expect(await store.record('nope')).toBeNull();
    expect(await store.record('b1')).toEqual({
      model: 'colours',
      modelVersion: 2,
      total: 5,
      chunkSize: 2,
      enqueued: false,
      started: 0,
      completed: 0,
      failed: 0,
      finishedAt: null,
    });
    expect(await store.progress('b1')).toEqual({ completed: 0, failed: 0, firstResultAt: null });
    await store.markEnqueued('b1');
    const results = new ResultStore(redis, keys, 0);
    const rows: ResultRow[] = [
      { index: 0, source: 'a', model: 'colours', modelVersion: 2, worker: 'w', label: 'red', confidence: 1, finishedAt: 1 },
      { index: 1, source: 'b', model: 'colours', modelVersion: 2, worker: 'w', error: { code: 'IMAGE_DECODE_FAILED', message: 'unreadable' }, finishedAt: 1 },
    ];
    await results.storeRows('b1', rows);
    const progress = await store.progress('b1');
    expect(progress).toMatchObject({ completed: 1, failed: 1 });
    expect(progress.firstResultAt).toBeGreaterThan(0);
    expect(await store.record('b1')).toMatchObject({ enqueued: true, completed: 1, failed: 1, finishedAt: null });
  });

  it('keeps the open set and removes a batch with its keys and index entry', async () => {
    await store.create(batch());
    await store.create(batch({ id: 'b2', createdAt: 2_000 }));
    await store.open('b2', 2_000);
    await store.open('b1', 1_000);
    expect(await store.openIds(0, 10)).toEqual(['b1', 'b2']);
    await store.close('b1');
    expect(await store.openIds(0, 10)).toEqual(['b2']);
    await store.remove('b1', 'alice');
    expect(await redis.exists(keys.batch('b1'), keys.results('b1'), keys.started('b1'))).toBe(0);
    expect((await store.list('alice', 10)).map((b) => b.id)).toEqual(['b2']);
    await expect(store.view('b1')).rejects.toMatchObject({ code: 'BATCH_NOT_FOUND' });
  });
});
