/**
 * Configuration is read from the environment once per process, validated with zod, and passed down
 * as a typed object. Every variable here is listed in .env.example; the compose file check in the
 * test suite asserts that compose only sets names these schemas know.
 */
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.js';
import { DEFAULT_RESULTS_TTL_SECONDS, MAX_CHUNK_SIZE } from './limits.js';

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().nonnegative();
const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0),
);
/** Shortest API key accepted: a guessable key is no key (and failed attempts are rate limited too). */
export const MIN_API_KEY_LENGTH = 16;
const keyList = csv.refine(
  (keys) => keys.every((k) => k.length >= MIN_API_KEY_LENGTH),
  `every key needs at least ${MIN_API_KEY_LENGTH} characters (e.g. openssl rand -hex 24)`,
);
const absolutePath = z
  .string()
  .min(1)
  .transform((p) => path.resolve(p));

export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** `host:port,host:port,...` (seed nodes of a Redis Cluster); empty = not a cluster. */
const clusterNodes = z
  .string()
  .optional()
  .transform((value, ctx): RedisNodeAddress[] | undefined => {
    const entries = (value ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e.length > 0);
    if (entries.length === 0) return undefined;
    const nodes: RedisNodeAddress[] = [];
    for (const entry of entries) {
      const match = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/.exec(entry);
      const port = Number(match?.[2]);
      if (!match || port < 1 || port > 65535) {
        ctx.addIssue({ code: 'custom', message: `"${entry.slice(0, 80)}" is not host:port` });
        return z.NEVER;
      }
      nodes.push({ host: match[1]!.replace(/^\[|\]$/g, ''), port });
    }
    return nodes;
  });

export const executionProviders = ['cpu', 'webgpu', 'cuda'] as const;
export type ExecutionProvider = (typeof executionProviders)[number];
export const inferenceThreadModes = ['worker', 'main'] as const;
export type InferenceThreadMode = (typeof inferenceThreadModes)[number];

/** Variables every process reads. */
export const commonEnvSchema = z.object({
  /** Redis holding queues and results. Unset: redis://127.0.0.1:6379. */
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /**
   * Unset (default): the one Redis at REDIS_URL. Set: a Redis Cluster, reached through these seed
   * nodes (`host:port,host:port,...`; any few masters will do, the rest are discovered) and
   * REDIS_URL is not used. Every queue and batch key is then hash-tagged onto one slot.
   */
  REDIS_CLUSTER_NODES: clusterNodes,
  /**
   * Queues per model. 1 (default): the one queue classify-<model>, as always. K > 1: a batch's jobs
   * are spread over K queues (shards) and every worker consumes all K; on a Redis Cluster each shard
   * sits on its own hash slot, so one model's queue traffic spreads over up to K masters. The API and
   * every worker must use the same value. Lowering it strands jobs waiting on the dropped shards.
   */
  QUEUE_SHARDS: positiveInt.max(64).default(1),
  /** Prefix of every Redis key hourglass writes (queues included): one Redis can host several deployments. */
  HOURGLASS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only')
    .default('hg'),
  /** Image paths in requests resolve under this folder; nothing outside it is ever read. */
  DATA_ROOT: absolutePath.prefault('./data'),
  /** One folder per model, each with model.onnx and model.json. */
  MODELS_DIR: absolutePath.prefault('./models'),
  /**
   * onnxruntime's own usage telemetry (1DS upload, on Linux since 1.29): `off` (default) sets
   * ORT_DISABLE_TELEMETRY / ORT_TELEMETRY_DISABLED in workers, the CLI and the bench before the
   * runtime starts (ort-telemetry.ts); `on` leaves onnxruntime's default.
   */
  HOURGLASS_ORT_TELEMETRY: z.enum(['off', 'on']).default('off'),
  /** Address every listener binds: the API, and a worker's /healthz and /metrics port. */
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Unset (default): GET /metrics is open, as Prometheus expects; it serves aggregate numbers only
   * (model names, job states, timings), never batch ids, file names or keys. Set: scrapes must send
   * `Authorization: Bearer <METRICS_TOKEN>` (API and worker alike). Not an API key.
   */
  METRICS_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16, 'use at least 16 characters').optional()),
});

