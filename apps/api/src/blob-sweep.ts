/**
 * Runs the blob sweeper (packages/core storage/blob-sweeper.ts) every BLOB_SWEEP_INTERVAL_MS, the
 * same way as the removed-job sweep (job-sweep.ts): a Redis lock held for most of an interval lets
 * one API process sweep per interval; a sweep that fails (Redis away) is logged and tried again.
 * Correctness does not rest on the lock (each blob's decision is atomic), it only saves work.
 */
import { randomBytes } from 'node:crypto';
import { BlobSweeper, describeError, type BlobSweepOutcome } from '@hourglass/core';
import type { ApiContext } from './context.js';

export interface BlobSweep {
  /** One sweep now, whoever holds the lock (tests; the timer calls it too). */
  sweep(): Promise<BlobSweepOutcome | undefined>;
  stop(): void;
}

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
  const me = randomBytes(8).toString('hex');
  let running = false;
  const tick = async (): Promise<BlobSweepOutcome | undefined> => {
    if (running) return undefined;
    running = true;
    try {
      const lock = await redis.set(keys.blobSweeperLock(), me, 'PX', Math.max(500, intervalMs - 200), 'NX');
      if (lock !== 'OK' && (await redis.get(keys.blobSweeperLock())) !== me) return undefined;
      const outcome = await sweeper.sweepOnce();
      if (outcome.reclaimed > 0) log.info(outcome, 'unreferenced blobs reclaimed');
      return outcome;
    } catch (error) {
      log.warn({ err: describeError(error) }, 'blob sweep failed; trying again next interval');
      return undefined;
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { sweep: tick, stop: () => clearInterval(timer) };
}
