/**
 * zod schemas of what the API answers, for the OpenAPI document. Request bodies are not here: the
 * document uses the very schemas the routes validate with (routes/batch-request.ts). The
 * compile-time checks at the bottom fail the build when a response type drifts from its schema.
 */
import { z } from 'zod';
import { ERROR_CODES, type BatchView, type ErrorCode, type ResultRow } from '@hourglass/core';
import type { BenchReport } from '../routes/bench-report.js';
import type { describeModel } from '../routes/models.js';

export const errorCodeSchema = z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]);

export const errorBodySchema = z.object({
  error: z.looseObject({
    code: errorCodeSchema,
    message: z.string(),
  }).describe('Machine-readable code, a human message, and sometimes details (limits, counts, the offending items).'),
});

const isoTime = z.iso.datetime({ offset: true });

export const batchViewSchema = z.object({
  id: z.string().regex(/^b[a-z0-9]{8,40}$/),
  model: z.string(),
  modelVersion: z.number().int(),
  total: z.number().int().nonnegative(),
  chunkSize: z.number().int().positive().describe('Images per job (1 = one job per image).'),
  chunkSizeSource: z.enum(['request', 'default', 'auto']).describe('Who chose chunkSize: the request, the server\'s DEFAULT_CHUNK_SIZE, or the auto policy (from the workers\' heartbeats).'),
  chunkSizeReason: z.string().describe('Why that size, in words (for auto: the rule that decided and the rates it used).'),
  status: z.enum(['queued', 'running', 'completed']),
  counts: z.object({
    queued: z.number().int().nonnegative(),
    active: z.number().int().nonnegative(),
    completed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
  }),
  timings: z.object({ createdAt: isoTime, firstResultAt: isoTime.nullable(), finishedAt: isoTime.nullable() }),
  elapsedMs: z.number().nonnegative().describe('From creation to the last result (or to now while running).'),
  imagesPerSecond: z.number().nonnegative(),
});

export const batchListSchema = z.object({ batches: z.array(batchViewSchema).describe('The caller\'s batches, newest first.') });

const predictionSchema = z.object({ label: z.string(), confidence: z.number().min(0).max(1) });

export const resultRowSchema = z.object({
  index: z.number().int().nonnegative(),
  source: z.string().describe('The path as submitted, or the uploaded file name.'),
  path: z.string().optional().describe('Where the image was read from, relative to DATA_ROOT.'),
  model: z.string(),
  modelVersion: z.number().int(),
  label: z.string().optional(),
  confidence: z.number().min(0).max(1).optional(),
  topk: z.array(predictionSchema).optional(),
  error: z.object({ code: errorCodeSchema, message: z.string() }).optional().describe('Present when this image failed; the batch still completes.'),
  worker: z.string(),
  finishedAt: z.number().int().describe('Epoch ms (worker clock).'),
  timings: z
    .object({ queueMs: z.number(), preprocessMs: z.number(), inferenceMs: z.number(), runMs: z.number(), batchSize: z.number().int().positive() })
    .optional(),
});

const workerSchema = z.object({
  id: z.string(),
  ep: z.string(),
  host: z.string(),
  batchSize: z.number().int(),
  intraOpThreads: z.number().int(),
  processed: z.number().int(),
  imagesPerSecond: z.number().nonnegative().nullable().describe('Images/s while busy, as its heartbeat reports it (null until it has done a few); the auto chunk size uses it.'),
  seenAt: isoTime,
});

