/**
 * GET /v1/models: the registry, with the live workers serving each model (from heartbeats), each
 * model's parameter count and size, and its last measured throughput (benchmark reports).
 * GET /v1/models/:name/queue: how deep the model's queue is, counted as backpressure counts it.
 * POST /v1/models: register an uploaded ONNX model (routes/model-upload.ts).
 */
import { Router, type Request, type Response } from 'express';
import { countQueuedImages, listLiveWorkers, modelFacts, type ModelFacts, type RegisteredModel, type WorkerHeartbeat } from '@hourglass/core';
import type { ApiContext } from '../context.js';
import { latestBenchmarks, type ModelBenchmark } from '../model-benchmarks.js';
import { registerModelHandler } from './model-upload.js';
import { visibleModel, visibleModels } from '../model-access.js';
import { WAITING_JOB_STATES, waitingJobsOf } from '../queue-depth.js';

export interface ModelExtras {
  facts?: ModelFacts;
  benchmark?: ModelBenchmark | null;
}

export function describeModel(model: RegisteredModel, workers: WorkerHeartbeat[], extras: ModelExtras = {}) {
  const { manifest } = model;
  return {
    name: manifest.name,
    version: manifest.version,
    description: manifest.description ?? null,
    input: {
      name: manifest.input.name,
      layout: manifest.input.layout,
      width: manifest.input.width,
      height: manifest.input.height,
      resize: manifest.input.resize,
      dynamicBatch: manifest.input.dynamicBatch,
    },
    output: manifest.output,
    classes: manifest.labels.length,
    labels: manifest.labels.slice(0, 100),
    features: manifest.features ?? null,
    source: manifest.source,
    fileBytes: model.onnxBytes,
    /** model.onnx plus its external data files. */
    totalBytes: extras.facts?.totalBytes ?? model.onnxBytes,
    params: extras.facts?.params ?? null,
    opset: extras.facts?.opset ?? null,
    queue: `classify-${manifest.name}`,
    workers: workers.map((w) => ({
      id: w.id,
      ep: w.ep,
      host: w.host,
      batchSize: w.batchSize,
      inferenceSessions: w.inferenceSessions ?? 1,
      intraOpThreads: w.intraOpThreads,
      processed: w.processed,
      imagesPerSecond: w.imagesPerSecond ?? null,
      seenAt: new Date(w.seenAt).toISOString(),
    })),
    served: workers.length > 0,
    benchmark: extras.benchmark ?? null,
  };
}

export function modelsRouter(ctx: ApiContext): Router {
  const router = Router();

  const describeAll = async (models: RegisteredModel[], workers: WorkerHeartbeat[]) => {
    const benchmarks = await latestBenchmarks(ctx.config.BENCH_REPORT_DIR).catch(() => new Map<string, ModelBenchmark>());
    return Promise.all(
      models.map(async (m) =>
        describeModel(
          m,
          workers.filter((w) => w.model === m.manifest.name),
          { facts: await modelFacts(m), benchmark: benchmarks.get(m.manifest.name) ?? null },
        ),
      ),
    );
  };

  router.get('/', async (req: Request, res: Response) => {
    const [snapshot, models, workers] = await Promise.all([ctx.models.snapshot(), visibleModels(ctx.models, req), listLiveWorkers(ctx.redis, ctx.keys)]);
    // Folders that failed to load name server paths and other keys' names: admins only.
    res.json({ models: await describeAll(models, workers), problems: req.role === 'admin' ? snapshot.problems : [] });
  });

  router.get('/:name', async (req: Request, res: Response) => {
    const model = await visibleModel(ctx.models, String(req.params.name), req);
    const workers = await listLiveWorkers(ctx.redis, ctx.keys);
    res.json((await describeAll([model], workers))[0]);
  });

  // Lets a client pace its submits instead of meeting 429 QUEUE_FULL: the same numbers the check uses.
  router.get('/:name/queue', async (req: Request, res: Response) => {
    const { name } = (await visibleModel(ctx.models, String(req.params.name), req)).manifest;
    const counts = await ctx.queues.get(name).getJobCounts(...WAITING_JOB_STATES, 'active');
    const waitingJobs = waitingJobsOf(counts);
    res.json({
      model: name,
      waitingJobs,
      activeJobs: counts.active ?? 0,
      // No waiting job, no queued image (as the submit check has it): no open batch is read.
      queuedImages: waitingJobs === 0 ? 0 : await countQueuedImages(ctx.redis, ctx.keys, name),
      limit: ctx.config.MAX_QUEUED_PER_MODEL,
    });
  });

  router.post(
    '/',
    ...registerModelHandler(ctx, async (name, workers) => {
      const model = await ctx.models.get(name);
      return (await describeAll([model], workers))[0];
    }),
  );

  return router;
}
