/**
 * Finds images whose queue job was removed while their batch was open (Bull Board's clean, empty,
 * obliterate or remove, a BullMQ trim) and stores a JOB_REMOVED failure row for each, so a batch
 * never waits forever for a row no job will write.
 *
 * It runs in the API, not the workers: the API has every model's queue at hand and there are few
 * API processes (one Redis lock per interval makes one of them sweep), while workers are many per
 * model and may be scaled to zero exactly when a batch's jobs are gone. A batch is looked at only
 * after its row count stopped moving for a whole interval: a batch that is draining costs one
 * HMGET per sweep. Then each job of the batch is checked with EXISTS (pipelined), and only images
 * of missing jobs that have no row get one. Rows are stored with HSETNX by the same Lua script the
 * workers use, so a job that finished (and was removed by removeOnComplete) between the two reads
 * keeps its real rows: every index still ends with exactly one row.
 */
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import type { Keys } from '../keys.js';
import type { Logger } from '../logger.js';
import { classifyJobId } from '../queues.js';
import type { ResultRow } from '../results/result-row.js';
import type { ResultStore } from '../results/result-store.js';
import { BatchStore } from './batch-store.js';

const PAGE = 1_000;
/** A finished job's rows are written before BullMQ marks it finished, or (failed for good) just after. */
const FINISHED_GRACE_MS = 5_000;
/** Most open batches looked at per sweep (oldest first). */
const BATCHES_PER_SWEEP = 500;

export interface RemovedJobSweeperDeps {
  redis: Redis;
  keys: Keys;
  results: Pick<ResultStore, 'storeRows'>;
  /** The Redis key BullMQ keeps a job's hash under (Queue.toKey of its id). */
  jobKey: (model: string, jobId: string) => string;
  log: Logger;
}

export interface SweepOutcome {
  /** Open batches looked at. */
  batches: number;
  /** Batches whose jobs were checked one by one (their progress had stopped). */
  inspected: number;
  /** JOB_REMOVED rows newly stored. */
  removedRows: number;
}

export class RemovedJobSweeper {
  /** Row count of each open batch at the previous sweep: unchanged means it stopped moving. */
  private readonly lastDone = new Map<string, number>();

  constructor(private readonly deps: RemovedJobSweeperDeps) {}

  async sweepOnce(): Promise<SweepOutcome> {
    const batches = new BatchStore(this.deps.redis, this.deps.keys);
    const outcome: SweepOutcome = { batches: 0, inspected: 0, removedRows: 0 };
    const ids = await batches.openIds(0, BATCHES_PER_SWEEP);
    const seen = new Set(ids);
    for (const id of [...this.lastDone.keys()]) if (!seen.has(id)) this.lastDone.delete(id);
    for (const id of ids) {
      outcome.batches++;
      const record = await batches.record(id);
      if (!record || record.finishedAt !== null) {
        await batches.close(id);
        this.lastDone.delete(id);
        continue;
      }
      if (!record.enqueued) continue;
      const done = record.completed + record.failed;
      const before = this.lastDone.get(id);
      this.lastDone.set(id, done);
      if (before !== done) continue;
      outcome.inspected++;
      outcome.removedRows += await this.fillRemoved(id, record.model, record.modelVersion, record.total, record.chunkSize);
    }
    return outcome;
  }

  /** JOB_REMOVED rows for the images of this batch's missing jobs that have no row yet. */
  private async fillRemoved(batchId: string, model: string, modelVersion: number, total: number, chunkSize: number): Promise<number> {
    const { redis, keys, jobKey, results, log } = this.deps;
    const jobs = Math.ceil(total / chunkSize);
    let stored = 0;
    for (let from = 0; from < jobs; from += PAGE) {
      const numbers = Array.from({ length: Math.min(PAGE, jobs - from) }, (_, i) => from + i);
      const finishedOn = await pipelineAll(
        redis,
        numbers.flatMap((n) => [
          ['exists', jobKey(model, classifyJobId(batchId, n))],
          ['hget', jobKey(model, classifyJobId(batchId, n)), 'finishedOn'],
        ]),
      );
      const now = Date.now();
      // Gone: removed, or finished a while ago (long enough for the failed-job hook to have written
      // its rows) without a row for its images: a job edited by hand, which the worker refused.
      const missing = numbers.filter((_, i) => finishedOn[2 * i] === 0 || (finishedOn[2 * i + 1]! > 0 && now - finishedOn[2 * i + 1]! > FINISHED_GRACE_MS));
      if (missing.length === 0) continue;
      const indices = missing.flatMap((n) => Array.from({ length: Math.min(chunkSize, total - n * chunkSize) }, (_, k) => n * chunkSize + k));
      const hasRow = await pipelineAll(
        redis,
        indices.map((index) => ['hexists', keys.results(batchId), String(index)]),
      );
      const error = new AppError(
        'JOB_REMOVED',
        "this image's queue job was removed or altered (Bull Board clean/empty/remove/update-data?) before it produced a result",
      );
      const rows: ResultRow[] = indices
        .filter((_, i) => hasRow[i] === 0)
        .map((index) => ({
          index,
          source: `image ${index}`,
          model,
          modelVersion,
          worker: 'api-sweeper',
          error: { code: error.code, message: error.message },
          finishedAt: Date.now(),
        }));
      if (rows.length === 0) continue;
      const { stored: fresh } = await results.storeRows(batchId, rows);
      stored += fresh;
      log.warn({ batchId, model, images: fresh }, 'queue jobs of an open batch were removed; JOB_REMOVED rows stored');
    }
    return stored;
  }
}

/**
 * The commands sent at once, not as one pipeline: ioredis writes them back to back (one round trip
 * on a single Redis), and on a Redis Cluster each goes to its own key's master, where a pipeline
 * would refuse keys of several slots (a sharded model's jobs live on several).
 */
async function pipelineAll(redis: Redis, commands: Array<[string, ...string[]]>): Promise<number[]> {
  const replies = await Promise.all(commands.map(([command, ...args]) => redis.call(command, ...args)));
  return replies.map((value) => (value === null ? 0 : Number(value)));
}
