/**
 * @hourglass/core: the runtime API the API, the worker and the CLI share, named one by one.
 * Tooling has its own subpaths (package.json "exports"): `@hourglass/core/bench` (the benchmark),
 * `@hourglass/core/importers` (TF.js/Keras model importers) and `@hourglass/core/testing` (fixtures,
 * throwaway Redis servers, and the internals that only tests and scripts reach). No other deep import.
 */
export { AppError, describeError, ERROR_CODES, type ErrorCode } from './errors.js';
export { MAX_CHUNK_SIZE } from './limits.js';
export { isNonRetryable, toJobError } from './retry-policy.js';
export {
  apiEnvSchema,
  executionProviders,
  loadApiConfig,
  loadWorkerConfig,
  parseEnv,
  type ApiConfig,
  type ExecutionProvider,
  type RedisNodeAddress,
  type WorkerConfig,
} from './config.js';
export { createLogger, type Logger } from './logger.js';
export { connectRedis, createRedis, masterNodes, warnUnlessNoEviction, type Redis } from './redis.js';
export { Keys } from './keys.js';
export { mapLimit } from './concurrency.js';
export { createClassifyQueue, type ClassifyJobData, type ImageRef } from './queues.js';
export { classifyQueueNames, queueLayout, shardConcurrency, ShardedClassifyQueue } from './queue-shards.js';
export { modelNameSchema } from './models/manifest.js';
export { loadModel, scanModels, type RegisteredModel, type RegistrySnapshot } from './models/registry.js';
export { safeModelFilePath, writeModel } from './models/store.js';
export { assertMayWriteModel, canSeeModel, ownerForNewModel, type Caller } from './models/ownership.js';
export { ModelNameClaims } from './models/name-claims.js';
export { recoverModelsDir } from './models/store-lock.js';
export { CPU_PROVIDER, describeProvider, providerSpecOf } from './inference/provider.js';
export { applyOrtTelemetryOptOut, withOrtTelemetryOptOut } from './ort-telemetry.js';
export { ImageClassifier, type Classification } from './inference/classifier.js';
export { MAX_PATH_LENGTH, normaliseRelativePath, realDataRoot, resolveImagePath } from './storage/data-root.js';
export { BlobStore, type StoredBlob } from './storage/blob-store.js';
export { BlobRefs } from './storage/blob-refs.js';
export { BlobSweeper, type BlobSweepOutcome } from './storage/blob-sweeper.js';
export { CoalescingResultWriter, type ResultWriter } from './results/coalescing-writer.js';
export { auditRows, type AuditedRow, type RowAudit } from './results/audit-rows.js';
export type { ResultRow } from './results/result-row.js';
export { ResultStore } from './results/result-store.js';
export { listBatches, readBatch, readBatchOwner } from './batches/batch-store.js';
export type { BatchView } from './batches/batch-view.js';
export { BatchShapes } from './batches/job-ownership.js';
export { RemovedJobSweeper, type SweepOutcome } from './batches/removed-job-sweeper.js';
export { migrateLegacyBatchIndex } from './batches/legacy-index.js';
export { isIdempotencyKeyClaimed, submitBatch } from './batches/submit.js';
export { withSubmitLock, type SubmitLockOptions } from './batches/submit-lock.js';
export {
  checkBatchShape,
  checkChunkSize,
  checkIdempotencyKey,
  checkImageCount,
  chunkSizeRule,
  idempotencyKeyPattern,
  imagePathField,
  modelNameField,
} from './batches/batch-request.js';
export { resolveChunkSize } from './batches/chunk-size.js';
export { checkQueuedImages, countQueuedImages } from './batches/queued-images.js';
export { HeartbeatPublisher, listLiveWorkers, type WorkerHeartbeat } from './workers/heartbeat.js';
export { assertShardsCovered, shardCoverage, type ShardCoverage } from './workers/shard-coverage.js';
export { BusyRateMeter } from './workers/rate-meter.js';
export { createMetricsRegistry, metricsAccessAllowed } from './metrics/registry.js';
export { WorkerMetrics } from './metrics/worker-metrics.js';
export { ApiMetrics, BULLMQ_COUNT_TYPES } from './metrics/api-metrics.js';
export { preprocessConcurrencyOf, workerPipelineSettings, type PipelineSettings } from './workers/pipeline-settings.js';
export { jobsInFlightFor } from './workers/in-flight.js';
export { modelFacts, type ModelFacts } from './models/byo/facts.js';
export { inspectOnnxFile } from './models/byo/inspect.js';
export { parseLabels, parseResize, parseSize, parseTriple, readLabelsFile } from './models/byo/options.js';
export { registerOnnxModel, type RegisterOnnxOptions } from './models/byo/register.js';
export { DEFAULT_ARCHIVE_LIMITS } from './training/archive-entry-policy.js';
export { archiveKindOf } from './training/archives.js';
export { datasetNameSchema, DatasetRegistry, type DatasetCaller } from './training/dataset-registry.js';
export type { DatasetClass } from './training/datasets.js';
export { FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, FASHION_MNIST_LABELS, importFashionMnist } from './training/fashion-mnist.js';
export { DiskFeatureCache, RedisFeatureCache } from './training/feature-cache.js';
export type { ExtractProgress, FeatureFailure } from './training/features.js';
export { runTraining } from './training/run-training.js';
export type { ClassSplitCount } from './training/split.js';
export type { EpochRow } from './training/train-head.js';
export {
  checkTrainable,
  createTrainQueue,
  newTrainId,
  outputModelName,
  TRAIN_ID,
  trainJobOptions,
  trainQueueName,
  trainRequestSchema,
  type TrainDatasetRef,
  type TrainJobData,
  type TrainPhase,
  type TrainProgress,
  type TrainRequest,
  type TrainResult,
} from './training/train-job.js';
export { TrainStore, type TrainRecord } from './training/train-store.js';
