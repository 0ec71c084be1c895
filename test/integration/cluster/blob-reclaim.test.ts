/** Blob reclaim rules on a real Redis Cluster: no command may span slots (cases: test/helpers/blob-reclaim-cases.ts). */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import { createRedisCluster } from '@hourglass/core/testing';
import { blobReclaimCases } from '../../helpers/blob-reclaim-cases.js';
import { useRedisCluster } from '../../helpers/redis-cluster.js';

describe('blob reclaim on a Redis Cluster', () => {
  const cluster = useRedisCluster();
  let redis: Redis;
  beforeAll(() => {
    redis = createRedisCluster(cluster.get().nodes, 'client');
  });
  afterAll(async () => {
    await redis?.quit();
  });
  blobReclaimCases(() => redis);
});
