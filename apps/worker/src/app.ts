/**
 * Builds a worker process for one model: the ONNX session on its inference thread, a BullMQ
 * worker pulling each shard of classify-<model>, the heartbeat, and an optional health endpoint. main.ts wires
 * it to the environment and signals; tests and the demo build it directly.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Job } from 'bullmq';
import {
  BusyRateMeter,
  CoalescingResultWriter,
  HeartbeatPublisher,
  ImageClassifier,
  Keys,
  ResultStore,
  BatchShapes,
  connectRedis,
  describeProvider,
  jobsInFlightFor,
  loadModel,
  readBatch,
  realDataRoot,
  warnUnlessNoEviction,
  workerPipelineSettings,
  type ClassifyJobData,
  type Logger,
  type WorkerConfig,
} from '@hourglass/core';
import { createClassifyProcessor, jobFailureRows } from './processor.js';
import { createClassifyWorkers } from './classify-workers.js';
import { startHealthServer, type HealthServer } from './health-server.js';
import { startTrainWorker } from './train-worker.js';
import { createWorkerMetrics, metricsRoute } from './metrics.js';

export interface WorkerApp {
  readonly id: string;
  readonly model: string;
  readonly ep: string;
  readonly batchSize: number;
  /** ONNX sessions side by side, and the intra-op threads of each. */
  readonly inferenceSessions: number;
  readonly intraOpThreads: number;
  /** Where the ONNX session runs (INFERENCE_THREAD). */
  readonly inferenceThread: string;
  /** Port of /healthz and /metrics, when enabled. */
  readonly httpPort: number | undefined;
  /** Stops taking jobs, lets in-flight jobs finish for at most `graceMs`, releases everything. */
  stop(graceMs: number): Promise<{ drained: boolean }>;
}

export interface WorkerAppOptions {
  /** Opens the classifier (default ImageClassifier.open); the queue-only benches pass a null one. */
  openClassifier?: typeof ImageClassifier.open;
}

