/**
 * @hourglass/core/testing: what tests, harnesses (demo, bench, chaos) and scripts need and the
 * running services never do: generated models, throwaway redis-server / Redis Cluster processes,
 * and the internals that unit tests exercise directly. Nothing in apps/api or apps/worker imports it.
 */
export { httpStatusOf, isAppError } from './errors.js';
export { NonRetryableJobError, retryCanFix } from './retry-policy.js';
export { commonEnvSchema, knownEnvNames, workerEnvSchema } from './config.js';
export { inferenceLayoutOf, MAX_AUTO_SESSIONS } from './workers/inference-layout.js';
export { createRedisCluster, scanKeys } from './redis.js';
export { Semaphore } from './concurrency.js';
export { CLASSIFY_JOB_ATTEMPTS, classifyJobId, classifyJobOptions, classifyQueueName } from './queues.js';
export { classifyJobShard, classifyShardName } from './queue-shards.js';
export { CLUSTER_SLOTS, hashTagOf, keySlot } from './hash-slot.js';
export { parseManifest, readManifest, type ModelManifest } from './models/manifest.js';
export { MANIFEST_FILE, ONNX_FILE } from './models/registry.js';
export { storeModel } from './models/store.js';
export { withModelLock } from './models/store-lock.js';
export { attr, GraphBuilder, type Dim } from './models/onnx/graph-builder.js';
export { checkOnnxFile } from './models/onnx/sniff.js';
export { buildColourNet, COLOUR_LABELS, seededRandom, type ColourNetOptions } from './models/generated/colour-net.js';
export {
  buildTimmLike,
  IMAGENET_MEAN,
  IMAGENET_STD,
  timmLikeLabels,
  writeTimmLikeExport,
  type TimmLikeArch,
  type TimmLikeExport,
  type TimmLikeMetadata,
  type TimmLikeOptions,
} from './models/generated/timm-like.js';
export { externalizeWeights } from './models/onnx/external-data.js';
export { convertToFloat16, toHalf } from './models/onnx/float16.js';
export { registerFloat16Variant } from './models/float16-variant.js';
export { decodeImage, type DecodeOptions } from './imaging/decode.js';
export { buildChannelTables, writeImageTensor, type Normalisation } from './imaging/tensor-layout.js';
export { openSession, type OpenedSession } from './inference/session.js';
export { InferenceThread } from './inference/inference-thread.js';
export type { InferenceEngine } from './inference/inference-engine.js';
export { createInferenceEngine } from './inference/engine-factory.js';
export { EnginePool } from './inference/engine-pool.js';
export { ortExecutionProviders, type ProviderSpec } from './inference/provider.js';
export { InlineInference } from './inference/inline-inference.js';
export type { ThreadInit } from './inference/protocol.js';
export { MicroBatcher, type BatchSlotResult } from './inference/micro-batcher.js';
export { softmaxInPlace, topK } from './inference/postprocess.js';
export type { ClassifierOptions } from './inference/classifier.js';
export { BLOB_DIR, blobPath } from './storage/blob-store.js';
export { toBatchView } from './batches/batch-view.js';
export { BatchStore, type BatchRecord, type NewBatch } from './batches/batch-store.js';
export { jobBelongsToBatch } from './batches/job-ownership.js';
export { ADD_BULK_CHUNK, newBatchId, type SubmitDeps, type SubmitRequest } from './batches/submit.js';
export { chooseChunkSize, CHUNK_POLICY, type ChunkSizeInputs, type WorkerRate } from './batches/chunk-size-policy.js';
export { countQueuedImages } from './batches/queued-images.js';
export { freePort, REDIS_INSTALL_HINT, startRedisServer, type RedisServerHandle, type RedisServerOptions } from './redis-server.js';
export { startRedisCluster, type RedisClusterHandle, type RedisClusterOptions } from './redis-cluster-server.js';
export { BLOG_MODELS, buildBlogModel, isBlogModelName, type BlogModelName } from './models/generated/blog-models.js';
export { graphCost } from './models/onnx/graph-cost.js';
export { exportMetadataSchema, resolveExportSource } from './models/byo/export-folder.js';
export { inspectOnnxBytes, verifyExternalData } from './models/byo/inspect.js';
export { Adam, oneCycleLr } from './training/adam.js';
export { entrySegments } from './training/archive-entry-policy.js';
export { extractDatasetArchive, type ArchiveKind } from './training/archives.js';
export { hashDataset, scanDataset, type HashedDataset } from './training/datasets.js';
export { parseIdx } from './training/fashion-mnist.js';
export { MemoryFeatureCache, type FeatureCache } from './training/feature-cache.js';
export { extractFeatures, type ExtractResult } from './training/features.js';
export {
  accumulateLoss,
  evaluate,
  fitStandardiser,
  foldStandardiser,
  initHead,
  lossAndGradients,
  predict,
  standardise,
  standardiseRows,
  type Head,
} from './training/head.js';
export { appendHead, extractHead, inspectGraph } from './training/merge.js';
export { permutation, randomStream } from './training/random.js';
export { randomSplit, splitCounts, validCount } from './training/split.js';
export { trainOnFeatures } from './training/train-features.js';
export { DEFAULT_BATCH_SIZE, DEFAULT_LR, DEFAULT_WEIGHT_DECAY, trainHead, type TrainHeadData } from './training/train-head.js';
