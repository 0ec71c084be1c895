/** ResultStore.storeRows: exactly one store call is told it completed the batch, whatever repeats. */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultStore } from '@hourglass/core';
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

async function newBatch(total: number): Promise<{ store: ResultStore; id: string }> {
  const { keys, id } = await seedBatch(redis, total, 'rc');
  return { store: new ResultStore(redis, keys, 60), id };
}

describe('ResultStore.storeRows', () => {
  it('flags only the store that wrote the last row', async () => {
    const { store, id } = await newBatch(3);
    expect(await store.storeRows(id, [row(0)])).toEqual({ stored: 1, completedBatch: false });
    expect(await store.storeRows(id, [row(1), row(0)])).toEqual({ stored: 1, completedBatch: false });
    expect(await store.storeRows(id, [row(2)])).toEqual({ stored: 1, completedBatch: true });
    // A stalled job re-running stores nothing new and is not told again.
    expect(await store.storeRows(id, [row(2), row(1)])).toEqual({ stored: 0, completedBatch: false });
    expect(await store.store(id, [row(0)])).toBe(0);
  });

  it('racing duplicate stores of the last rows: exactly one completion', async () => {
    const { store, id } = await newBatch(4);
    await store.storeRows(id, [row(0), row(1)]);
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => store.storeRows(id, [row(2), row(3)])));
    expect(outcomes.filter((o) => o.completedBatch)).toHaveLength(1);
    expect(outcomes.reduce((n, o) => n + o.stored, 0)).toBe(2);
  });

  it('store() still answers the number of new rows', async () => {
    const { store, id } = await newBatch(1);
    expect(await store.store(id, [row(0)])).toBe(1);
    expect(await store.storeRows(id, [])).toEqual({ stored: 0, completedBatch: false });
  });
});
