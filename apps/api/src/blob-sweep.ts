/**
 * Runs the blob sweeper (packages/core storage/blob-sweeper.ts) every BLOB_SWEEP_INTERVAL_MS, the
 * same way as the removed-job sweep: one API process per interval (locked-interval.ts).
 * Correctness does not rest on the lock (each blob's decision is atomic), it only saves work.
 */
import { BlobSweeper, type BlobSweepOutcome } from '@hourglass/core';
import type { ApiContext } from './context.js';
import { startLockedInterval, type LockedInterval } from './locked-interval.js';

export type BlobSweep = LockedInterval<BlobSweepOutcome>;

export function startBlobSweep(ctx: ApiContext, intervalMs: number): BlobSweep {
  const { redis, keys, log, config } = ctx;
  const sweeper = new BlobSweeper({
    redis,
    keys,
    refs: ctx.blobRefs,
    blobs: ctx.blobs,
    dataRoot: ctx.dataRoot,
    graceMs: config.BLOB_SWEEP_GRACE_SECONDS * 1000,
    resultsTtlMs: config.RESULTS_TTL_SECONDS * 1000,
  });
  return startLockedInterval({
    redis,
    lockKey: keys.blobSweeperLock(),
    intervalMs,
    log,
    what: 'blob sweep',
    run: async () => {
      const outcome = await sweeper.sweepOnce();
      if (outcome.reclaimed > 0) log.info(outcome, 'unreferenced blobs reclaimed');
      return outcome;
    },
  });
}
