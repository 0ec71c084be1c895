/** One submit at a time per model, on the test run's real Redis. */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, Keys, withSubmitLock } from '@hourglass/core';
import { testRedis, uniquePrefix } from '../../helpers/redis.js';

let redis: Redis;
beforeAll(() => {
  redis = testRedis();
});
afterAll(async () => {
  await redis.quit();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('submit lock', () => {
  it('runs the submits of one model one after the other, and those of two models side by side', async () => {
    const keys = new Keys(uniquePrefix());
    const events: string[] = [];
    const submit = (model: string, name: string): Promise<string> =>
      withSubmitLock(redis, keys, model, async () => {
        events.push(`${name} in`);
        await sleep(60);
        events.push(`${name} out`);
        return name;
      });
    const results = await Promise.all([submit('m', 'a'), submit('m', 'b'), submit('m', 'c'), submit('other', 'x')]);
    expect(results).toEqual(['a', 'b', 'c', 'x']);
    const sameModel = events.filter((e) => !e.startsWith('x'));
    // Never two of model m inside at once: every "in" is followed by its own "out".
    for (let i = 0; i < sameModel.length; i += 2) expect(sameModel[i + 1]).toBe(sameModel[i]!.replace(' in', ' out'));
    // The other model did not wait for them: it entered before the last of m's three.
    expect(events.indexOf('x in')).toBeLessThan(events.lastIndexOf(sameModel.at(-2)!));
    expect(await redis.exists(keys.submitLock('m'), keys.submitLock('other'))).toBe(0);
  });

  it('frees the lock when the submit throws, and passes the error on', async () => {
    const keys = new Keys(uniquePrefix());
    await expect(withSubmitLock(redis, keys, 'm', () => Promise.reject(new AppError('QUEUE_FULL', 'full')))).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    expect(await redis.exists(keys.submitLock('m'))).toBe(0);
    await expect(withSubmitLock(redis, keys, 'm', () => Promise.resolve(1))).resolves.toBe(1);
  });

  it('gives up with SUBMIT_BUSY (503, Retry-After) while another holder keeps the lock past the wait', async () => {
    const keys = new Keys(uniquePrefix());
    await redis.set(keys.submitLock('m'), 'someone-else', 'PX', 10_000);
    const t0 = performance.now();
    const error = await withSubmitLock(redis, keys, 'm', () => Promise.resolve('ran'), { waitMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'SUBMIT_BUSY', httpStatus: 503, details: { retryAfterSeconds: 5 } });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    // The other holder's lock is untouched.
    expect(await redis.get(keys.submitLock('m'))).toBe('someone-else');
  });

  it("takes over a dead holder's lock when its lease ends, and a late release cannot free the next holder's lock", async () => {
    const keys = new Keys(uniquePrefix());
    let releaseSlow!: () => void;
    const slowMayEnd = new Promise<void>((resolve) => (releaseSlow = resolve));
    // A holder whose lease (100 ms) runs out while it still works.
    const slow = withSubmitLock(redis, keys, 'm', () => slowMayEnd, { leaseMs: 100 });
    await sleep(20);
    let nextHolding!: () => void;
    const nextMayEnd = new Promise<void>((resolve) => (nextHolding = resolve));
    let nextIn = false;
    const next = withSubmitLock(
      redis,
      keys,
      'm',
      async () => {
        nextIn = true;
        await nextMayEnd;
      },
      { waitMs: 2_000 },
    );
    for (let i = 0; i < 100 && !nextIn; i++) await sleep(10);
    expect(nextIn).toBe(true);
    // The first holder ends now: its release must leave the second holder's lock in place.
    releaseSlow();
    await slow;
    expect(await redis.exists(keys.submitLock('m'))).toBe(1);
    nextHolding();
    await next;
    expect(await redis.exists(keys.submitLock('m'))).toBe(0);
  });
});
