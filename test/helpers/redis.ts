import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { Redis } from 'ioredis';

/** The test run's private Redis (started in global-setup). */
export const testRedisUrl = (): string => inject('redisUrl');

/** A key prefix no other test uses, so tests share one Redis without seeing each other. */
export const uniquePrefix = (stem = 't'): string => `${stem}${randomBytes(5).toString('hex')}`;

export function testRedis(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
}
