/**
 * The BullMQ side of a classify worker process: one BullMQ Worker per shard of the model's queue
 * (QUEUE_SHARDS), all running the one processor (and so feeding the one micro-batcher), with the
 * in-flight budget split by shardConcurrency. The worker app builds them here, with the lock, stall
 * and retention settings every worker runs with (the queue-only benches' workers included).
 */
import { Worker, type Job } from 'bullmq';
import {
  AppError,
  classifyQueueNames,
  describeError,
  queueLayout,
  shardConcurrency,
  type ClassifyJobData,
  type Logger,
  type Redis,
  type ResultRow,
  type WorkerConfig,
} from '@hourglass/core';
import { MAX_WORKER_LOSSES } from './processor.js';
import { onJobFailedForGood } from './failed-for-good.js';

export interface ClassifyWorkersOptions {
  config: WorkerConfig;
  redis: Redis;
  model: string;
  processor: (job: Job<ClassifyJobData>) => Promise<void>;
  /** Jobs in flight for the whole process (2 × B), and the micro-batch size B. */
  concurrency: number;
  batchSize: number;
  log: Logger;
  /** Failure rows for a job BullMQ gave up on (see jobFailureRows), stored with HSETNX. */
  failureRows: (job: Job<ClassifyJobData>, error: AppError) => ResultRow[];
  storeRows: (batchId: string, rows: ResultRow[]) => Promise<unknown>;
}

export interface ClassifyWorkers {
  queues: string[];
  workers: Array<Worker<ClassifyJobData>>;
  run(): void;
  /**
   * Jobs in flight for the whole process, split over the shards as at start: the processor sets it
   * from the size of the jobs coming in (about 2 × B images in flight, not 2 × B jobs).
   */
  setJobsInFlight(total: number, jobsPerMicroBatch: number): void;
  isRunning(): boolean;
  close(force?: boolean): Promise<void>;
}

export function createClassifyWorkers(options: ClassifyWorkersOptions): ClassifyWorkers {
  const { config, redis, log } = options;
  const queues = classifyQueueNames(options.model, queueLayout(config));
  const workers = queues.map((queue) => {
    const worker = new Worker<ClassifyJobData>(queue, options.processor, {
      connection: redis,
      prefix: config.HOURGLASS_PREFIX,
      // 2 × B in all: one micro-batch runs on the inference engine while the next one decodes.
      concurrency: shardConcurrency(options.concurrency, options.batchSize, queues.length),
      lockDuration: config.LOCK_DURATION_MS,
      stalledInterval: config.STALLED_INTERVAL_MS,
      // The processor gives up on a job lost MAX_WORKER_LOSSES + 1 times and writes WORKER_LOST rows;
      // BullMQ's own limit (which fails a job without rows) sits one above, as a backstop only.
      maxStalledCount: MAX_WORKER_LOSSES + 2,
      // After a Redis error BullMQ waits this long before fetching again (default 15 s): a restarted
      // Redis should see its workers back within about a second of being reachable.
      runRetryDelay: 1_000,
      // A completed job's record is deleted at once: its outcome is the batch's rows, and keeping
      // (then trimming) the last 1,000 cost every completion a ZADD and a trim in Redis.
      removeOnComplete: { count: 0 },
      removeOnFail: { age: 7 * 24 * 3600 },
      autorun: false,
    });
    worker.on('error', (error) => log.warn({ err: error.message, queue }, 'bullmq worker error'));
    onJobFailedForGood(worker, {
      log,
      what: 'job',
      identify: (job) => ({ jobId: job.id }),
      // The processor writes a row for every image it gives up on; a job failed by BullMQ itself
      // (stall limit, a store that threw on the last attempt) would leave images without one. Fill
      // those in: rows are stored with HSETNX, so images that already have a row keep it.
      record: async (job, error) => {
        await options.storeRows(job.data.batchId, options.failureRows(job, new AppError('INFERENCE_FAILED', `job failed for good: ${describeError(error)}`)));
      },
    });
    return worker;
  });
  return {
    queues,
    workers,
    run() {
      for (const worker of workers) void worker.run().catch((error: unknown) => log.error({ err: String(error), queue: worker.name }, 'worker loop stopped'));
    },
    setJobsInFlight(total, jobsPerMicroBatch) {
      const perShard = shardConcurrency(total, Math.max(1, jobsPerMicroBatch), workers.length);
      for (const worker of workers) if (worker.concurrency !== perShard) worker.concurrency = perShard;
    },
    isRunning: () => workers.every((w) => w.isRunning()),
    async close(force = false) {
      await Promise.all(workers.map((w) => w.close(force)));
    },
  };
}
