/**
 * A queue-only classify worker: the production queue, store and Lua path with decode and inference
 * taken out, for measuring what the queue itself can carry (the cluster benchmark). Each image of a
 * job goes through a real MicroBatcher whose "run" returns at once, so jobs finish in micro-batches
 * as they do in a real worker and the CoalescingResultWriter groups their writes the same way; each
 * job marks its images started and stores one row per image (HSETNX + counters, exactly once).
 * Rows say label "queue-only": nothing was classified.
 */
import os from 'node:os';
import type { Job } from 'bullmq';
import {
  CoalescingResultWriter,
  MicroBatcher,
  ResultStore,
  Keys,
  connectRedis,
  type ClassifyJobData,
  type Logger,
  type ResultRow,
  type WorkerConfig,
} from '@hourglass/core';
import { createClassifyWorkers, type ClassifyWorkers } from './classify-workers.js';
import { jobFailureRows } from './processor.js';

export const QUEUE_ONLY_LABEL = 'queue-only';

export interface QueueOnlyWorker {
  queues: string[];
  stop(): Promise<void>;
}

export function createQueueOnlyProcessor(results: CoalescingResultWriter, workerId: string, batchSize: number, batchTimeoutMs: number): (job: Job<ClassifyJobData>) => Promise<void> {
  const batcher = new MicroBatcher<undefined>({ maxSize: batchSize, maxWaitMs: batchTimeoutMs, itemFloats: 1, run: async () => undefined });
  return async (job) => {
    const { batchId, items, model } = job.data;
    await results.markStarted(batchId, items.map((item) => item.index));
    const rows = await Promise.all(
      items.map(async (item): Promise<ResultRow> => {
        await batcher.submit(() => undefined);
        return { index: item.index, source: item.name ?? item.path, path: item.path, model, modelVersion: 1, worker: workerId, label: QUEUE_ONLY_LABEL, confidence: 1, finishedAt: Date.now() };
      }),
    );
    await results.storeRows(batchId, rows);
  };
}

export async function startQueueOnlyWorker(config: WorkerConfig, model: string, log: Logger): Promise<QueueOnlyWorker> {
  const workerId = `${os.hostname()}-${process.pid}-queue-only`;
  const batchSize = config.BATCH_SIZE ?? 16;
  const redis = connectRedis(config, 'worker');
  redis.on('error', (error) => log.warn({ err: error.message }, 'redis connection error (retrying)'));
  const store = new ResultStore(redis, new Keys(config.HOURGLASS_PREFIX), config.RESULTS_TTL_SECONDS);
  const classify: ClassifyWorkers = createClassifyWorkers({
    config,
    redis,
    model,
    processor: createQueueOnlyProcessor(new CoalescingResultWriter(store), workerId, batchSize, config.BATCH_TIMEOUT_MS ?? 10),
    concurrency: 2 * batchSize,
    batchSize,
    log,
    failureRows: (job, error) => jobFailureRows(job, workerId, 1, error),
    storeRows: (batchId, rows) => store.store(batchId, rows),
  });
  classify.run();
  await Promise.all(classify.workers.map((w) => w.waitUntilReady()));
  return {
    queues: classify.queues,
    async stop() {
      await classify.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
