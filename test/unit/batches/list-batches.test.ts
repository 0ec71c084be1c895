/** listBatches: a caller's own batches, newest first, from its own index; expired entries pruned. And the move from the old shared index. */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Keys, listBatches, migrateLegacyBatchIndex } from '@hourglass/core';
import { testRedis, uniquePrefix } from '../../helpers/redis.js';

let redis: Redis;
let keys: Keys;

beforeAll(() => {
  redis = testRedis();
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(() => {
  keys = new Keys(uniquePrefix('lb'));
});

/** A batch as submitBatch records it: its meta hash and its entry in the owner's index. */
async function addBatch(owner: string, id: string, createdAt: number): Promise<void> {
  await redis.hset(keys.batch(id), { id, model: 'colours', modelVersion: 1, total: 3, chunkSize: 1, createdAt, owner, completed: 0, failed: 0, started: 0 });
  await redis.zadd(keys.batchIndex(owner), createdAt, id);
}

describe('listBatches', () => {
  it('lists only the caller’s batches, newest first, up to the limit — however many others submit', async () => {
    const t = Date.now();
    await addBatch('alice', 'ba1', t);
    for (let i = 0; i < 600; i++) await addBatch('bob', `bb${i}`, t + 1 + i);
    await addBatch('alice', 'ba2', t + 1_000);
    expect((await listBatches(redis, keys, 'alice', 20)).map((b) => b.id)).toEqual(['ba2', 'ba1']);
    expect((await listBatches(redis, keys, 'bob', 3)).map((b) => b.id)).toEqual(['bb599', 'bb598', 'bb597']);
    expect(await listBatches(redis, keys, 'carol', 20)).toEqual([]);
  });

  it('prunes index entries whose batch expired, and still fills the page from older ones', async () => {
    const t = Date.now();
    for (let i = 0; i < 10; i++) await addBatch('alice', `b${i}`, t + i);
    // The newest five expired (their keys are gone, their index entries are not).
    await redis.del(...[5, 6, 7, 8, 9].map((i) => keys.batch(`b${i}`)));
    expect((await listBatches(redis, keys, 'alice', 3)).map((b) => b.id)).toEqual(['b4', 'b3', 'b2']);
    expect(await redis.zrevrange(keys.batchIndex('alice'), 0, -1)).toEqual(['b4', 'b3', 'b2', 'b1', 'b0']);
    expect((await listBatches(redis, keys, 'alice', 20)).map((b) => b.id)).toEqual(['b4', 'b3', 'b2', 'b1', 'b0']);
  });

  it('never shows a batch owned by someone else, even if its id is in the caller’s index', async () => {
    await addBatch('bob', 'bx', Date.now());
    await redis.zadd(keys.batchIndex('alice'), Date.now(), 'bx');
    expect(await listBatches(redis, keys, 'alice', 20)).toEqual([]);
  });
});

describe('migrateLegacyBatchIndex', () => {
  it('moves every entry of the old shared index to its owner’s index, drops expired ones, and is idempotent', async () => {
    const t = Date.now();
    await redis.hset(keys.batch('old-a'), { id: 'old-a', model: 'colours', total: 1, createdAt: t, owner: 'alice', completed: 0, failed: 0 });
    await redis.hset(keys.batch('old-b'), { id: 'old-b', model: 'colours', total: 1, createdAt: t + 1, owner: 'bob', completed: 0, failed: 0 });
    // 2,500 more, to cross pages; and one whose batch expired.
    for (let i = 0; i < 2_500; i++) {
      await redis.hset(keys.batch(`many-${i}`), {
        id: `many-${i}`,
        model: 'colours',
        total: 1,
        createdAt: t + 10 + i,
        owner: 'alice',
        completed: 0,
        failed: 0,
      });
    }
    const legacy = keys.legacyBatchIndex();
    await redis.zadd(legacy, t, 'old-a', t + 1, 'old-b', t + 2, 'expired');
    for (let i = 0; i < 2_500; i++) await redis.zadd(legacy, t + 10 + i, `many-${i}`);

    expect(await migrateLegacyBatchIndex(redis, keys)).toEqual({ moved: 2_502, dropped: 1 });
    expect(await redis.exists(legacy)).toBe(0);
    expect(await redis.zscore(keys.batchIndex('alice'), 'old-a')).toBe(String(t));
    expect(await redis.zcard(keys.batchIndex('alice'))).toBe(2_501);
    expect((await listBatches(redis, keys, 'bob', 20)).map((b) => b.id)).toEqual(['old-b']);
    expect(await migrateLegacyBatchIndex(redis, keys)).toEqual({ moved: 0, dropped: 0 });
  });
});
