/**
 * Every Redis path that meets keys of more than one slot, run on a real Redis Cluster (3 masters):
 * a submit (record, owner index, jobs on 3 shards), the listing, the legacy index migration, the
 * live-worker scan, the eviction check and the benchmark's prefix cleanup. On a cluster a
 * cross-slot MULTI, pipeline or multi-key command fails with CROSSSLOT, so each passing here is
 * the proof that it stays on one slot per command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HeartbeatPublisher,
  Keys,
  ShardedClassifyQueue,
  connectRedis,
  createLogger,
  listBatches,
  listLiveWorkers,
  loadModel,
  masterNodes,
  migrateLegacyBatchIndex,
  submitBatch,
  warnUnlessNoEviction,
  writeModel,
  type Redis,
  type RegisteredModel,
} from '@hourglass/core';
import { unlinkPrefix } from '@hourglass/core/bench';
import { buildColourNet, scanKeys } from '@hourglass/core/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { useRedisCluster } from '../../helpers/redis-cluster.js';
import { uniquePrefix } from '../../helpers/redis.js';

describe('cross-slot paths on a Redis Cluster', () => {
  const cluster = useRedisCluster();
  let redis: Redis;
  let model: RegisteredModel;
  let dir: string;
  beforeAll(async () => {
    redis = connectRedis({ REDIS_URL: 'redis://unused', REDIS_CLUSTER_NODES: cluster.get().nodes }, 'worker');
    dir = await mkdtemp(path.join(os.tmpdir(), 'hourglass-xslot-'));
    const { manifest, onnx } = buildColourNet({ name: 'colours', size: 8, channels: 3 });
    await writeModel(dir, manifest, onnx);
    model = await loadModel(dir, 'colours');
  });
  afterAll(async () => {
    redis?.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  it('submits over 3 shards, lists, migrates the legacy index, scans workers, cleans up', async () => {
    const prefix = uniquePrefix('xs');
    const keys = new Keys(prefix);
    const queue = new ShardedClassifyQueue('colours', redis, prefix, { shards: 3, hashTagged: true });
    try {
      const items = Array.from({ length: 30 }, (_, index) => ({ index, path: `x/${index}.jpg` }));
      const views = [];
      for (let i = 0; i < 4; i++) views.push(await submitBatch({ redis, keys, queue }, { model, items, chunkSize: 2, owner: 'alice' }));
      // Idempotent across shards: the same key twice is one batch and one set of 15 jobs.
      const once = await submitBatch({ redis, keys, queue }, { model, items, chunkSize: 2, owner: 'bob', idempotencyKey: 'k1' });
      const twice = await submitBatch({ redis, keys, queue }, { model, items, chunkSize: 2, owner: 'bob', idempotencyKey: 'k1' });
      expect(twice.id).toBe(once.id);
      const waiting = await Promise.all(queue.shards.map(async (q) => (await q.getJobCounts('wait')).wait));
      expect(waiting).toEqual([5 * 5, 5 * 5, 5 * 5]);

      expect((await listBatches(redis, keys, 'alice', 10)).map((b) => b.id).sort()).toEqual(views.map((v) => v.id).sort());

      // Batches an old release listed in the one shared index move to their owner's index.
      await redis.zadd(keys.legacyBatchIndex(), 1, views[0]!.id, 2, once.id, 3, 'gone');
      await redis.zrem(keys.batchIndex('bob'), once.id);
      expect(await migrateLegacyBatchIndex(redis, keys)).toEqual({ moved: 2, dropped: 1 });
      expect(await redis.exists(keys.legacyBatchIndex())).toBe(0);
      expect((await listBatches(redis, keys, 'bob', 10)).map((b) => b.id)).toEqual([once.id]);

      const beats = ['w1', 'w2', 'w3', 'w4'].map(
        (id) =>
          new HeartbeatPublisher(redis, keys, 60_000, () => ({
            id,
            model: 'colours',
            modelVersion: 1,
            ep: 'cpu',
            host: 'h',
            pid: 1,
            batchSize: 8,
            intraOpThreads: 1,
            startedAt: 0,
            processed: 0,
          })),
      );
      await Promise.all(beats.map((b) => b.start()));
      // Four keys over three masters: the scan must visit all of them.
      const holders = await Promise.all((await masterNodes(redis)).map(async (node) => (await node.keys(keys.workerPattern())).length));
      expect(holders.reduce((a, b) => a + b, 0)).toBe(4);
      expect((await listLiveWorkers(redis, keys)).map((w) => w.id).sort()).toEqual(['w1', 'w2', 'w3', 'w4']);
      await Promise.all(beats.map((b) => b.stop()));

      const warnings: string[] = [];
      const log = createLogger('xslot', 'silent');
      log.warn = ((...args: unknown[]) => void warnings.push(String(args.at(-1)))) as typeof log.warn;
      await warnUnlessNoEviction(redis, log);
      expect(warnings).toEqual([]);
    } finally {
      await queue.close();
    }
    expect((await scanKeys(redis, `${prefix}:*`)).length).toBeGreaterThan(0);
    await unlinkPrefix(redis, prefix);
    expect(await scanKeys(redis, `${prefix}:*`)).toEqual([]);
  });
});
