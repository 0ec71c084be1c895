/**
 * While the API's Redis connection is down (Redis restarting, network blip), requests that need
 * Redis wait for it briefly and then fail fast with 503 REDIS_UNAVAILABLE and Retry-After, instead
 * of hanging for ioredis's several reconnect attempts. The connection heals by itself (ioredis
 * reconnects forever); nothing here restarts anything.
 */
import type { NextFunction, Request, Response } from 'express';
import { AppError, type Redis } from '@hourglass/core';

/** How long a request waits for a reconnecting Redis before it gets a 503. */
export const REDIS_WAIT_MS = 1_000;

export function requireRedis(redis: Redis, waitMs = REDIS_WAIT_MS) {
  // One shared 'ready' listener however many requests are waiting.
  let ready: Promise<void> | undefined;
  const whenReady = (): Promise<void> =>
    (ready ??= new Promise<void>((resolve) => {
      redis.once('ready', () => {
        ready = undefined;
        resolve();
      });
    }));

  return (_req: Request, _res: Response, next: NextFunction): void => {
    if (redis.status === 'ready') return next();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), waitMs);
    });
    void Promise.race([whenReady().then(() => false), timedOut]).then((late) => {
      clearTimeout(timer);
      if (late) next(new AppError('REDIS_UNAVAILABLE', 'the queue store is unavailable; retry shortly', { details: { retryAfterSeconds: 2 } }));
      else next();
    });
  };
}
