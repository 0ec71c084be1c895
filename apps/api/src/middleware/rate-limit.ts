/**
 * Per-key rate limiting: a fixed one-minute window per caller, counted in Redis (INCR + PEXPIRE in
 * one round trip) so every API process behind a load balancer shares the count. The caller is the
 * hash of its API key (req.owner), or its address when authentication is off. Over the limit:
 * 429 RATE_LIMITED with Retry-After (seconds to the next window). RateLimit-* headers tell
 * well-behaved clients where they stand. If Redis cannot be asked, the request is let through:
 * the limiter must not turn a Redis hiccup into an outage of its own.
 */
import type { NextFunction, Request, Response } from 'express';
import { AppError, type Keys, type Logger, type Redis } from '@hourglass/core';

export const RATE_WINDOW_MS = 60_000;

export function rateLimitPerKey(options: { redis: Redis; keys: Keys; limitPerMinute: number; log: Logger; now?: () => number }) {
  const { redis, keys, limitPerMinute, log } = options;
  const now = options.now ?? Date.now;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (limitPerMinute <= 0) return next();
    const caller = req.owner && req.owner !== 'anonymous' ? req.owner : `ip-${req.ip ?? 'unknown'}`;
    const t = now();
    const window = Math.floor(t / RATE_WINDOW_MS);
    const resetMs = (window + 1) * RATE_WINDOW_MS - t;
    const key = keys.rateLimit(caller, window);
    redis
      .pipeline()
      .incr(key)
      .pexpire(key, resetMs + 1_000)
      .exec()
      .then(
        (replies) => {
          const count = Number(replies?.[0]?.[1] ?? 0);
          const resetSeconds = Math.max(1, Math.ceil(resetMs / 1000));
          res.set({
            'RateLimit-Limit': String(limitPerMinute),
            'RateLimit-Remaining': String(Math.max(0, limitPerMinute - count)),
            'RateLimit-Reset': String(resetSeconds),
          });
          if (count > limitPerMinute) {
            return next(
              new AppError('RATE_LIMITED', `more than ${limitPerMinute} requests in one minute with this API key; retry in ${resetSeconds} s`, {
                details: { limit: limitPerMinute, retryAfterSeconds: resetSeconds },
              }),
            );
          }
          next();
        },
        (error: unknown) => {
          log.debug({ err: String(error) }, 'rate limiter could not reach Redis; letting the request through');
          next();
        },
      );
  };
}
