/**
 * The workers a benchmark drains its batches with: N production worker processes started here
 * (spawnWorker, the same entry point compose and k8s run), or with --external the workers already
 * running against the same Redis and prefix, found by their heartbeats.
 */
import path from 'node:path';
import {
  AppError,
  listLiveWorkers,
  workerPipelineSettings,
  type Keys,
  type PipelineSettings,
  type Redis,
  type RegisteredModel,
  type WorkerConfig,
} from '@hourglass/core';
import { spawnWorker, type SpawnedWorker } from '@hourglass/worker';

export interface Fleet {
  workers: number;
  /** What each worker runs with (for external workers: what their heartbeats report). */
  settings: PipelineSettings;
  external: boolean;
  /** Process ids of the workers (none for external ones), for CPU accounting. */
  pids(): number[];
  stop(): Promise<void>;
}

export interface LocalFleetOptions {
  model: RegisteredModel;
  workers: number;
  /** Environment of the worker processes (REDIS_URL, HOURGLASS_PREFIX, DATA_ROOT, MODELS_DIR ...). */
  env: NodeJS.ProcessEnv;
  /** The worker config they will parse from env: the settings are derived the same way. */
  config: WorkerConfig;
  onWarning?: (line: string) => void;
  /** Each worker's whole stderr (Vulkan loader, Dawn, onnxruntime) goes to a file here. */
  stderrDir?: string;
}

export async function startLocalFleet(options: LocalFleetOptions): Promise<Fleet> {
  const env: NodeJS.ProcessEnv = { ...options.env, WORKERS_PER_HOST: String(options.workers) };
  const spawned: SpawnedWorker[] = [];
  for (let i = 0; i < options.workers; i++) {
    spawned.push(
      spawnWorker({
        model: options.model.manifest.name,
        env,
        readyTimeoutMs: 120_000,
        ...(options.stderrDir ? { stderrFile: path.join(options.stderrDir, `${options.model.manifest.name}-${options.workers}w-${i}.stderr.log`) } : {}),
        onLog: (record, line) => {
          if (Number(record.level) >= 40) options.onWarning?.(line);
        },
      }),
    );
  }
  const stop = async (): Promise<void> => {
    await Promise.all(spawned.map((w) => w.stop('SIGTERM')));
  };
  try {
    const ready = await Promise.all(spawned.map((w) => w.ready));
    // What the workers said they run with wins over what we would derive (they parsed the same env).
    const first = ready[0] ?? {};
    const settings = workerPipelineSettings(
      {
        ...options.config,
        WORKERS_PER_HOST: options.workers,
        ...(typeof first.batchSize === 'number' ? { BATCH_SIZE: first.batchSize } : {}),
        ...(typeof first.inferenceSessions === 'number' ? { INFERENCE_SESSIONS: first.inferenceSessions } : {}),
        ...(typeof first.intraOpThreads === 'number' ? { INTRA_OP_THREADS: first.intraOpThreads } : {}),
      },
      options.model.manifest,
    );
    return { workers: options.workers, settings, external: false, pids: () => spawned.flatMap((w) => (w.child.pid ? [w.child.pid] : [])), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Workers already serving `model` against this Redis and prefix (compose replicas, other hosts). */
export async function externalFleet(redis: Redis, keys: Keys, model: RegisteredModel, config: WorkerConfig): Promise<Fleet> {
  const live = (await listLiveWorkers(redis, keys)).filter((w) => w.model === model.manifest.name);
  if (live.length === 0) {
    throw new AppError('INTERNAL', `--external: no live worker for "${model.manifest.name}" under prefix "${keys.prefix}" (start some with \`npm run worker -- --model ${model.manifest.name}\` against the same REDIS_URL and HOURGLASS_PREFIX)`);
  }
  const settings = workerPipelineSettings({ ...config, WORKERS_PER_HOST: live.length, BATCH_SIZE: live[0]!.batchSize, INFERENCE_SESSIONS: live[0]!.inferenceSessions ?? 1, INTRA_OP_THREADS: live[0]!.intraOpThreads }, model.manifest);
  return { workers: live.length, settings, external: true, pids: () => [], stop: async () => undefined };
}

/**
 * Waits (at most `timeoutMs`) until `workers` live workers of the model report a busy rate in their
 * heartbeats: the auto chunk size of the next drain is chosen from them, as the API would.
 * Returns the rates seen (fewer than asked for when it timed out).
 */
export async function waitForWorkerRates(redis: Redis, keys: Keys, model: string, workers: number, timeoutMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rates = (await listLiveWorkers(redis, keys)).filter((w) => w.model === model && typeof w.imagesPerSecond === 'number').map((w) => w.imagesPerSecond!);
    if (rates.length >= workers || Date.now() > deadline) return rates;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
