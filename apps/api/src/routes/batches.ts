/**
 * /v1/batches: submit (JSON paths under DATA_ROOT, or multipart uploads), status, results
 * (NDJSON / CSV), and server-sent progress events.
 */
import path from 'node:path';
import { Router, json, type Request, type Response } from 'express';
import {
  AppError,
  assertShardsCovered,
  checkQueuedImages,
  DatasetRegistry,
  isIdempotencyKeyClaimed,
  checkIdempotencyKey,
  listBatches,
  listLiveWorkers,
  mapLimit,
  normaliseRelativePath,
  readBatch,
  readBatchOwner,
  resolveChunkSize,
  resolveImagePath,
  submitBatch,
  withSubmitLock,
  type BatchView,
} from '@hourglass/core';
import type { ApiContext } from '../context.js';
import { callerOf, visibleModel } from '../model-access.js';
import { privatePathCheck } from '../private-paths.js';
import { WAITING_JOB_STATES, waitingJobsOf } from '../queue-depth.js';
import { storedBlobs, uploadImages } from '../uploads.js';
import { CSV_HEADER, toCsvLine, toNdjsonLine } from '../results-format.js';
import { parseBatchRequest, toImageRefs } from './batch-request.js';
import { streamBatchEvents } from './batch-events.js';

const BATCH_ID = /^b[a-z0-9]{8,40}$/;
/** Paths checked at once at submit; each is a realpath + stat. */
const PATH_CHECK_CONCURRENCY = 32;

/** Every client path resolved to a real file under DATA_ROOT; the first bad ones reported together. */
async function checkPaths(ctx: ApiContext, paths: string[], readable: (relative: string) => Promise<void>): Promise<string[]> {
  const problems: Array<{ index: number; path: string; code: string; message: string }> = [];
  const resolved = await mapLimit(paths, PATH_CHECK_CONCURRENCY, async (p, index) => {
    try {
      normaliseRelativePath(p);
      const real = await resolveImagePath(ctx.dataRoot, p);
      const relative = path.relative(ctx.dataRoot, real).split(path.sep).join('/');
      await readable(relative);
      return relative;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (problems.length < 20) problems.push({ index, path: p.slice(0, 200), code: error.code, message: error.message });
      return '';
    }
  });
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new AppError(
      first.code as AppError['code'],
      `${problems.length === 20 ? '20 or more' : problems.length} image path(s) rejected; first: ${first.message}`,
      { details: { problems } },
    );
  }
  return resolved;
}

/** MAX_QUEUED_PER_MODEL counts images: a job carries up to MAX_CHUNK_SIZE (checkQueuedImages says how it counts). */
async function checkBackpressure(ctx: ApiContext, model: string, adding: number): Promise<void> {
  const waitingJobs = waitingJobsOf(await ctx.queues.get(model).getJobCounts(...WAITING_JOB_STATES));
  const limit = ctx.config.MAX_QUEUED_PER_MODEL;
  const check = await checkQueuedImages(ctx.redis, ctx.keys, { model, waitingJobs, adding, limit });
  if (!check.fits) {
    const waiting = check.basis === 'jobs' ? `at least ${check.queued}` : String(check.queued);
    throw new AppError('QUEUE_FULL', `model "${model}" has ${waiting} images waiting; ${adding} more would pass the limit of ${limit}. Retry later.`, {
      details: { waiting: check.queued, adding, limit, retryAfterSeconds: 30 },
    });
  }
}

/** Loads a batch the caller owns; another key's batch is indistinguishable from a missing one. */
export async function ownBatch(ctx: ApiContext, req: Request): Promise<BatchView> {
  const id = String(req.params.id ?? '');
  if (!BATCH_ID.test(id)) throw new AppError('BATCH_NOT_FOUND', `batch "${id.slice(0, 64)}" does not exist`);
  const owner = await readBatchOwner(ctx.redis, ctx.keys, id);
  if (owner === null || owner !== req.owner) throw new AppError('BATCH_NOT_FOUND', `batch "${id}" does not exist (or its results expired)`);
  return readBatch(ctx.redis, ctx.keys, id);
}

