import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeartbeatPublisher, Keys, listLiveWorkers, type WorkerHeartbeat } from '@hourglass/core';
import { testRedis, uniquePrefix } from '../../helpers/redis.js';

let redis: Redis;
beforeAll(() => {
  redis = testRedis();
});
afterAll(async () => {
  await redis.quit();
});

const snapshot = (id: string, model = 'colour'): Omit<WorkerHeartbeat, 'seenAt'> => ({
  id,
  model,
  modelVersion: 1,
  ep: 'cpu',
  host: 'test-host',
  pid: 1234,
  batchSize: 16,
  intraOpThreads: 1,
  startedAt: 1_700_000_000_000,
  processed: 42,
});

describe('HeartbeatPublisher', () => {
  it('publishes on start with a TTL of three intervals, and removes itself on stop', async () => {
    const keys = new Keys(uniquePrefix('hb'));
    const publisher = new HeartbeatPublisher(redis, keys, 5_000, () => snapshot('w1'));
    await publisher.start();
    try {
      const ttl = await redis.ttl(keys.worker('colour', 'w1'));
      expect(ttl).toBeGreaterThan(10);
      expect(ttl).toBeLessThanOrEqual(15);
      const live = await listLiveWorkers(redis, keys);
      expect(live).toHaveLength(1);
      expect(live[0]).toMatchObject(snapshot('w1'));
      expect(live[0]!.seenAt).toBeGreaterThan(0);
    } finally {
      await publisher.stop();
    }
    expect(await redis.exists(keys.worker('colour', 'w1'))).toBe(0);
    expect(await listLiveWorkers(redis, keys)).toEqual([]);
  });

  it('lists only this prefix’s workers, across models', async () => {
    const keys = new Keys(uniquePrefix('hb'));
    const otherKeys = new Keys(uniquePrefix('hb'));
    const publishers = [
      new HeartbeatPublisher(redis, keys, 60_000, () => snapshot('a', 'colour')),
      new HeartbeatPublisher(redis, keys, 60_000, () => snapshot('b', 'levit')),
      new HeartbeatPublisher(redis, otherKeys, 60_000, () => snapshot('c', 'colour')),
    ];
    await Promise.all(publishers.map((p) => p.start()));
    try {
      expect((await listLiveWorkers(redis, keys)).map((w) => w.id).sort()).toEqual(['a', 'b']);
      expect((await listLiveWorkers(redis, otherKeys)).map((w) => w.id)).toEqual(['c']);
    } finally {
      await Promise.all(publishers.map((p) => p.stop()));
    }
  });

  it('keeps a short interval’s TTL at 2 s or more', async () => {
    const keys = new Keys(uniquePrefix('hb'));
    const publisher = new HeartbeatPublisher(redis, keys, 100, () => snapshot('fast'));
    await publisher.start();
    try {
      const ttl = await redis.ttl(keys.worker('colour', 'fast'));
      expect(ttl).toBeGreaterThanOrEqual(1);
      expect(ttl).toBeLessThanOrEqual(2);
    } finally {
      await publisher.stop();
    }
  });
});
