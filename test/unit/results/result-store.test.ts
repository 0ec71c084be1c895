import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Keys, readBatch, ResultStore, type ResultRow } from '@hourglass/core';
import { testRedis, uniquePrefix } from '../../helpers/redis.js';

let redis: Redis;
let keys: Keys;
let store: ResultStore;
let batchId: string;

function row(index: number, extra: Partial<ResultRow> = {}): ResultRow {
  return {
    index,
    source: `img/${index}.jpg`,
    model: 'colour',
    modelVersion: 1,
    label: 'red',
    confidence: 0.9,
    worker: 'w1',
    finishedAt: 1_700_000_000_000 + index,
    ...extra,
  };
}
const failed = (index: number): ResultRow =>
  row(index, { label: undefined, confidence: undefined, error: { code: 'IMAGE_DECODE_FAILED', message: 'cannot decode' } });

/** The batch meta hash as submitBatch creates it. */
async function createBatch(total: number): Promise<void> {
  await redis.hset(keys.batch(batchId), {
    id: batchId,
    model: 'colour',
    modelVersion: 1,
    total,
    chunkSize: 1,
    createdAt: Date.now(),
    owner: 'o',
    completed: 0,
    failed: 0,
    started: 0,
  });
}
const meta = (): Promise<Record<string, string>> => redis.hgetall(keys.batch(batchId));

