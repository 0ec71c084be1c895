/**
 * One submit at a time per model, across every API process. MAX_QUEUED_PER_MODEL is checked
 * against the jobs already enqueued: two submits that each fit alone read the same count before
 * either enqueued, and both passed (5 concurrent submits of 10 images against a limit of 20 were
 * all accepted). Holding this lock from the check to the last enqueued job makes the second submit
 * see the first one's images.
 *
 * The lock is a Redis key with a random token and a lease (SET NX PX): a holder that dies frees it
 * when the lease ends, and a release deletes the key only while it still holds the holder's token,
 * so a holder whose lease ran out cannot free the next holder's lock. A submit that outlives its
 * lease (far beyond the largest batch's enqueue, measured in seconds) loses the guarantee, not
 * its batch.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import type { Keys } from '../keys.js';

export interface SubmitLockOptions {
  /** How long the lock is held at most if its holder never releases it, ms. */
  leaseMs?: number;
  /** How long a submit waits for the lock before it gives up with SUBMIT_BUSY, ms. */
  waitMs?: number;
}

export const SUBMIT_LOCK_DEFAULTS = { leaseMs: 60_000, waitMs: 15_000 } as const;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Runs `fn` holding `model`'s submit lock; waits for it up to `waitMs`, then throws SUBMIT_BUSY. */
export async function withSubmitLock<T>(redis: Redis, keys: Keys, model: string, fn: () => Promise<T>, options: SubmitLockOptions = {}): Promise<T> {
  const { leaseMs, waitMs } = { ...SUBMIT_LOCK_DEFAULTS, ...options };
  const key = keys.submitLock(model);
  const token = randomBytes(12).toString('hex');
  const deadline = performance.now() + waitMs;
  // Short waits first (a small batch's enqueue takes a few ms), then at most 200 ms apart.
  for (let gap = 5; ; gap = Math.min(200, gap * 2)) {
    if ((await redis.set(key, token, 'PX', leaseMs, 'NX')) === 'OK') break;
    const left = deadline - performance.now();
    if (left <= 0) {
      throw new AppError('SUBMIT_BUSY', `another submit for model "${model}" has held its queue for over ${Math.round(waitMs / 1000)} s; retry shortly`, {
        details: { retryAfterSeconds: 5 },
      });
    }
    // The last try falls on the deadline itself.
    await sleep(Math.min(gap, left));
  }
  try {
    return await fn();
  } finally {
    await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
  }
}
