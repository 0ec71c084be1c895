/**
 * Backpressure in images, not jobs: MAX_QUEUED_PER_MODEL is a number of images, and a job now
 * carries several. How many images of a model wait is derived, never kept in a counter of its own:
 * a counter bumped at submit and lowered as jobs finish drifts with every path that is not the
 * happy one (a retried or idempotent submit, a job retried after a failure or a stall, a job removed
 * by hand and filled in by the sweeper, a crash between two writes), and on a Redis Cluster it would
 * sit in another slot than the batch it follows, so no one script could keep both exact.
 *
 * Each open batch already holds the truth: its images not yet started are
 * total − max(completed + failed, started) — the `queued` count its own view shows. `started`
 * counts each index once (the started hash), rows are stored once per index, and JOB_REMOVED rows
 * close what the sweeper finds, so the sum is exact under all of those. Images of a job that failed
 * once and waits for its retry count as started, not queued: at most the workers' concurrency.
 *
 * Reading every open batch on each submit costs one HMGET per open batch, so the job counts decide
 * first: every waiting job holds 1 to MAX_CHUNK_SIZE images, so when even the low bound is over the
 * limit, or even the high bound is under it, no batch needs reading.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../keys.js';
import { MAX_CHUNK_SIZE } from '../limits.js';
import { BatchStore } from './batch-store.js';

/** Open batches read per round (one HMGET each, sent together). */
const PAGE = 500;

export interface QueuedImagesCheck {
  /** Images already queued for the model (exact, or a bound when that decided). */
  queued: number;
  /** Whether `adding` more images stay within the limit. */
  fits: boolean;
  /** How `queued` was found: from job counts alone, or from the model's open batches. */
  basis: 'jobs' | 'batches';
}

/**
 * Whether `adding` images of `model` fit under `limit` queued images.
 * `waitingJobs` is the model queue's wait + prioritized + delayed count.
 */
export async function checkQueuedImages(
  redis: Redis,
  keys: Keys,
  ask: { model: string; waitingJobs: number; adding: number; limit: number },
): Promise<QueuedImagesCheck> {
  const { waitingJobs, adding, limit } = ask;
  if (waitingJobs + adding > limit) return { queued: waitingJobs, fits: false, basis: 'jobs' };
  if (waitingJobs * MAX_CHUNK_SIZE + adding <= limit) return { queued: waitingJobs, fits: true, basis: 'jobs' };
  const queued = waitingJobs === 0 ? 0 : await countQueuedImages(redis, keys, ask.model);
  return { queued, fits: queued + adding <= limit, basis: 'batches' };
}

/** Images of `model`'s open batches that no worker has started yet. */
export async function countQueuedImages(redis: Redis, keys: Keys, model: string): Promise<number> {
  const batches = new BatchStore(redis, keys);
  let queued = 0;
  for (let offset = 0; ; offset += PAGE) {
    const ids = await batches.openIds(offset, PAGE);
    if (ids.length === 0) break;
    for (const record of await batches.records(ids)) {
      if (!record || record.model !== model || record.finishedAt !== null) continue;
      const begun = Math.max(record.completed + record.failed, Math.min(record.total, record.started));
      queued += Math.max(0, record.total - begun);
    }
    if (ids.length < PAGE) break;
  }
  return queued;
}