export async function createWorkerApp(config: WorkerConfig, modelName: string, log: Logger, options: WorkerAppOptions = {}): Promise<WorkerApp> {
  const id = `${os.hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
  const model = await loadModel(config.MODELS_DIR, modelName);
  const { manifest } = model;
  // The same derivation the benchmark's in-process baseline uses, so it runs what a worker runs.
  const settings = workerPipelineSettings(config, manifest);
  const { batchSize, inferenceSessions, intraOpThreads } = settings;
  const wlog = log.child({ model: manifest.name, modelVersion: manifest.version, worker: id });
  const metrics = createWorkerMetrics();

  const openClassifier = options.openClassifier ?? ((...args: Parameters<typeof ImageClassifier.open>) => ImageClassifier.open(...args));
  const classifier = await openClassifier(model, {
    ...settings,
    // A backbone also serves train-<model>: its features ride along with every batch it runs.
    withFeatures: manifest.features !== undefined,
    onBatchRun: (size, runMs) => metrics.recordBatchRun(manifest.name, size, runMs),
  });
  metrics.workerInfo.set({ model: manifest.name, model_version: String(manifest.version), ep: classifier.info.ep, worker: id }, 1);
  if (classifier.info.fallbackReason) {
    // For WebGPU the loader's own account of each driver is on stderr with VK_LOADER_DEBUG=error,warn,driver.
    const vulkan = config.ORT_EP === 'webgpu' ? { vulkanDriverFiles: process.env.VK_DRIVER_FILES ?? null } : {};
    wlog.warn({ reason: classifier.info.fallbackReason, ...vulkan }, `execution provider ${config.ORT_EP} unavailable, running on cpu`);
  }
  if (settings.inferenceThread === 'main' && classifier.info.ep === 'cpu') {
    wlog.warn(
      'INFERENCE_THREAD=main on the cpu provider: each batch blocks the event loop for its whole run, delaying lock renewals and heartbeats; use it for GPU providers',
    );
  }

  const redis = connectRedis(config, 'worker');
  redis.on('error', (error) => wlog.warn({ err: error.message }, 'redis connection error (retrying)'));
  await warnUnlessNoEviction(redis, wlog);
  const keys = new Keys(config.HOURGLASS_PREFIX);
  const results = new ResultStore(redis, keys, config.RESULTS_TTL_SECONDS);
  const batchShapes = new BatchShapes(redis, keys);
  const dataRoot = await realDataRoot(config.DATA_ROOT);
  const startedAt = Date.now();
  let processed = 0;
  const rate = new BusyRateMeter(undefined, inferenceSessions);

  const classifyJob = createClassifyProcessor({
    classifier,
    results: new CoalescingResultWriter(results),
    dataRoot,
    workerId: id,
    log: wlog,
    ownsJob: (jobId, data) => batchShapes.owns(jobId, data),
    onImagesDone: (count, rows) => {
      processed += count;
      rate.imagesDone(count);
      metrics.recordRows(manifest.name, rows);
    },
    onBatchCompleted: (batchId, jobId) => {
      metrics.batchesCompleted.inc({ model: manifest.name });
      // The one log line per batch: drain time from creation to the last stored row, and its rate.
      readBatch(redis, keys, batchId).then(
        (view) => {
          const drainMs = view.timings.finishedAt ? Date.parse(view.timings.finishedAt) - Date.parse(view.timings.createdAt) : view.elapsedMs;
          wlog.info(
            {
              batchId,
              jobId,
              total: view.total,
              completed: view.counts.completed,
              failed: view.counts.failed,
              drainMs,
              imagesPerSecond: drainMs > 0 ? Math.round((view.total / drainMs) * 1000 * 100) / 100 : null,
              firstResultMs: view.timings.firstResultAt ? Date.parse(view.timings.firstResultAt) - Date.parse(view.timings.createdAt) : null,
            },
            'batch completed',
          );
        },
        (error: unknown) => wlog.warn({ batchId, err: String(error) }, 'batch completed (could not read its timings)'),
      );
    },
  });

  // Busy time is time with a job in flight: the heartbeat's img/s, which the API sizes jobs by.
  // Jobs in flight follow the size of the jobs coming in: about 2 × B images, not 2 × B jobs.
  const processor = async (job: Job<ClassifyJobData>): Promise<void> => {
    const imagesPerJob = Math.max(1, job.data.items.length);
    classify.setJobsInFlight(jobsInFlightFor(imagesPerJob, settings.concurrency, settings.concurrency), Math.ceil(batchSize / imagesPerJob));
    rate.jobStarted();
    try {
      await classifyJob(job);
    } finally {
      rate.jobEnded();
    }
  };

  const classify = createClassifyWorkers({
    config,
    redis,
    model: manifest.name,
    processor,
    concurrency: settings.concurrency,
    batchSize,
    log: wlog,
    failureRows: (job, error) => jobFailureRows(job, id, manifest.version, error),
    storeRows: (batchId, rows) => results.store(batchId, rows),
  });

  const heartbeat = new HeartbeatPublisher(redis, keys, config.HEARTBEAT_INTERVAL_MS, () => ({
    id,
    model: manifest.name,
    modelVersion: manifest.version,
    ep: classifier.info.ep,
    host: os.hostname(),
    pid: process.pid,
    batchSize,
    inferenceSessions,
    intraOpThreads,
    startedAt,
    processed,
    concurrency: classify.workers.reduce((sum, w) => sum + w.concurrency, 0),
    queues: classify.queues,
    ...(rate.imagesPerSecond() !== undefined ? { imagesPerSecond: rate.imagesPerSecond()! } : {}),
  }));
  await heartbeat.start();

  let health: HealthServer | undefined;
  if (config.WORKER_HTTP_PORT !== undefined) {
    health = await startHealthServer(
      config.WORKER_HTTP_PORT,
      () => ({
        status: classify.isRunning() ? 'ok' : 'stopping',
        id,
        model: manifest.name,
        ep: classifier.info.ep,
        processed,
      }),
      metricsRoute(metrics, config.METRICS_TOKEN),
      config.HOST,
    );
  }

  classify.run();
  const trainWorker = startTrainWorker({ config, classifier, redis, dataRoot, log: wlog });
  wlog.info(
    {
      ep: classifier.info.ep,
      provider: describeProvider(settings.provider),
      batchSize,
      inferenceSessions,
      intraOpThreads,
      inferenceThread: settings.inferenceThread,
      queues: classify.queues,
      httpPort: health?.port,
    },
    'worker ready',
  );

  return {
    id,
    model: manifest.name,
    ep: classifier.info.ep,
    batchSize,
    inferenceSessions,
    intraOpThreads,
    inferenceThread: settings.inferenceThread,
    httpPort: health?.port,
    async stop(graceMs) {
      // worker.close() waits for active jobs with no timeout: race it against the grace period.
      // Jobs still running when it ends keep their lock until it expires, then another worker
      // takes them (stalled-job recovery); their stored rows make the rerun a no-op.
      const closing = Promise.all([classify.close(), trainWorker?.close()]);
      const drained = await Promise.race([closing.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref())]);
      if (!drained) void Promise.all([classify.close(true), trainWorker?.close(true)]).catch(() => undefined);
      // Each step below waits on Redis or a thread; bounded, so that a SIGTERM during a Redis
      // outage still ends the process (ioredis would otherwise queue the commands forever).
      await settleWithin(heartbeat.stop(), 2_000);
      await settleWithin(health?.close(), 1_000);
      await settleWithin(classifier.close(), drained ? 10_000 : 2_000);
      if (!(await settleWithin(redis.quit(), 1_000))) redis.disconnect();
      wlog.info({ drained, processed }, 'worker stopped');
      return { drained };
    },
  };
}

/** Waits for a promise to settle (either way) for at most `ms`; true when it settled in time. */
async function settleWithin(promise: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  if (!promise) return true;
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}
