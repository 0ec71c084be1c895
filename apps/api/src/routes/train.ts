/**
 * /v1/train: queue a fine-tuning job (a head trained on a frozen backbone's features) and follow
 * it. The request is checked here — backbone and dataset exist, the dataset splits into train and
 * validation sets with every class on both sides — so a bad request is a 4xx now, not a failed
 * job later. The job runs on the backbone's workers (queue `train-<baseModel>`).
 */
import { Router, json, type Request, type Response } from 'express';
import type { Job } from 'bullmq';
import {
  AppError,
  DatasetRegistry,
  assertMayWriteModel,
  ModelNameClaims,
  TRAIN_ID,
  TrainStore,
  checkTrainable,
  listLiveWorkers,
  newTrainId,
  outputModelName,
  trainJobOptions,
  trainRequestSchema,
  type TrainJobData,
  type TrainProgress,
  type TrainRecord,
  type TrainResult,
} from '@hourglass/core';
import type { ApiContext } from '../context.js';
import { callerOf, visibleModel } from '../model-access.js';
import { privatePathCheck } from '../private-paths.js';
import type { TrainQueueSet } from '../train-queues.js';

type TrainStatus = 'queued' | 'running' | 'completed' | 'failed';

function statusOf(state: string | undefined, record: TrainRecord): TrainStatus {
  if (record.result) return 'completed';
  switch (state) {
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
    case 'active':
      return 'running';
    case undefined:
    case 'unknown':
      return record.error ? 'failed' : 'queued';
    default:
      return 'queued';
  }
}

/** The view GET /v1/train/:id returns. */
export async function describeTrain(record: TrainRecord, job: Job<TrainJobData, TrainResult> | undefined) {
  const state = job ? await job.getState() : undefined;
  const status = statusOf(state, record);
  const result = record.result ?? (job?.returnvalue && typeof job.returnvalue === 'object' ? job.returnvalue : undefined);
  const progress = (job?.progress && typeof job.progress === 'object' ? job.progress : undefined) as TrainProgress | undefined;
  const { data } = record;
  return {
    id: data.trainId,
    status,
    baseModel: data.request.baseModel,
    dataset: data.dataset.name,
    outputModel: data.outputModel,
    request: data.request,
    progress:
      status === 'completed'
        ? { phase: 'done', percent: 100 }
        : progress
          ? { phase: progress.phase, percent: progress.percent, extracted: progress.extracted ?? null }
          : { phase: 'queued', percent: 0 },
    epochs: result?.epochs ?? progress?.epochs ?? [],
    accuracy: result?.accuracy ?? null,
    model: result?.model ?? null,
    result: result ?? null,
    error: status === 'failed' ? (record.error ?? { code: 'INTERNAL', message: job?.failedReason ?? 'failed' }) : null,
    attempts: job?.attemptsMade ?? null,
    createdAt: new Date(data.createdAt).toISOString(),
    startedAt: job?.processedOn ? new Date(job.processedOn).toISOString() : null,
    finishedAt: job?.finishedOn ? new Date(job.finishedOn).toISOString() : null,
  };
}

