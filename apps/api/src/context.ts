/**
 * What every route needs, built once in createApp: Redis, key names, the result store, one BullMQ
 * queue per model (created lazily, closed on shutdown) and a short-lived cache of the registry.
 */
import path from 'node:path';
import {
  AppError,
  BlobRefs,
  BlobStore,
  Keys,
  ResultStore,
  ShardedClassifyQueue,
  queueLayout,
  modelNameSchema,
  scanModels,
  type ApiConfig,
  type Logger,
  type Redis,
  type RegisteredModel,
  type RegistrySnapshot,
} from '@hourglass/core';
import { LazyQueues } from './lazy-queues.js';

const REGISTRY_CACHE_MS = 2_000;

export class ModelCatalog {
  private cached: { at: number; snapshot: Promise<RegistrySnapshot> } | undefined;

  constructor(private readonly modelsDir: string) {}

  /** The registry, re-read at most every 2 s so models registered elsewhere show up. */
  snapshot(): Promise<RegistrySnapshot> {
    if (!this.cached || Date.now() - this.cached.at > REGISTRY_CACHE_MS) {
      this.cached = { at: Date.now(), snapshot: scanModels(this.modelsDir) };
    }
    return this.cached.snapshot;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  async get(name: string): Promise<RegisteredModel> {
    let snapshot = await this.snapshot();
    let model = snapshot.models.get(name);
    if (model) return model;
    // A miss may be a model another process registered since the last scan: look once more.
    if (modelNameSchema.safeParse(name).success) {
      this.invalidate();
      snapshot = await this.snapshot();
      model = snapshot.models.get(name);
      if (model) return model;
    }
    // A folder of that name that failed to load: say why, rather than "not registered".
    const problem = snapshot.problems.find((p) => path.relative(this.modelsDir, p.file).split(path.sep)[0] === name);
    if (problem) throw new AppError('MODEL_INVALID', `model "${name}" cannot be used: ${problem.message}`);
    throw new AppError('MODEL_NOT_FOUND', `model "${name}" is not registered (GET /v1/models lists the models)`);
  }
}

/** Each model's classify queue: its QUEUE_SHARDS shards, counted and paused together. */
export type QueueSet = LazyQueues<ShardedClassifyQueue>;

export interface ApiContext {
  config: ApiConfig;
  redis: Redis;
  keys: Keys;
  results: ResultStore;
  queues: QueueSet;
  models: ModelCatalog;
  blobs: BlobStore;
  /** Which uploads and batches still need each blob (the blob sweep reclaims the rest). */
  blobRefs: BlobRefs;
  /** Real path of DATA_ROOT. */
  dataRoot: string;
  log: Logger;
}

export function createContext(config: ApiConfig, redis: Redis, dataRoot: string, log: Logger): ApiContext {
  const keys = new Keys(config.HOURGLASS_PREFIX);
  const blobRefs = new BlobRefs(redis, keys);
  return {
    config,
    redis,
    keys,
    // Read-only here: workers store the rows and set the expiry (RESULTS_TTL_SECONDS is theirs).
    results: new ResultStore(redis, keys),
    queues: new LazyQueues((model) => new ShardedClassifyQueue(model, redis, config.HOURGLASS_PREFIX, queueLayout(config))),
    models: new ModelCatalog(config.MODELS_DIR),
    blobs: new BlobStore(dataRoot, { refs: blobRefs, leaseMs: config.BLOB_SWEEP_GRACE_SECONDS * 1000 }),
    blobRefs,
    dataRoot,
    log,
  };
}