export const modelSchema = z.object({
  name: z.string(),
  version: z.number().int(),
  description: z.string().nullable(),
  input: z.object({
    name: z.string(),
    layout: z.enum(['NCHW', 'NHWC']),
    width: z.number().int(),
    height: z.number().int(),
    resize: z.string(),
    dynamicBatch: z.boolean().describe('False when the graph\'s batch axis is fixed at 1: workers run one image at a time.'),
  }),
  output: z.looseObject({ name: z.string(), kind: z.enum(['logits', 'probabilities']) }),
  classes: z.number().int().positive(),
  labels: z.array(z.string()).describe('The first 100 labels.'),
  features: z.object({ name: z.string(), size: z.number().int() }).nullable(),
  source: z.looseObject({ kind: z.enum(['generated', 'bundled', 'imported', 'trained']) }),
  fileBytes: z.number().int().nonnegative().describe('Size of model.onnx.'),
  totalBytes: z.number().int().nonnegative().describe('model.onnx plus its external data files.'),
  params: z.number().int().nonnegative().nullable().describe('Sum of the elements of every initializer; null when the file cannot be read.'),
  opset: z.number().int().nullable(),
  queue: z.string(),
  workers: z.array(workerSchema).describe('Workers with a live heartbeat.'),
  served: z.boolean(),
  benchmark: z
    .object({
      imagesPerSecond: z.number().nonnegative(),
      images: z.number().int().positive(),
      workers: z.number().int().positive(),
      version: z.number().int(),
      measuredAt: isoTime,
      report: z.string(),
    })
    .nullable()
    .describe('The last measured end-to-end throughput (largest run of the newest `hourglass bench` report for this model), or null.'),
});

export const registeredModelSchema = modelSchema.extend({
  warnings: z.array(z.string()).describe('What the registration noticed but accepted (a fixed batch of 1, NaN outputs, ignored files).'),
});

export const modelListSchema = z.object({
  models: z.array(modelSchema),
  problems: z.array(z.object({ file: z.string(), message: z.string() })).describe('Model folders that failed to load, and why.'),
});

export const healthSchema = z.object({ status: z.enum(['ok', 'degraded']), redis: z.string() });

export const benchReportSchema = z.object({
  markdown: z.string().nullable(),
  updatedAt: isoTime.nullable(),
  charts: z.array(z.object({ name: z.string(), url: z.string(), bytes: z.number().int().nonnegative() })),
});

export const datasetSchema = z.object({
  name: z.string(),
  path: z.string().describe('The dataset folder, relative to DATA_ROOT: <dataset>/<label>/*.jpg|png|webp.'),
  classes: z.array(z.looseObject({})).describe('One entry per label folder, with its image count.'),
  images: z.number().int().nonnegative(),
  hash: z.string().describe('Content hash of every image and label: a changed dataset is a new one.'),
  skipped: z.array(z.looseObject({})).describe('Files that were not used, and why (first 100).'),
  registeredAt: isoTime,
});

export const datasetListSchema = z.object({ datasets: z.array(datasetSchema) });

const trainStatus = z.enum(['queued', 'running', 'completed', 'failed']);

export const trainAcceptedSchema = z.object({
  id: z.string(),
  status: z.literal('queued'),
  baseModel: z.string(),
  dataset: z.string(),
  outputModel: z.string(),
  images: z.number().int().nonnegative(),
  classes: z.array(z.looseObject({})),
  queue: z.string(),
});

export const trainViewSchema = z.looseObject({
  id: z.string(),
  status: trainStatus,
  baseModel: z.string(),
  dataset: z.string(),
  outputModel: z.string(),
  progress: z.looseObject({ phase: z.string(), percent: z.number() }),
  epochs: z.array(z.looseObject({})),
  accuracy: z.number().nullable(),
  model: z.looseObject({ name: z.string(), version: z.number().int() }).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: isoTime,
  startedAt: isoTime.nullable(),
  finishedAt: isoTime.nullable(),
});

export const trainListSchema = z.object({
  jobs: z.array(
    z.looseObject({ id: z.string(), status: trainStatus, baseModel: z.string(), dataset: z.string(), outputModel: z.string(), accuracy: z.number().nullable(), createdAt: isoTime }),
  ),
});

// Compile-time drift checks: each response type must fit its schema.
type Fits<T, S extends z.ZodType> = T extends z.infer<S> ? true : never;
export const schemaChecks: [
  Fits<BatchView, typeof batchViewSchema>,
  Fits<ResultRow, typeof resultRowSchema>,
  Fits<ReturnType<typeof describeModel>, typeof modelSchema>,
  Fits<BenchReport, typeof benchReportSchema>,
] = [true, true, true, true];
