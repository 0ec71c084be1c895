import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

export type { Redis };

export type RedisRole =
  /** Short request/response work (the API): fail a command after a few retries rather than hang a request. */
  | 'client'
  /** BullMQ workers and anything that blocks: commands wait through reconnects (BullMQ requires null). */
  | 'worker';

export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 3,
    // Reconnect forever with a capped backoff: a Redis restart must heal by itself.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
    enableReadyCheck: true,
    lazyConnect: false,
    ...extra,
  });
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
  const policy = await readEvictionPolicy(redis);
  if (policy === undefined) {
    log.warn('could not read maxmemory-policy (CONFIG disabled?); it must be noeviction or queued jobs can vanish');
  } else if (policy !== 'noeviction') {
    log.warn({ policy }, `Redis maxmemory-policy is "${policy}": set it to "noeviction" or queued jobs and results can be evicted under memory pressure`);
  }
}
