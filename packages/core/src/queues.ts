/**
 * One BullMQ queue per model, named classify-<model>. Jobs carry references to images (paths
 * under DATA_ROOT), never bytes: BullMQ stores Buffers as JSON arrays and 100k images would fill Redis.
 */
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';

export interface ImageRef {
  /** Position in the batch; results are keyed by it. */
  index: number;
  /** Path relative to DATA_ROOT. */
  path: string;
  /** What the client called it (upload filename), when that differs from path. */
  name?: string;
}

export interface ClassifyJobData {
  batchId: string;
  model: string;
  items: ImageRef[];
  /** Epoch ms at enqueue, for the queue-wait timing. */
  enqueuedAt: number;
}

export const classifyQueueName = (model: string): string => `classify-${model}`;

/** Retries for transient failures (inference thread died, Redis hiccup); bad input never retries. */
export const CLASSIFY_JOB_ATTEMPTS = 3;
export const classifyJobOptions = {
  attempts: CLASSIFY_JOB_ATTEMPTS,
  backoff: { type: 'exponential' as const, delay: 1_000 },
};

/** One classify job as submit adds it: its id is always set (see classifyJobId). */
export interface ClassifyBulkJob {
  name: string;
  data: ClassifyJobData;
  opts: JobsOptions & { jobId: string };
}

/** Where submit adds jobs: a model's BullMQ Queue, or its shards (ShardedClassifyQueue). */
export interface ClassifyJobSink {
  addBulk(jobs: ClassifyBulkJob[]): Promise<unknown>;
}

/** A job id from batch id and job number: a retried submit adds nothing new (ids are unique). */
export const classifyJobId = (batchId: string, jobNumber: number): string => `${batchId}-${jobNumber}`;

export function createClassifyQueue(model: string, connection: ConnectionOptions, prefix: string): Queue<ClassifyJobData> {
  return new Queue<ClassifyJobData>(classifyQueueName(model), { connection, prefix });
}
