/**
 * Runs the removed-job sweeper (packages/core batches/removed-job-sweeper.ts) every
 * JOB_SWEEP_INTERVAL_MS. Several API processes may run: a Redis lock held for most of an interval
 * lets one of them sweep per interval. A sweep that fails (Redis away) is logged and tried again at
 * the next tick.
 */
import { randomBytes } from 'node:crypto';
import { RemovedJobSweeper, ResultStore, describeError, type SweepOutcome } from '@hourglass/core';
import type { ApiContext } from './context.js';

export interface JobSweep {
  /** One sweep now, whoever holds the lock (tests; the timer calls it too). */
  sweep(): Promise<SweepOutcome | undefined>;
  stop(): void;
}

export function startJobSweep(ctx: ApiContext, intervalMs: number): JobSweep {
  const { redis, keys, log, config } = ctx;
  const sweeper = new RemovedJobSweeper({
    redis,
    keys,
    // Rows this store writes may complete a batch: it sets the configured expiry, as a worker would.
    results: new ResultStore(redis, keys, config.RESULTS_TTL_SECONDS),
    jobKey: (model, jobId) => ctx.queues.get(model).shardOf(jobId).toKey(jobId),
    log,
  });
  const me = randomBytes(8).toString('hex');
  let running = false;
  const tick = async (): Promise<SweepOutcome | undefined> => {
    if (running) return undefined;
    running = true;
    try {
      const lock = await redis.set(keys.sweeperLock(), me, 'PX', Math.max(500, intervalMs - 200), 'NX');
      if (lock !== 'OK' && (await redis.get(keys.sweeperLock())) !== me) return undefined;
      return await sweeper.sweepOnce();
    } catch (error) {
      log.warn({ err: describeError(error) }, 'removed-job sweep failed; trying again next interval');
      return undefined;
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { sweep: tick, stop: () => clearInterval(timer) };
}