beforeAll(() => {
  redis = testRedis();
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(() => {
  keys = new Keys(uniquePrefix('rs'));
  store = new ResultStore(redis, keys, 3600);
  batchId = `b${uniquePrefix('')}`;
});

describe('ResultStore.store', () => {
  it('counts a (batch, index) once however often it is stored', async () => {
    await createBatch(5);
    expect(await store.store(batchId, [row(0), row(1)])).toBe(2);
    expect(await store.store(batchId, [row(1), row(0)])).toBe(0);
    // A duplicate run with a different outcome does not overwrite or recount.
    expect(await store.store(batchId, [failed(1)])).toBe(0);
    expect(await store.store(batchId, [row(1), row(2)])).toBe(1);
    const m = await meta();
    expect(m.completed).toBe('3');
    expect(m.failed).toBe('0');
    expect((await store.range(batchId, 0, 5)).map((r) => r.label)).toEqual(['red', 'red', 'red']);
  });

  it('keeps completed and failed counters apart', async () => {
    await createBatch(4);
    await store.store(batchId, [row(0), failed(1), failed(2)]);
    const m = await meta();
    expect(m.completed).toBe('1');
    expect(m.failed).toBe('2');
    expect(m.finishedAt).toBeUndefined();
    const view = await readBatch(redis, keys, batchId);
    expect(view.counts).toMatchObject({ completed: 1, failed: 2 });
    expect(view.status).toBe('running');
  });

  it('sets firstResultAt with the first new row and finishedAt only when the total is reached', async () => {
    await createBatch(3);
    const before = Date.now();
    await store.store(batchId, [row(2)]);
    const first = await meta();
    expect(Number(first.firstResultAt)).toBeGreaterThanOrEqual(before);
    expect(first.finishedAt).toBeUndefined();

    await store.store(batchId, [row(2)]); // duplicate: changes nothing
    await store.store(batchId, [failed(0)]);
    const second = await meta();
    expect(second.firstResultAt).toBe(first.firstResultAt);
    expect(second.finishedAt).toBeUndefined();

    await store.store(batchId, [row(1)]);
    const done = await meta();
    expect(Number(done.finishedAt)).toBeGreaterThanOrEqual(Number(done.firstResultAt));
    expect(done.firstResultAt).toBe(first.firstResultAt);

    // A late duplicate after completion does not move finishedAt.
    await store.store(batchId, [row(1)]);
    expect((await meta()).finishedAt).toBe(done.finishedAt);

    const view = await readBatch(redis, keys, batchId);
    expect(view.status).toBe('completed');
    expect(view.timings.finishedAt).toBe(new Date(Number(done.finishedAt)).toISOString());
    expect(view.timings.firstResultAt).toBe(new Date(Number(done.firstResultAt)).toISOString());
  });

  it('expires a finished batch’s results and meta after ttlSeconds, and not before it finishes', async () => {
    await createBatch(2);
    await store.store(batchId, [row(0)]);
    expect(await redis.ttl(keys.results(batchId))).toBe(-1);
    await store.store(batchId, [row(1)]);
    for (const key of [keys.results(batchId), keys.batch(batchId)]) {
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(3500);
      expect(ttl).toBeLessThanOrEqual(3600);
    }
  });

  it('keeps results forever with ttlSeconds 0', async () => {
    const forever = new ResultStore(redis, keys, 0);
    await createBatch(1);
    await forever.store(batchId, [row(0)]);
    expect((await meta()).finishedAt).toBeDefined();
    expect(await redis.ttl(keys.results(batchId))).toBe(-1);
    expect(await redis.ttl(keys.batch(batchId))).toBe(-1);
  });

  it('stores nothing for an empty list', async () => {
    await createBatch(1);
    expect(await store.store(batchId, [])).toBe(0);
    expect((await meta()).firstResultAt).toBeUndefined();
  });

  it('two ResultStores on one connection share the scripts', async () => {
    await createBatch(2);
    const other = new ResultStore(redis, keys);
    expect(await store.store(batchId, [row(0)])).toBe(1);
    expect(await other.store(batchId, [row(0), row(1)])).toBe(1);
  });
});

describe('ResultStore.range / all', () => {
  it('returns rows in index order, skipping indices without a result', async () => {
    await createBatch(10);
    await store.store(batchId, [row(7), row(2), failed(5), row(0)]);
    expect((await store.range(batchId, 0, 10)).map((r) => r.index)).toEqual([0, 2, 5, 7]);
    expect((await store.range(batchId, 3, 7)).map((r) => r.index)).toEqual([5]);
    expect(await store.range(batchId, 5, 5)).toEqual([]);
    expect(await store.range(batchId, 8, 3)).toEqual([]);
    const five = (await store.range(batchId, 5, 6))[0]!;
    expect(five).toEqual(failed(5));
  });

  it('streams everything in index order across pages', async () => {
    await createBatch(25);
    const indices = [24, 0, 3, 9, 10, 11, 19, 20];
    await store.store(
      batchId,
      indices.map((i) => row(i)),
    );
    const seen: number[] = [];
    for await (const r of store.all(batchId, 25, 4)) seen.push(r.index);
    expect(seen).toEqual([...indices].sort((a, b) => a - b));
  });
});

describe('ResultStore.markStarted', () => {
  it('counts each index’s first start only', async () => {
    await createBatch(5);
    expect(await store.markStarted(batchId, [0, 1])).toBe(2);
    expect(await store.markStarted(batchId, [1, 2])).toBe(1);
    expect(await store.markStarted(batchId, [0, 1, 2])).toBe(0);
    expect(await store.markStarted(batchId, [])).toBe(0);
    expect((await meta()).started).toBe('3');
    const view = await readBatch(redis, keys, batchId);
    expect(view.status).toBe('running');
    expect(view.counts).toEqual({ queued: 2, active: 3, completed: 0, failed: 0 });
  });
  it('the started hash goes when the batch completes, and a late duplicate start does not bring it back', async () => {
    await createBatch(2);
    await store.markStarted(batchId, [0, 1]);
    expect(await redis.exists(keys.started(batchId))).toBe(1);
    await store.store(batchId, [row(0)]);
    expect(await redis.exists(keys.started(batchId))).toBe(1);
    await store.store(batchId, [row(1)]);
    expect(await redis.exists(keys.started(batchId))).toBe(0);
    // A stalled job re-running after completion:
    expect(await store.markStarted(batchId, [1])).toBe(0);
    expect(await redis.exists(keys.started(batchId))).toBe(0);
    expect((await meta()).started).toBe('2');
  });

  it('never creates keys for a batch that is gone (expired or never existed)', async () => {
    expect(await store.markStarted(batchId, [0])).toBe(0);
    expect(await redis.exists(keys.started(batchId), keys.batch(batchId))).toBe(0);
  });
});
