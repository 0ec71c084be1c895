/**
 * The BullMQ processor for classify jobs. Each image in a job is resolved under DATA_ROOT, decoded
 * and classified through the shared micro-batcher; its outcome is one stored row. Bad input fails
 * its own row with a stable code and the job still completes; a transient failure (inference
 * thread died) throws so BullMQ retries the job, and on the last attempt becomes a failure row —
 * so every image ends with exactly one row whatever happens.
 */
import type { Job } from 'bullmq';
import {
  AppError,
  describeError,
  isNonRetryable,
  resolveImagePath,
  type ClassifyJobData,
  type ImageClassifier,
  type ImageRef,
  type Logger,
  type ResultRow,
  type ResultWriter,
} from '@hourglass/core';

/**
 * A job whose worker was lost (killed, OOM, crashed) this many times is not run again: each image
 * without a row gets a WORKER_LOST failure row instead. BullMQ counts the losses (stalledCounter);
 * the Worker's own maxStalledCount is set above this so that our check, which writes rows, comes
 * first. 2 means a poison image can take down at most three worker processes.
 */
export const MAX_WORKER_LOSSES = 2;

/** Failure rows for every image of a job; storing them only fills in images without a row. */
export function jobFailureRows(job: Job<ClassifyJobData>, workerId: string, modelVersion: number, error: AppError): ResultRow[] {
  return job.data.items.map((item) => ({
    index: item.index,
    source: item.name ?? item.path,
    model: job.data.model,
    modelVersion,
    worker: workerId,
    error: { code: error.code, message: error.message },
    finishedAt: Date.now(),
  }));
}

/** Stage times to 0.01 ms: finer digits mean nothing and cost every stored row ~40 bytes. */
function roundTimings<T extends Record<string, number>>(timings: T): T {
  const round = (v: number): number => Math.round(v * 100) / 100;
  return Object.fromEntries(Object.entries(timings).map(([key, value]) => [key, round(value)])) as T;
}

export interface ProcessorDeps {
  classifier: ImageClassifier;
  /** Where rows go: in the worker, a CoalescingResultWriter (one script call per micro-batch). */
  results: ResultWriter;
  /** Real path of DATA_ROOT. */
  dataRoot: string;
  workerId: string;
  log: Logger;
  /** Called with how many images this job finished (stored rows, new or not). */
  onImagesDone?: (count: number, rows: ResultRow[]) => void;
  /** Called once per batch, by the one worker whose store completed it (see ResultStore.storeRows). */
  onBatchCompleted?: (batchId: string, jobId: string | undefined) => void;
  /**
   * Whether the job is one its batch's submit made (see BatchShapes): a job added or edited by hand
   * to claim another batch's images is completed without storing anything. Unset: every job is.
   */
  ownsJob?: (jobId: string | undefined, data: ClassifyJobData) => Promise<boolean>;
}

export function createClassifyProcessor(deps: ProcessorDeps): (job: Job<ClassifyJobData>) => Promise<void> {
  const { classifier, results, dataRoot, workerId, log } = deps;
  const { manifest } = classifier.model;

  const baseRow = (item: ImageRef): Pick<ResultRow, 'index' | 'source' | 'path' | 'model' | 'modelVersion' | 'worker'> => ({
    index: item.index,
    source: item.name ?? item.path,
    path: item.path,
    model: manifest.name,
    modelVersion: manifest.version,
    worker: workerId,
  });

  const failureRow = (item: ImageRef, error: AppError): ResultRow => ({
    ...baseRow(item),
    error: { code: error.code, message: error.message },
    finishedAt: Date.now(),
  });

  return async function processClassifyJob(job: Job<ClassifyJobData>): Promise<void> {
    if (deps.ownsJob && !(await deps.ownsJob(job.id, job.data))) {
      log.warn({ jobId: job.id, batchId: String(job.data?.batchId) }, 'job does not belong to the batch it names (added or edited by hand?); nothing stored');
      return;
    }
    const { batchId, items } = job.data;
    const queueMs = Math.max(0, Date.now() - job.data.enqueuedAt);
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (job.stalledCounter > MAX_WORKER_LOSSES) {
      const error = new AppError(
        'WORKER_LOST',
        `the worker processing this image stopped ${job.stalledCounter} times before finishing it; not retried again (an input that crashes workers?)`,
      );
      const rows = jobFailureRows(job, workerId, manifest.version, error);
      log.error({ batchId, jobId: job.id, losses: job.stalledCounter }, 'job lost its worker too often; failure rows written');
      const { completedBatch } = await results.storeRows(batchId, rows);
      deps.onImagesDone?.(rows.length, rows);
      if (completedBatch) deps.onBatchCompleted?.(batchId, job.id);
      return;
    }
    await results.markStarted(
      batchId,
      items.map((item) => item.index),
    );

    const outcomes = await Promise.allSettled(
      items.map(async (item): Promise<ResultRow> => {
        try {
          const file = await resolveImagePath(dataRoot, item.path);
          const { predictions, timings } = await classifier.classify(file);
          const top = predictions[0]!;
          return {
            ...baseRow(item),
            label: top.label,
            confidence: top.confidence,
            topk: predictions,
            finishedAt: Date.now(),
            timings: { queueMs, ...roundTimings(timings) },
          };
        } catch (error) {
          if (isNonRetryable(error)) return failureRow(item, error);
          if (lastAttempt) {
            return failureRow(item, new AppError('INFERENCE_FAILED', `gave up after ${job.attemptsMade + 1} attempts: ${describeError(error)}`));
          }
          throw error;
        }
      }),
    );

    const rows = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    // Keep what succeeded even when the job will be retried: the retry's duplicates are ignored.
    const { completedBatch } = await results.storeRows(batchId, rows);
    deps.onImagesDone?.(rows.length, rows);
    if (completedBatch) deps.onBatchCompleted?.(batchId, job.id);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) {
      log.warn({ batchId, jobId: job.id, attempt: job.attemptsMade + 1, err: describeError(failed.reason) }, 'transient failure, job will be retried');
      throw failed.reason;
    }
  };
}
