/**
 * Failed authentications are limited per client address: over AUTH_FAILURES_PER_MINUTE failures
 * in a fixed one-minute window, every request from that address that needs a key gets 429
 * AUTH_RATE_LIMITED with Retry-After until the window ends, before any key is compared: a guesser
 * learns nothing more, right or wrong. Counted in this process's memory (no Redis round trip, so
 * it also holds while Redis is away); with several API processes each keeps its own count, which
 * multiplies the budget by their number and still turns 2,000 guesses in 10 s into a few dozen.
 */
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '@hourglass/core';

const WINDOW_MS = 60_000;
/** Addresses remembered at most: a flood of distinct addresses cannot grow the map without bound. */
const MAX_ADDRESSES = 100_000;

export interface AuthFailureLimiter {
  /** Middleware before the key check: 429 while the caller's address is over its budget. */
  gate: (req: Request, res: Response, next: NextFunction) => void;
  /** Counts one failed authentication (requireApiKey's onFailure). */
  record: (req: Request) => void;
}

export function authFailureLimiter(limitPerMinute: number, now: () => number = Date.now): AuthFailureLimiter {
  let window = -1;
  let failures = new Map<string, number>();
  const current = (): number => {
    const w = Math.floor(now() / WINDOW_MS);
    if (w !== window) {
      window = w;
      failures = new Map();
    }
    return w;
  };
  const address = (req: Request): string => req.socket.remoteAddress ?? 'unknown';
  return {
    gate(req, res, next) {
      if (limitPerMinute <= 0) return next();
      const w = current();
      if ((failures.get(address(req)) ?? 0) < limitPerMinute) return next();
      const retryAfter = Math.max(1, Math.ceil(((w + 1) * WINDOW_MS - now()) / 1000));
      res.set('Retry-After', String(retryAfter));
      next(
        new AppError('AUTH_RATE_LIMITED', `more than ${limitPerMinute} failed authentications from this address in one minute; retry in ${retryAfter} s`, {
          details: { limit: limitPerMinute, retryAfterSeconds: retryAfter },
        }),
      );
    },
    record(req) {
      if (limitPerMinute <= 0) return;
      current();
      const key = address(req);
      if (!failures.has(key) && failures.size >= MAX_ADDRESSES) return;
      failures.set(key, (failures.get(key) ?? 0) + 1);
    },
  };
}
