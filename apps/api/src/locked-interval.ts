/**
 * A periodic task that one API process runs per interval: a Redis lock held for most of the
 * interval picks the process, a run still going skips the next tick, and a run that fails (Redis
 * away) is logged and tried again at the next tick. The removed-job and blob sweeps run this way.
 */
import { randomBytes } from 'node:crypto';
import { describeError, type Logger, type Redis } from '@hourglass/core';

export interface LockedInterval<T> {
  /** One run now, if this process holds (or takes) the lock (tests; the timer calls it too). */
  sweep(): Promise<T | undefined>;
  stop(): void;
}

export interface LockedIntervalOptions<T> {
  redis: Redis;
  lockKey: string;
  intervalMs: number;
  log: Logger;
  /** Names the task in the failure log line. */
  what: string;
  run: () => Promise<T>;
}

export function startLockedInterval<T>(options: LockedIntervalOptions<T>): LockedInterval<T> {
  const { redis, lockKey, intervalMs, log } = options;
  const me = randomBytes(8).toString('hex');
  let running = false;
  const tick = async (): Promise<T | undefined> => {
    if (running) return undefined;
    running = true;
    try {
      const lock = await redis.set(lockKey, me, 'PX', Math.max(500, intervalMs - 200), 'NX');
      if (lock !== 'OK' && (await redis.get(lockKey)) !== me) return undefined;
      return await options.run();
    } catch (error) {
      log.warn({ err: describeError(error) }, `${options.what} failed; trying again next interval`);
      return undefined;
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { sweep: tick, stop: () => clearInterval(timer) };
}
