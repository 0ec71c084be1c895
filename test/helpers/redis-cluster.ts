/**
 * A real Redis Cluster for one test file: 3 masters on loopback ports, started in beforeAll and
 * stopped (processes killed, folder removed) in afterAll. The cluster path is tested against the
 * real thing, never a single Redis pretending.
 */
import { afterAll, beforeAll } from 'vitest';
import { startRedisCluster, type RedisClusterHandle } from '@hourglass/core/testing';

/** Starts the cluster before the file's tests; `get()` returns it inside them. */
export function useRedisCluster(options: { masters?: number } = {}): { get: () => RedisClusterHandle } {
  let cluster: RedisClusterHandle | undefined;
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: options.masters ?? 3, maxmemory: '96mb' });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return {
    get: () => {
      if (!cluster) throw new Error('the Redis Cluster is not started (useRedisCluster runs in beforeAll)');
      return cluster;
    },
  };
}
