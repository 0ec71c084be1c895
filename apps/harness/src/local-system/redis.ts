/**
 * Finds a Redis for the demo: REDIS_URL if set, else one answering on 127.0.0.1:6379, else a
 * private redis-server from PATH on a free port (stopped on exit). Without one: a clear message.
 */
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '@hourglass/core/testing';
import { harnessEnv } from '../env.js';

export interface DemoRedis {
  url: string;
  origin: 'REDIS_URL' | 'localhost:6379' | 'spawned';
  server?: RedisServerHandle;
}

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

export async function findOrStartRedis(env: NodeJS.ProcessEnv): Promise<DemoRedis> {
  const { REDIS_URL } = harnessEnv(env);
  if (REDIS_URL) return { url: REDIS_URL, origin: 'REDIS_URL' };
  const local = 'redis://127.0.0.1:6379';
  if (await answers(local)) return { url: local, origin: 'localhost:6379' };
  const server = await startRedisServer();
  return { url: server.url, origin: 'spawned', server };
}
