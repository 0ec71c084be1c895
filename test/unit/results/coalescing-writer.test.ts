/**
 * CoalescingResultWriter on a real ResultStore and Redis: calls made in one turn of the event loop
 * reach Redis as one script call per batch, with the store's exactly-once semantics intact.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoalescingResultWriter, Keys, ResultStore, readBatch, type ResultRow } from '@hourglass/core';
import { resultRow, seedBatch } from '../../helpers/batches.js';
import { testRedis } from '../../helpers/redis.js';

let redis: Redis;
beforeAll(() => {
  redis = testRedis();
});
afterAll(async () => {
  await redis.quit();
});

const row = resultRow;

/** A real store whose script calls are counted on their way to Redis. */
class CountingStore extends ResultStore {
  storeCalls = 0;
  startCalls = 0;
  override storeRows(batchId: string, rows: readonly ResultRow[]): ReturnType<ResultStore['storeRows']> {
    this.storeCalls++;
    return super.storeRows(batchId, rows);
  }
  override markStarted(batchId: string, indices: readonly number[]): Promise<number> {
    this.startCalls++;
    return super.markStarted(batchId, indices);
  }
}

async function newBatch(total: number): Promise<{ store: CountingStore; keys: Keys; id: string }> {
  const { keys, id } = await seedBatch(redis, total, 'cw');
  return { store: new CountingStore(redis, keys, 60), keys, id };
}

describe('CoalescingResultWriter', () => {
  it('16 jobs storing in the same turn: one script call, every row once, one completion', async () => {
    const { store, keys, id } = await newBatch(16);
    const writer = new CoalescingResultWriter(store);
    await Promise.all(Array.from({ length: 16 }, (_, i) => writer.markStarted(id, [i])));
    expect(store.startCalls).toBe(1);
    const outcomes = await Promise.all(Array.from({ length: 16 }, (_, i) => writer.storeRows(id, [row(i)])));
    expect(store.storeCalls).toBe(1);
    expect(outcomes.filter((o) => o.completedBatch)).toHaveLength(1);
    const view = await readBatch(redis, keys, id);
    expect(view).toMatchObject({ status: 'completed', counts: { completed: 16, failed: 0, queued: 0, active: 0 } });
    expect(await redis.hlen(keys.results(id))).toBe(16);
  });

  it('calls in different turns are separate script calls; duplicates stay uncounted', async () => {
    const { store, keys, id } = await newBatch(3);
    const writer = new CoalescingResultWriter(store);
    expect(await writer.storeRows(id, [row(0)])).toEqual({ completedBatch: false });
    expect(await writer.storeRows(id, [row(0), row(1)])).toEqual({ completedBatch: false });
    expect(await writer.storeRows(id, [row(2)])).toEqual({ completedBatch: true });
    expect(await writer.storeRows(id, [row(2)])).toEqual({ completedBatch: false });
    expect(store.storeCalls).toBe(4);
    expect((await readBatch(redis, keys, id)).counts.completed).toBe(3);
  });

  it('keeps batches apart: one call per batch in the same turn', async () => {
    const a = await newBatch(2);
    const b = await newBatch(2);
    const store = new CountingStore(redis, a.keys, 60);
    const writer = new CoalescingResultWriter(store);
    // b's batch lives under a's prefix for this store: create it there.
    await redis.hset(a.keys.batch(b.id), { id: b.id, model: 'm', total: 2, createdAt: Date.now(), owner: 'o', completed: 0, failed: 0, started: 0 });
    const outcomes = await Promise.all([
      writer.storeRows(a.id, [row(0)]),
      writer.storeRows(b.id, [row(0)]),
      writer.storeRows(a.id, [row(1)]),
      writer.storeRows(b.id, [row(1)]),
    ]);
    expect(store.storeCalls).toBe(2);
    expect(outcomes.map((o) => o.completedBatch)).toEqual([true, true, false, false]);
  });

  it('a failed write rejects every caller it carried, and the next turn starts clean', async () => {
    const { store, id } = await newBatch(2);
    let down = true;
    const flaky = {
      markStarted: store.markStarted.bind(store),
      storeRows: (batchId: string, rows: readonly ResultRow[]) => (down ? Promise.reject(new Error('redis is down')) : store.storeRows(batchId, rows)),
    };
    const writer = new CoalescingResultWriter(flaky);
    const results = await Promise.allSettled([writer.storeRows(id, [row(0)]), writer.storeRows(id, [row(1)])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    down = false;
    expect(await writer.storeRows(id, [row(0), row(1)])).toEqual({ completedBatch: true });
    expect(store.storeCalls).toBe(1);
  });

  it('empty calls resolve at once without touching Redis', async () => {
    const { store, id } = await newBatch(1);
    const writer = new CoalescingResultWriter(store);
    await writer.markStarted(id, []);
    expect(await writer.storeRows(id, [])).toEqual({ completedBatch: false });
    expect(store.storeCalls + store.startCalls).toBe(0);
  });
});