export function batchesRouter(ctx: ApiContext): Router {
  const router = Router();
  const datasets = new DatasetRegistry(ctx.redis, ctx.config.HOURGLASS_PREFIX);
  // A `model` field sent before the files is checked before any file is written.
  const upload = uploadImages(
    ctx.blobs,
    { maxFileBytes: ctx.config.MAX_UPLOAD_BYTES, maxFiles: Math.min(ctx.config.MAX_UPLOAD_FILES, ctx.config.MAX_BATCH_IMAGES) },
    async (req) => {
      await visibleModel(ctx.models, String((req.body as { model?: unknown }).model), req);
    },
  );
  const jsonBody = json({ limit: ctx.config.MAX_JSON_BYTES, strict: true });

  router.post('/', async (req: Request, res: Response) => {
    try {
      await submit(req, res);
    } catch (error) {
      // A rejected upload leaves nothing behind: the blobs it created go (unless something else
      // refers to them by now). A batch that was created keeps them: it is recorded against them.
      await ctx.blobs.discard(storedBlobs(req)).catch(() => 0);
      throw error;
    }
  });

  const submit = async (req: Request, res: Response): Promise<void> => {
    // Headers first: a bad Idempotency-Key (an empty one included) is refused before any upload.
    const idempotencyKey = req.get('idempotency-key');
    checkIdempotencyKey(idempotencyKey);
    if (req.is('multipart/form-data')) {
      await new Promise<void>((resolve, reject) => upload(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
    } else if (req.is('application/json')) {
      await new Promise<void>((resolve, reject) => jsonBody(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
    } else {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send application/json ({ "model", "images": [{ "path" }] }) or multipart/form-data (model + images files)');
    }
    const request = parseBatchRequest(req, ctx.config.MAX_BATCH_IMAGES);
    const model = await visibleModel(ctx.models, request.model, req);
    const resolved = request.uploaded
      ? undefined
      : await checkPaths(
          ctx,
          request.images.map((i) => i.path),
          privatePathCheck(datasets, callerOf(req)),
        );
    // A retry of a submit that was accepted (its Idempotency-Key is claimed) is answered with that
    // batch, full queue or not: the queue already holds its jobs, so it adds nothing, and a client
    // that lost the first 202 must not be told QUEUE_FULL about work that is queued. (A key reused
    // for a different request is still refused, by submitBatch.)
    const retried = idempotencyKey !== undefined && (await isIdempotencyKeyClaimed(ctx.redis, ctx.keys, req.owner!, idempotencyKey));
    // The queued-images check and the enqueue run under the model's submit lock: two submits that
    // each fit alone must not both pass the limit. A retry adds no jobs, so it needs neither.
    const enqueue = async (): Promise<BatchView> => {
      if (!retried) await checkBackpressure(ctx, model.manifest.name, request.images.length);
      // One heartbeat scan per submit: the shard check and the job sizing read the same list.
      const workers = (await listLiveWorkers(ctx.redis, ctx.keys)).filter((w) => w.model === model.manifest.name);
      assertShardsCovered(model.manifest.name, workers, ctx.queues.get(model.manifest.name).names);
      const chunk = await resolveChunkSize(ctx.redis, ctx.keys, {
        model: model.manifest.name,
        workers,
        total: request.images.length,
        ...(request.chunkSize !== undefined ? { requested: request.chunkSize } : {}),
        configuredDefault: ctx.config.DEFAULT_CHUNK_SIZE,
      });
      return submitBatch(
        { redis: ctx.redis, keys: ctx.keys, queue: ctx.queues.get(model.manifest.name) },
        {
          model,
          items: toImageRefs(request.images, resolved),
          chunkSize: chunk.chunkSize,
          chunkSizeSource: chunk.source,
          chunkSizeReason: chunk.reason,
          ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
          owner: req.owner!,
          // Before the batch's record exists: the blob sweep never meets a live batch whose blobs
          // it does not know about (storage/blob-refs.ts).
          beforeCreate: async (batchId) => {
            for (const blob of new Map(storedBlobs(req).map((b) => [b.digest, b])).values()) await ctx.blobRefs.attach(blob.digest, batchId);
          },
        },
      );
    };
    const view = retried ? await enqueue() : await withSubmitLock(ctx.redis, ctx.keys, model.manifest.name, enqueue);
    // The batch holds its blobs now; the upload leases are not needed (nor discarded on an error).
    const leases = storedBlobs(req).splice(0);
    for (const blob of leases) if (blob.lease !== undefined) await ctx.blobRefs.release(blob.digest, blob.lease).catch(() => undefined);
    ctx.log.info(
      {
        batchId: view.id,
        model: view.model,
        total: view.total,
        chunkSize: view.chunkSize,
        chunkSizeSource: view.chunkSizeSource,
        chunkSizeReason: view.chunkSizeReason,
      },
      'batch submitted',
    );
    res.status(202).location(`/v1/batches/${view.id}`).json(view);
  };

  router.get('/', async (req: Request, res: Response) => {
    const limit = Math.min(100, Math.max(1, Number(req.query.limit ?? 20) || 20));
    res.json({ batches: await listBatches(ctx.redis, ctx.keys, req.owner!, limit) });
  });

  router.get('/:id', async (req: Request, res: Response) => {
    res.json(await ownBatch(ctx, req));
  });

  router.get('/:id/results', async (req: Request, res: Response) => {
    const view = await ownBatch(ctx, req);
    const format = String(req.query.format ?? 'ndjson');
    if (format !== 'ndjson' && format !== 'csv') throw new AppError('VALIDATION_FAILED', 'format must be ndjson or csv');
    res.status(200);
    res.set('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.set('x-batch-status', view.status);
    if (format === 'csv') res.write(`${CSV_HEADER}\n`);
    const line = format === 'csv' ? toCsvLine : toNdjsonLine;
    let chunk = '';
    for await (const row of ctx.results.all(view.id, view.total)) {
      chunk += `${line(row)}\n`;
      if (chunk.length > 64 * 1024) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
        chunk = '';
      }
      if (res.destroyed) return;
    }
    res.end(chunk);
  });

  router.get('/:id/events', async (req: Request, res: Response) => {
    const view = await ownBatch(ctx, req);
    await streamBatchEvents(ctx, req, res, view);
  });

  return router;
}
