/**
 * Runs the removed-job sweeper (packages/core batches/removed-job-sweeper.ts) every
 * JOB_SWEEP_INTERVAL_MS. Several API processes may run: a Redis lock held for most of an interval
 * lets one of them sweep per interval. A sweep that fails (Redis away) is logged and tried again at
 * the next tick.
 */
import { RemovedJobSweeper, ResultStore, type SweepOutcome } from '@hourglass/core';
import type { ApiContext } from './context.js';
import { startLockedInterval, type LockedInterval } from './locked-interval.js';

export type JobSweep = LockedInterval<SweepOutcome>;

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
  return startLockedInterval({ redis, lockKey: keys.sweeperLock(), intervalMs, log, what: 'removed-job sweep', run: () => sweeper.sweepOnce() });
}
