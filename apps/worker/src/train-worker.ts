/**
 * The second BullMQ worker of a backbone's worker process: it pulls `train-<model>` jobs, one at
 * a time, and runs them on the process's own classifier (opened with its features output), so
 * features are extracted on whatever device serves the model. Features go to the Redis feature
 * cache as they are computed: a job whose worker was killed is taken over by another worker
 * (BullMQ stalled-job recovery) and resumes from the cache; the model is registered atomically at
 * the very end, so a killed job never leaves a half-written model behind.
 */
import { Worker, type Job } from 'bullmq';
import {
  RedisFeatureCache,
  TrainStore,
  describeError,
  isNonRetryable,
  runTraining,
  toJobError,
  trainQueueName,
  type ImageClassifier,
  type Logger,
  type Redis,
  type TrainJobData,
  type TrainResult,
  type WorkerConfig,
} from '@hourglass/core';
import { onJobFailedForGood } from './failed-for-good.js';

export interface TrainWorkerDeps {
  config: WorkerConfig;
  classifier: ImageClassifier;
  redis: Redis;
  /** Real path of DATA_ROOT. */
  dataRoot: string;
  log: Logger;
}

export interface TrainWorker {
  readonly queue: string;
  readonly worker: Worker<TrainJobData, TrainResult>;
  close(force?: boolean): Promise<void>;
}

export function createTrainProcessor(deps: TrainWorkerDeps): (job: Job<TrainJobData, TrainResult>) => Promise<TrainResult> {
  const { config, classifier, redis, dataRoot, log } = deps;
  const store = new TrainStore(redis, config.HOURGLASS_PREFIX);
  const cache = new RedisFeatureCache(redis, config.HOURGLASS_PREFIX);
  return async function processTrainJob(job) {
    const { trainId } = job.data;
    const jlog = log.child({ trainId, attempt: job.attemptsMade + 1 });
    jlog.info({ dataset: job.data.dataset.name, outputModel: job.data.outputModel, head: job.data.request.head }, 'train job started');
    try {
      const result = await runTraining(
        { classifier, dataRoot, modelsDir: config.MODELS_DIR, cache, onProgress: (progress) => job.updateProgress(progress) },
        { trainId, request: job.data.request, dataset: job.data.dataset, outputModel: job.data.outputModel, owner: job.data.owner },
      );
      await store.setResult(trainId, result);
      jlog.info(
        { model: result.model, accuracy: result.accuracy, featureCache: result.featureCache, failed: result.images.failed, seconds: result.seconds },
        'train job completed',
      );
      return result;
    } catch (error) {
      // Bad input (dataset changed under us, too few images left) cannot succeed on a retry.
      if (isNonRetryable(error)) {
        await store.setError(trainId, { code: error.code, message: error.message }).catch(() => undefined);
      } else {
        jlog.warn({ err: describeError(error) }, 'train job attempt failed');
      }
      throw toJobError(error);
    }
  };
}

/** Starts the train worker, or returns undefined when the model has no features output. */
export function startTrainWorker(deps: TrainWorkerDeps): TrainWorker | undefined {
  const { manifest } = deps.classifier.model;
  if (!manifest.features) return undefined;
  const queue = trainQueueName(manifest.name, deps.config.REDIS_CLUSTER_NODES !== undefined);
  const store = new TrainStore(deps.redis, deps.config.HOURGLASS_PREFIX);
  const worker = new Worker<TrainJobData, TrainResult>(queue, createTrainProcessor(deps), {
    connection: deps.redis,
    prefix: deps.config.HOURGLASS_PREFIX,
    // One train job at a time per process: it already keeps the inference thread busy.
    concurrency: 1,
    lockDuration: deps.config.LOCK_DURATION_MS,
    stalledInterval: deps.config.STALLED_INTERVAL_MS,
    maxStalledCount: 2,
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 30 * 24 * 3600 },
  });
  worker.on('error', (error) => deps.log.warn({ err: error.message, queue }, 'bullmq train worker error'));
  onJobFailedForGood(worker, {
    log: deps.log,
    what: 'train job',
    identify: (job) => ({ trainId: job.data.trainId }),
    // The processor records non-retryable failures itself (NonRetryableJobError); keep that code, and give
    // every other failure (retries spent, stall limit) the generic one.
    record: async (job, error) => {
      const known = await store.get(job.data.trainId);
      if (!known?.error) await store.setError(job.data.trainId, { code: 'INTERNAL', message: error.message });
    },
  });
  return {
    queue,
    worker,
    close: (force = false) => worker.close(force),
  };
}
