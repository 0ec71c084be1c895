/**
 * The result store refuses rows a forged or edited job could bring: an index not below the batch's
 * total (a 6-image batch once accepted a row at index 99 and reported completed with an index
 * missing), a non-integer index, or a batch that does not exist (expired: no keys recreated).
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keys, ResultStore, auditRows, readBatch, type ResultRow } from '@hourglass/core';
import { resultRow, seedBatch } from '../../helpers/batches.js';
import { testRedis, uniquePrefix } from '../../helpers/redis.js';

let redis: Redis;
beforeAll(() => {
  redis = testRedis();
});
afterAll(async () => {
  await redis.quit();
});

describe('ResultStore integrity', () => {
  it('refuses a row at index 99 of a 6-image batch: not counted, the batch not completed', async () => {
    const { keys, id } = await seedBatch(redis, 6, 'ri');
    const store = new ResultStore(redis, keys, 60);
    expect(await store.storeRows(id, [0, 1, 2, 3, 4].map(resultRow))).toEqual({ stored: 5, completedBatch: false });
    expect(await store.storeRows(id, [resultRow(99)])).toEqual({ stored: 0, completedBatch: false, refused: 1 });
    expect(await store.storeRows(id, [resultRow(6)])).toEqual({ stored: 0, completedBatch: false, refused: 1 });
    const view = await readBatch(redis, keys, id);
    expect(view.status).not.toBe('completed');
    expect(view.counts.completed).toBe(5);
    expect(await redis.hexists(keys.results(id), '99')).toBe(0);
    // The real last row completes it, and the audit finds each index exactly once.
    expect(await store.storeRows(id, [resultRow(5)])).toEqual({ stored: 1, completedBatch: true });
    const rows = (await redis.hvals(keys.results(id))).map((v) => JSON.parse(v) as ResultRow);
    expect(auditRows(rows, Array(6).fill('red'))).toMatchObject({ lost: 0, duplicates: 0, rows: 6 });
  });

  it('refuses negative, fractional and non-canonical indices, stores the good ones of the same call', async () => {
    const { keys, id } = await seedBatch(redis, 4, 'ri');
    const store = new ResultStore(redis, keys, 60);
    const bad = [-1, 1.5, Number.NaN].map((index) => ({ ...resultRow(0), index }));
    expect(await store.storeRows(id, [...bad, resultRow(1)])).toEqual({ stored: 1, completedBatch: false, refused: 3 });
    expect((await redis.hkeys(keys.results(id))).sort()).toEqual(['1']);
  });

  it('refuses rows for a batch that does not exist (expired or forged): no key is created', async () => {
    const keys = new Keys(uniquePrefix('ri'));
    const store = new ResultStore(redis, keys, 60);
    expect(await store.storeRows('bgone', [resultRow(0)])).toEqual({ stored: 0, completedBatch: false, refused: 1 });
    expect(await redis.exists(keys.results('bgone'), keys.batch('bgone'))).toBe(0);
  });
});