export const apiEnvSchema = commonEnvSchema.extend({
  PORT: nonNegativeInt.max(65535).default(3000),
  /** Comma-separated tenant keys (each one sees and changes only what it owns), at least 16 characters each. */
  HOURGLASS_API_KEYS: keyList.default([]),
  /**
   * Comma-separated admin keys: Bull Board (/admin/queues) and the shared model namespace, besides
   * everything a tenant key does. Unset: nobody opens the board.
   */
  HOURGLASS_ADMIN_KEYS: keyList.default([]),
  HOURGLASS_AUTH: z.enum(['on', 'off']).default('on'),
  /**
   * Failed authentications per client address per minute (counted per API process); over it every
   * keyed request from that address is 429 AUTH_RATE_LIMITED until the minute ends. 0 turns it off.
   */
  AUTH_FAILURES_PER_MINUTE: nonNegativeInt.default(60),
  /** A request body that stops arriving for this long is 408 REQUEST_TIMEOUT (0: no limit). */
  REQUEST_BODY_TIMEOUT_MS: nonNegativeInt.default(15_000),
  /** Most images in one batch request. */
  MAX_BATCH_IMAGES: positiveInt.default(100_000),
  /**
   * Images per job when a request does not say (`chunkSize`). `auto` (default): the API sizes jobs
   * per model from the workers' heartbeats (their img/s), the live workers and the batch size, so
   * that BullMQ's per-job cost (~130 µs of Redis CPU, ~5 core-ms of the host's) stays under ~2 % of
   * the work while every worker keeps several jobs and the first result comes quickly (see
   * batches/chunk-size-policy.ts). A number fixes it (1 = one job per image, the finest progress
   * and retry unit). At most MAX_CHUNK_SIZE, the limit of `chunkSize` itself.
   */
  DEFAULT_CHUNK_SIZE: z.union([z.literal('auto'), positiveInt.max(MAX_CHUNK_SIZE)]).default('auto'),
  /** Largest single uploaded file, bytes. */
  MAX_UPLOAD_BYTES: positiveInt.default(25 * 1024 * 1024),
  /** Most files in one multipart request. */
  MAX_UPLOAD_FILES: positiveInt.default(1_000),
  /** Largest JSON body, bytes (100,000 short paths fit in ~5 MB). */
  MAX_JSON_BYTES: positiveInt.default(16 * 1024 * 1024),
  /** Largest file in POST /v1/models (the .onnx, and each external data file), bytes. Default 2 GiB. */
  MAX_MODEL_UPLOAD_BYTES: positiveInt.default(2 * 1024 * 1024 * 1024),
  /**
   * Address space (MiB) of the child process that runs a registered model's dummy batch; a graph
   * that needs more is 422 MODEL_RESOURCE_LIMIT. Node and onnxruntime take about 0.5 GB of it.
   */
  MODEL_CHECK_MEMORY_MB: positiveInt.min(1024).default(2048),
  /** Backpressure: most images waiting in one model's queue before submits get 429. */
  MAX_QUEUED_PER_MODEL: positiveInt.default(1_000_000),
  /** Requests per minute per API key (fixed window, counted in Redis); 0 turns the limit off. */
  RATE_LIMIT_PER_MINUTE: nonNegativeInt.default(1_200),
  /**
   * How often the API looks for open batches whose queue jobs were removed (Bull Board clean/empty)
   * and gives their images JOB_REMOVED rows. A batch is checked after its progress stood still for
   * one whole interval, so detection takes one to two intervals.
   */
  JOB_SWEEP_INTERVAL_MS: positiveInt.min(100).default(30_000),
  /**
   * How often the API reclaims uploaded blobs that no live batch refers to (storage/blob-sweeper.ts):
   * a blob goes once every batch that used it has expired (RESULTS_TTL_SECONDS after completing).
   */
  BLOB_SWEEP_INTERVAL_MS: positiveInt.min(100).default(600_000),
  /**
   * A blob file younger than this is never reclaimed, and an upload's lease on its blobs (until
   * its batch is recorded) lasts this long: longer than any upload request takes.
   */
  BLOB_SWEEP_GRACE_SECONDS: positiveInt.default(3_600),
  /** Expiry of a batch that the API's sweeper completes (the same setting as the workers'). */
  RESULTS_TTL_SECONDS: positiveInt.min(60).default(DEFAULT_RESULTS_TTL_SECONDS),
  /** Where the benchmark writes RESULTS.md and its SVG charts; /ui shows them read-only. */
  BENCH_REPORT_DIR: absolutePath.prefault('./bench'),
});

