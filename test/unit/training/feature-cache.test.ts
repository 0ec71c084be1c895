/** The feature caches a train job reads first: Redis (workers) and files (CLI), round trips and damage. */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskFeatureCache, RedisFeatureCache } from '@hourglass/core';
import type { FeatureCache } from '@hourglass/core/testing';
import { testRedis, uniquePrefix } from '../../helpers/redis.js';

let redis: Redis;
let dir: string;
beforeAll(async () => {
  redis = testRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'hg-feature-cache-'));
});
afterAll(async () => {
  await redis.quit();
  await rm(dir, { recursive: true, force: true });
});

const hashOf = (i: number): string => i.toString(16).padStart(64, '0');
const featuresOf = (i: number): Float32Array => Float32Array.from({ length: 8 }, (_, k) => i + k / 10);

describe.each([
  ['RedisFeatureCache', (): FeatureCache => new RedisFeatureCache(redis, uniquePrefix('fc'), 600)],
  ['DiskFeatureCache', (): FeatureCache => new DiskFeatureCache(path.join(dir, uniquePrefix('d')))],
])('%s', (_name, make) => {
  it('returns what was stored, in request order, undefined for what was not — across many entries', async () => {
    const cache = make();
    const stored = Array.from({ length: 1_200 }, (_, i) => i).filter((i) => i % 3 !== 0);
    await cache.setMany(
      'bb@1-x',
      stored.map((i) => ({ hash: hashOf(i), features: featuresOf(i) })),
    );
    const got = await cache.getMany(
      'bb@1-x',
      Array.from({ length: 1_200 }, (_, i) => hashOf(i)),
    );
    expect(got).toHaveLength(1_200);
    got.forEach((f, i) => {
      if (i % 3 === 0) expect(f).toBeUndefined();
      else expect(Array.from(f!)).toEqual(Array.from(featuresOf(i)));
    });
    // Another backbone's features are not these.
    expect(await cache.getMany('other@1-y', [hashOf(1)])).toEqual([undefined]);
    expect(await cache.getMany('bb@1-x', [])).toEqual([]);
  });
});

describe('damaged entries read as misses', () => {
  it('Redis: a value that is not whole float32s', async () => {
    const prefix = uniquePrefix('fc');
    const cache = new RedisFeatureCache(redis, prefix, 600);
    await redis.set(cache.key('bb', hashOf(1)), Buffer.from([1, 2, 3]));
    await redis.set(cache.key('bb', hashOf(2)), '');
    expect(await cache.getMany('bb', [hashOf(1), hashOf(2)])).toEqual([undefined, undefined]);
  });

  it('Redis: entries expire after the cache TTL', async () => {
    const cache = new RedisFeatureCache(redis, uniquePrefix('fc'), 600);
    await cache.setMany('bb', [{ hash: hashOf(1), features: featuresOf(1) }]);
    const ttl = await redis.ttl(cache.key('bb', hashOf(1)));
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
  });

  it('disk: a truncated file', async () => {
    const root = path.join(dir, uniquePrefix('d'));
    const cache = new DiskFeatureCache(root);
    const hash = hashOf(7);
    await mkdir(path.join(root, 'bb', hash.slice(0, 2)), { recursive: true });
    await writeFile(path.join(root, 'bb', hash.slice(0, 2), `${hash}.f32`), Buffer.from([1, 2, 3, 4, 5]));
    expect(await cache.getMany('bb', [hash])).toEqual([undefined]);
  });
});