export function trainRouter(ctx: ApiContext, queues: TrainQueueSet): Router {
  const router = Router();
  const datasets = new DatasetRegistry(ctx.redis, ctx.config.HOURGLASS_PREFIX);
  const store = new TrainStore(ctx.redis, ctx.config.HOURGLASS_PREFIX);
  const jsonBody = json({ limit: 64 * 1024, strict: true });

  router.post('/', jsonBody, async (req: Request, res: Response) => {
    if (!req.is('application/json')) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send application/json: { "baseModel", "dataset", "epochs"?, "head"?, ... }');
    const request = trainRequestSchema.parse(req.body);
    const base = await visibleModel(ctx.models, request.baseModel, req);
    if (!base.manifest.features) {
      throw new AppError(
        'MODEL_INVALID',
        `model "${request.baseModel}" has no features output, so it cannot serve as a frozen backbone (GET /v1/models shows "features")`,
      );
    }
    await privatePathCheck(datasets, callerOf(req))(request.dataset);
    const { name: datasetName, scan, hash } = await datasets.resolve(ctx.dataRoot, request.dataset, callerOf(req));
    checkTrainable(
      scan.labels,
      Int32Array.from(scan.images, (i) => i.label),
      request.validPct,
      request.seed,
    );
    const outputModel = request.name ?? outputModelName(base.manifest.name, datasetName);
    if (outputModel === base.manifest.name) throw new AppError('VALIDATION_FAILED', `the trained model may not replace its own backbone "${outputModel}"`);
    const existing = (await ctx.models.snapshot()).models.get(outputModel);
    // A fine-tune belongs to the key that trained it: another key's name is taken, whatever its kind.
    if (existing) assertMayWriteModel(outputModel, existing.manifest, { owner: req.owner!, admin: false });
    if (existing && existing.manifest.source.kind !== 'trained') {
      throw new AppError(
        'VALIDATION_FAILED',
        `a ${existing.manifest.source.kind} model named "${outputModel}" exists; a train job only adds versions to trained models (pass "name")`,
      );
    }
    // A new name is on disk only once trained: the claim makes two keys racing for it one winner.
    await new ModelNameClaims(ctx.redis, ctx.config.HOURGLASS_PREFIX).claim(outputModel, { owner: req.owner!, admin: false });

    const data: TrainJobData = {
      trainId: newTrainId(),
      request,
      dataset: { name: datasetName, path: scan.path, hash, classes: scan.classes },
      outputModel,
      owner: req.owner!,
      createdAt: Date.now(),
    };
    await store.create(data);
    await queues.get(base.manifest.name).add('train', data, { jobId: data.trainId, ...trainJobOptions });
    ctx.log.info({ trainId: data.trainId, baseModel: base.manifest.name, dataset: datasetName, images: scan.images.length, outputModel }, 'train job queued');
    const workers = (await listLiveWorkers(ctx.redis, ctx.keys)).filter((w) => w.model === base.manifest.name).length;
    res
      .status(202)
      .location(`/v1/train/${data.trainId}`)
      .json({
        id: data.trainId,
        status: 'queued',
        baseModel: base.manifest.name,
        dataset: datasetName,
        outputModel,
        images: scan.images.length,
        classes: scan.classes,
        queue: `train-${base.manifest.name}`,
        workers,
        ...(workers === 0
          ? { warning: `no live worker serves "${base.manifest.name}": the job waits until one starts (npm run worker -- --model ${base.manifest.name})` }
          : {}),
      });
  });

  const ownRecord = async (req: Request): Promise<TrainRecord> => {
    const id = String(req.params.id ?? '');
    const record = TRAIN_ID.test(id) ? await store.get(id) : undefined;
    // Another key's job is indistinguishable from a missing one.
    if (!record || record.data.owner !== req.owner) throw new AppError('TRAIN_JOB_NOT_FOUND', `train job "${id.slice(0, 64)}" does not exist`);
    return record;
  };

  router.get('/:id', async (req: Request, res: Response) => {
    const record = await ownRecord(req);
    const job = (await queues.get(record.data.request.baseModel).getJob(record.data.trainId)) as Job<TrainJobData, TrainResult> | undefined;
    const view = await describeTrain(record, job ?? undefined);
    // A worker registered the model: drop the cached registry scan so /v1/models and
    // /v1/batches see it at once (rather than after the cache's 2 s).
    if (view.model) {
      const known = (await ctx.models.snapshot()).models.get(view.model.name);
      if (!known || known.manifest.version < view.model.version) ctx.models.invalidate();
    }
    res.json(view);
  });

  router.get('/', async (req: Request, res: Response) => {
    const limit = Math.min(100, Math.max(1, Number(req.query.limit ?? 20) || 20));
    const jobs = [];
    for (const id of await store.recent(500)) {
      if (jobs.length >= limit) break;
      const record = await store.get(id);
      if (!record || record.data.owner !== req.owner) continue;
      const job = (await queues.get(record.data.request.baseModel).getJob(id)) as Job<TrainJobData, TrainResult> | undefined;
      const view = await describeTrain(record, job ?? undefined);
      jobs.push({
        id: view.id,
        status: view.status,
        baseModel: view.baseModel,
        dataset: view.dataset,
        outputModel: view.outputModel,
        accuracy: view.accuracy,
        model: view.model,
        createdAt: view.createdAt,
      });
    }
    res.json({ jobs });
  });

  return router;
}