export const workerEnvSchema = commonEnvSchema.extend({
  /** The model this worker serves (same as --model). */
  MODEL: z.string().min(1).optional(),
  ORT_EP: z.enum(executionProviders).default('cpu'),
  /** GPU ordinal for the cuda execution provider. */
  CUDA_DEVICE_ID: nonNegativeInt.default(0),
  /**
   * WebGPU provider: layout of its layout-sensitive kernels (Conv, pooling). Unset: onnxruntime's
   * own default. Both give the same outputs (tested on lavapipe); which is faster is measured by
   * scripts/gpu/bench.sh on a GPU.
   */
  WEBGPU_PREFERRED_LAYOUT: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['NCHW', 'NHWC']).optional()),
  /** WebGPU provider: Dawn validation (`basic` is onnxruntime's default; `disabled` may crash the process on a GPU error). */
  WEBGPU_VALIDATION_MODE: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['disabled', 'wgpuOnly', 'basic', 'full']).optional()),
  /**
   * Where the ONNX session runs: `worker` (default) on its own worker_thread, so a long
   * session.run never stalls lock renewal; `main` on the event-loop thread, for GPU providers
   * whose runs are short (and to check whether a provider's device setup depends on the thread).
   */
  INFERENCE_THREAD: z.enum(inferenceThreadModes).default('worker'),
  /** Micro-batch size B; also the BullMQ concurrency. Unset: the model manifest's, else 16. */
  BATCH_SIZE: positiveInt.max(1024).optional(),
  /** Flush a partial micro-batch after this many ms. Unset: the manifest's, else 10. */
  BATCH_TIMEOUT_MS: nonNegativeInt.max(10_000).optional(),
  /**
   * ONNX Runtime intra-op threads of each session. Unset: this process's cores
   * (cores / WORKERS_PER_HOST) ÷ INFERENCE_SESSIONS (workers/inference-layout.ts).
   */
  INTRA_OP_THREADS: positiveInt.optional(),
  /**
   * ONNX sessions one worker runs side by side, each with its own micro-batch and thread. Unset: on
   * the CPU up to 4 that divide this process's cores (2 cores: 2 sessions of 1 thread), 1 when
   * INTRA_OP_THREADS is set or on a GPU. Each session holds a copy of the weights.
   */
  INFERENCE_SESSIONS: positiveInt.max(64).optional(),
  /** How many worker processes share this host's cores (compose replicas set it from cpus). */
  WORKERS_PER_HOST: positiveInt.default(1),
  /**
   * The cores the layout divides. Unset: the cores node sees (os.availableParallelism). Set it in a
   * container, where node sees the host's cores and not the CPU limit: compose's `cpus`, or a
   * Kubernetes pod's limits.cpu through the downward API.
   */
  CPU_CORES: positiveInt.max(1024).optional(),
  /** Images decoded at once. Unset: 4 on CPU, more on GPU so the device stays fed. */
  PREPROCESS_CONCURRENCY: positiveInt.max(256).optional(),
  /** Decompression-bomb guard handed to sharp (width × height). */
  MAX_INPUT_PIXELS: positiveInt.default(64_000_000),
  /** SIGTERM: finish in-flight jobs for at most this long, then exit. */
  SHUTDOWN_GRACE_MS: nonNegativeInt.default(30_000),
  HEARTBEAT_INTERVAL_MS: positiveInt.default(5_000),
  /**
   * BullMQ job lock, renewed every half of it by the worker's event loop (free: inference runs on
   * a thread). A killed worker's jobs return after the lock expires and a stalled check sees it:
   * between LOCK_DURATION_MS and LOCK_DURATION_MS + 2 × STALLED_INTERVAL_MS (15-25 s by default;
   * measured figures in docs/reliability.md). Shorter recovers faster but turns event-loop pauses
   * longer than half the lock into needless (harmless, deduplicated) re-runs.
   */
  LOCK_DURATION_MS: positiveInt.default(15_000),
  /** How often each worker looks for jobs whose lock expired (one cheap Lua call per queue). */
  STALLED_INTERVAL_MS: positiveInt.default(5_000),
  /** Port for the worker's /healthz and /metrics; 0 picks a free one, unset disables. */
  WORKER_HTTP_PORT: nonNegativeInt.max(65535).optional(),
  /**
   * How long a completed batch (status and results) stays in Redis, counted from its last row.
   * Worker-only: the worker that stores a batch's last row sets the expiry; the API only reads.
   * At least a minute, so a client that polled until completion can still fetch the results.
   */
  RESULTS_TTL_SECONDS: positiveInt.min(60).default(DEFAULT_RESULTS_TTL_SECONDS),
});

export type ApiConfig = z.infer<typeof apiEnvSchema>;
export type WorkerConfig = z.infer<typeof workerEnvSchema>;

/** Parses the environment with a schema, failing with every problem named at once. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new AppError('CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const config = parseEnv(apiEnvSchema, env);
  if (config.HOURGLASS_AUTH === 'on' && config.HOURGLASS_API_KEYS.length + config.HOURGLASS_ADMIN_KEYS.length === 0) {
    throw new AppError(
      'CONFIG_INVALID',
      'HOURGLASS_API_KEYS is empty (and so is HOURGLASS_ADMIN_KEYS): set one or more comma-separated keys, or HOURGLASS_AUTH=off to run without authentication on purpose',
    );
  }
  return config;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const config = parseEnv(workerEnvSchema, env);
  if (config.INFERENCE_THREAD === 'main' && (config.INFERENCE_SESSIONS ?? 1) > 1) {
    // Sessions on the event-loop thread block it in turn: they would only take turns, never overlap.
    throw new AppError(
      'CONFIG_INVALID',
      `INFERENCE_SESSIONS=${config.INFERENCE_SESSIONS} needs INFERENCE_THREAD=worker: sessions on the main thread run one at a time`,
    );
  }
  return config;
}

/** All env names the project reads, for .env.example and the compose check. */
export const knownEnvNames: readonly string[] = [...new Set([...Object.keys(apiEnvSchema.shape), ...Object.keys(workerEnvSchema.shape)])];
