/**
 * The contract of /v1/batches (routes/batches.ts): what a batch view and a result row look like,
 * and the operations to submit, list, follow and read batches. The request bodies are the schemas
 * the route parses with (routes/batch-request.ts).
 */
import { z } from 'zod';
import type { BatchView, ResultRow } from '@hourglass/core';
import { errorCodeSchema, errorResponse, errors } from './contract/errors.js';
import { exampleBatch, exampleCompleted, exampleFailedRow, exampleRow } from './contract/examples.js';
import { isoTime, json, ref, type RouteContract } from './contract/openapi-parts.js';
import { formBatchSchema, jsonBatchSchema } from './batch-request.js';

export const batchViewSchema = z.object({
  id: z.string().regex(/^b[a-z0-9]{8,40}$/),
  model: z.string(),
  modelVersion: z.number().int(),
  total: z.number().int().nonnegative(),
  chunkSize: z.number().int().positive().describe('Images per job (1 = one job per image).'),
  chunkSizeSource: z
    .enum(['request', 'default', 'auto'])
    .describe("Who chose chunkSize: the request, the server's DEFAULT_CHUNK_SIZE, or the auto policy (from the workers' heartbeats)."),
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

export const batchListSchema = z.object({ batches: z.array(batchViewSchema).describe("The caller's batches, newest first.") });

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

// Compile-time drift checks: each response type must fit its schema.
type Fits<T, S extends z.ZodType> = T extends z.infer<S> ? true : never;
export const batchSchemaChecks: [Fits<BatchView, typeof batchViewSchema>, Fits<ResultRow, typeof resultRowSchema>] = [true, true];

/** The `{id}` path parameter of every /v1/batches/{id}/... operation. */
export const batchIdParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^b[a-z0-9]{8,40}$' }, example: exampleBatch.id };

export const batchesContract: RouteContract = {
  requests: {
    BatchRequest: { schema: jsonBatchSchema, description: "Images by path, relative to the server's DATA_ROOT." },
    BatchUpload: {
      schema: formBatchSchema.extend({ images: z.array(z.file()).min(1) }),
      description: 'Multipart form: a `model` field and one `images` part per file (stored content-addressed under DATA_ROOT).',
    },
  },
  responses: {
    BatchView: { schema: batchViewSchema },
    BatchList: { schema: batchListSchema },
    ResultRow: { schema: resultRowSchema, description: "One image's outcome: a prediction, or an error with a stable code." },
  },
  paths: {
    '/v1/batches': {
      post: {
        operationId: 'submitBatch',
        tags: ['batches'],
        summary: 'Submit a batch of images (paths under DATA_ROOT, or uploaded files)',
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description: 'Same key (and same request) again returns the same batch instead of a new one; 24 h.',
            schema: { type: 'string', pattern: '^[A-Za-z0-9._~-]{1,128}$' },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: ref('BatchRequest'),
              examples: {
                paths: { value: { model: 'mobilenet-v2', images: [{ path: 'photos/cat.jpg' }, { path: 'photos/dog.png' }] } },
                chunked: { value: { model: 'mobilenet-v2', chunkSize: 16, images: [{ path: 'photos/cat.jpg' }] } },
              },
            },
            'multipart/form-data': {
              schema: ref('BatchUpload'),
              encoding: { images: { contentType: 'image/*' } },
            },
          },
        },
        responses: {
          202: {
            description: 'Accepted: the jobs are queued',
            headers: { Location: { schema: { type: 'string' }, description: '/v1/batches/{id}' } },
            content: json(ref('BatchView'), {
              queued: {
                ...exampleBatch,
                status: 'queued',
                counts: { queued: 3, active: 0, completed: 0, failed: 0 },
                timings: { ...exampleBatch.timings, firstResultAt: null },
                elapsedMs: 2,
                imagesPerSecond: 0,
              },
            }),
          },
          400: errorResponse(
            'Invalid body, empty batch, or a path outside DATA_ROOT',
            'VALIDATION_FAILED',
            'images: Invalid input: expected array, received undefined',
          ),
          401: errors[401],
          404: errorResponse('Unknown model', 'MODEL_NOT_FOUND', 'model "nope" is not registered (GET /v1/models lists the models)'),
          413: errorResponse('Too many images or too large a body/file', 'TOO_MANY_IMAGES', 'a batch holds at most 100000 images; this one has 100001'),
          415: errorResponse('Neither JSON nor multipart', 'UNSUPPORTED_MEDIA_TYPE', 'send application/json or multipart/form-data'),
          422: errorResponse(
            'Idempotency-Key reused for a different request',
            'IDEMPOTENCY_KEY_REUSED',
            'this Idempotency-Key was used for a different request',
          ),
          429: errorResponse(
            "The model's queue is full; retry after Retry-After seconds",
            'QUEUE_FULL',
            'model "mobilenet-v2" has 1000000 images waiting; the limit is 1000000. Retry later.',
          ),
          503: {
            description:
              "The model's live workers consume none of the queue shards this API enqueues to (QUEUE_SHARDS differ), or another submit for the model held its queue too long (SUBMIT_BUSY, with Retry-After)",
            content: json(ref('Error'), {
              QUEUE_LAYOUT_MISMATCH: {
                error: {
                  code: 'QUEUE_LAYOUT_MISMATCH',
                  message:
                    'no live worker of model "mobilenet-v2" consumes all of this API\'s 3 queue shard(s) (its workers consume 1); jobs on {hq-classify-mobilenet-v2~1}, {hq-classify-mobilenet-v2~2} would never run. Give the API and the workers the same QUEUE_SHARDS and REDIS_CLUSTER_NODES.',
                },
              },
              SUBMIT_BUSY: {
                error: {
                  code: 'SUBMIT_BUSY',
                  message: 'another submit for model "mobilenet-v2" has held its queue for over 15 s; retry shortly',
                  retryAfterSeconds: 5,
                },
              },
            }),
          },
        },
      },
      get: {
        operationId: 'listBatches',
        tags: ['batches'],
        summary: "The caller's recent batches, newest first",
        parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } }],
        responses: {
          200: { description: 'Batches', content: json(ref('BatchList'), { two: { batches: [exampleBatch, exampleCompleted] } }) },
          401: errors[401],
        },
      },
    },
    '/v1/batches/{id}': {
      get: {
        operationId: 'getBatch',
        tags: ['batches'],
        summary: 'Status, counts and timings of one batch',
        parameters: [batchIdParameter],
        responses: {
          200: { description: 'The batch', content: json(ref('BatchView'), { running: exampleBatch, completed: exampleCompleted }) },
          401: errors[401],
          404: errors.batch404,
        },
      },
    },
    '/v1/batches/{id}/results': {
      get: {
        operationId: 'getResults',
        tags: ['batches'],
        summary: 'One row per finished image, in index order (NDJSON, or CSV with ?format=csv)',
        parameters: [
          batchIdParameter,
          { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['ndjson', 'csv'], default: 'ndjson' } },
        ],
        responses: {
          200: {
            description: 'Rows so far; the `X-Batch-Status` header says whether more will come',
            headers: { 'X-Batch-Status': { schema: { type: 'string', enum: ['queued', 'running', 'completed'] } } },
            content: {
              'application/x-ndjson': {
                schema: ref('ResultRow'),
                description: 'Each line is one ResultRow.',
                examples: { labelled: { value: exampleRow }, failed: { value: exampleFailedRow } },
              },
              'text/csv': {
                schema: { type: 'string' },
                example:
                  'index,source,label,confidence,model,modelVersion,error_code,error_message,preprocess_ms,inference_ms,batch_size\n0,photos/cat.jpg,tabby,0.91,mobilenet-v2,1,,,3.70,21.20,8\n',
              },
            },
          },
          400: errorResponse('Unknown format', 'VALIDATION_FAILED', 'format must be ndjson or csv'),
          401: errors[401],
          404: errors.batch404,
        },
      },
    },
    '/v1/batches/{id}/events': {
      get: {
        operationId: 'batchEvents',
        tags: ['batches'],
        summary: 'Server-sent progress events: `progress` when counts change, then one `completed`; data is a BatchView',
        parameters: [batchIdParameter],
        responses: {
          200: {
            description: 'An event stream that ends after `completed`',
            content: { 'text/event-stream': { schema: { type: 'string' }, example: `event: progress\nid: 1\ndata: ${JSON.stringify(exampleBatch)}\n\n` } },
          },
          401: errors[401],
          404: errors.batch404,
        },
      },
    },
  },
};
