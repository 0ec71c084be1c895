import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisNodeAddress } from './config.js';
import type { Logger } from './logger.js';

export type { Redis };

export type RedisRole =
  /** Short request/response work (the API): fail a command after a few retries rather than hang a request. */
  | 'client'
  /** BullMQ workers and anything that blocks: commands wait through reconnects (BullMQ requires null). */
  | 'worker';

// Reconnect forever with a capped backoff: a Redis restart must heal by itself.
const reconnectDelay = (times: number): number => Math.min(50 * 2 ** Math.min(times, 6), 2_000);

export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 3,
    retryStrategy: reconnectDelay,
    enableReadyCheck: true,
    lazyConnect: false,
    ...extra,
  });
}

/**
 * A Redis Cluster connection. It is typed as Redis on purpose: every command hourglass sends
 * through it names keys of one hash slot (see Keys and queue-shards.ts), and ioredis routes those
 * exactly as a single connection would run them. The node-wide commands (SCAN, INFO, CONFIG) are
 * the exception: they go to each master through masterNodes().
 */
export function createRedisCluster(nodes: readonly RedisNodeAddress[], role: RedisRole, extra: RedisOptions = {}): Redis {
  const cluster = new Cluster(
    nodes.map((n) => ({ host: n.host, port: n.port })),
    {
      redisOptions: { maxRetriesPerRequest: role === 'worker' ? null : 3, enableReadyCheck: true, ...extra },
      clusterRetryStrategy: reconnectDelay,
      enableReadyCheck: true,
      lazyConnect: false,
      // Writes and reads alike on masters: a replica may lag, and a result read back must be there.
      scaleReads: 'master',
    },
  );
  return cluster as unknown as Redis;
}

/** One Redis (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES), as the config says. */
export function connectRedis(
  config: { REDIS_URL: string; REDIS_CLUSTER_NODES?: readonly RedisNodeAddress[] | undefined },
  role: RedisRole,
  extra: RedisOptions = {},
): Redis {
  return config.REDIS_CLUSTER_NODES ? createRedisCluster(config.REDIS_CLUSTER_NODES, role, extra) : createRedis(config.REDIS_URL, role, extra);
}

export function isRedisCluster(redis: Redis): boolean {
  return (redis as unknown as { isCluster?: boolean }).isCluster === true;
}

/**
 * The servers behind a connection: itself, or each master of a cluster (for SCAN, INFO, CONFIG).
 * A cluster knows its masters once it has loaded the slot map, so this waits for it to be ready.
 */
export async function masterNodes(redis: Redis): Promise<Redis[]> {
  if (!isRedisCluster(redis)) return [redis];
  const cluster = redis as unknown as Cluster;
  if (cluster.status !== 'ready') await new Promise<void>((resolve) => cluster.once('ready', () => resolve()));
  return cluster.nodes('master');
}

/** Every key matching `pattern` on every master (SCAN, never KEYS). */
export async function scanKeys(redis: Redis, pattern: string, count = 1_000): Promise<string[]> {
  const found: string[] = [];
  for (const node of await masterNodes(redis)) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
  }
  return found;
}

/**
 * BullMQ loses jobs silently when Redis evicts keys under memory pressure. Returns the policy, or
 * undefined when the server does not let us read it (managed Redis often disables CONFIG).
 */
export async function readEvictionPolicy(redis: Redis): Promise<string | undefined> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    return reply[1];
  } catch {
    return undefined;
  }
}

export async function warnUnlessNoEviction(redis: Redis, log: Logger): Promise<void> {
  for (const node of await masterNodes(redis)) await warnUnlessNodeNoEviction(node, log);
}

async function warnUnlessNodeNoEviction(redis: Redis, log: Logger): Promise<void> {
  const policy = await readEvictionPolicy(redis);
  if (policy === undefined) {
    log.warn('could not read maxmemory-policy (CONFIG disabled?); it must be noeviction or queued jobs can vanish');
  } else if (policy !== 'noeviction') {
    log.warn({ policy }, `Redis maxmemory-policy is "${policy}": set it to "noeviction" or queued jobs and results can be evicted under memory pressure`);
  }
}
