/**
 * The contract of /v1/models (routes/models.ts, uploads in routes/model-upload.ts): the model
 * registry, listed with the live workers serving each model.
 */
import { z } from 'zod';
import { errorResponse, errors } from './contract/errors.js';
import { exampleModel } from './contract/examples.js';
import { isoTime, json, ref, type RouteContract } from './contract/openapi-parts.js';
import { modelUploadFieldsSchema } from './model-upload.js';
import type { describeModel } from './models.js';

const workerSchema = z.object({
  id: z.string(),
  ep: z.string(),
  host: z.string(),
  batchSize: z.number().int(),
  inferenceSessions: z.number().int().describe('ONNX sessions it runs side by side, each with its own micro-batch (INFERENCE_SESSIONS).'),
  intraOpThreads: z.number().int().describe('Intra-op threads of each session.'),
  processed: z.number().int(),
  imagesPerSecond: z
    .number()
    .nonnegative()
    .nullable()
    .describe('Images/s while busy, as its heartbeat reports it (null until it has done a few); the auto chunk size uses it.'),
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
    dynamicBatch: z.boolean().describe("False when the graph's batch axis is fixed at 1: workers run one image at a time."),
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

export const modelQueueSchema = z.object({
  model: z.string(),
  waitingJobs: z.number().int().nonnegative().describe('Jobs waiting (also delayed for a retry, or prioritized); each holds 1 to chunkSize images.'),
  activeJobs: z.number().int().nonnegative().describe('Jobs a worker is running now.'),
  queuedImages: z.number().int().nonnegative().describe('Images of open batches no worker has started yet: what MAX_QUEUED_PER_MODEL counts.'),
  limit: z.number().int().positive().describe('MAX_QUEUED_PER_MODEL: a submit that would take queuedImages past it gets 429 QUEUE_FULL.'),
});

// Compile-time drift check: the route's answer must fit its schema.
export const modelSchemaCheck: ReturnType<typeof describeModel> extends z.infer<typeof modelSchema> ? true : never = true;

export const modelsContract: RouteContract = {
  requests: {
    ModelUpload: {
      schema: modelUploadFieldsSchema.extend({ model: z.file(), data: z.array(z.file()).optional() }),
      description:
        'Multipart form: the `model` file (.onnx), its external weights as `data` part(s) if the graph keeps them outside, and a `name`. Optional: `labels` (JSON array or one per line), `mean`/`std` ("r,g,b"), `size` ("224" or "WxH"), `resize` (fill|cover|contain), `description`, `input`/`output` (graph tensor names).',
    },
  },
  responses: {
    Model: { schema: modelSchema },
    ModelList: { schema: modelListSchema },
    RegisteredModel: { schema: registeredModelSchema },
    ModelQueue: { schema: modelQueueSchema, description: "How deep one model's queue is, as the submit's backpressure check counts it." },
  },
  paths: {
    '/v1/models': {
      post: {
        operationId: 'registerModel',
        tags: ['models'],
        summary: 'Register an ONNX model (e.g. a timm export): inspected, run once on a dummy batch, then stored as the next version of that name',
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: ref('ModelUpload'),
              encoding: { model: { contentType: 'application/octet-stream' }, data: { contentType: 'application/octet-stream' } },
            },
          },
        },
        responses: {
          201: {
            description: 'Registered; workers can serve it now',
            headers: { Location: { schema: { type: 'string' }, description: '/v1/models/{name}' } },
            content: json(ref('RegisteredModel'), {
              timm: {
                ...exampleModel,
                name: 'levit-128s',
                source: { kind: 'imported', format: 'onnx', file: 'model.onnx' },
                benchmark: null,
                workers: [],
                served: false,
                warnings: [],
              },
            }),
          },
          400: errorResponse(
            'Missing `model` part or `name`, bad mean/std/size/labels, or labels that do not match the class count',
            'VALIDATION_FAILED',
            'labels has 5 labels, but output "logits" has 1000 classes',
          ),
          401: errors[401],
          409: errorResponse(
            'Another registration of this name is still running',
            'MODEL_BUSY',
            'model "levit-128s" is being written by pid 4121 on host; gave up after 120 s',
          ),
          413: errorResponse('A file over MAX_MODEL_UPLOAD_BYTES', 'PAYLOAD_TOO_LARGE', 'upload rejected: File too large (model)'),
          415: errorResponse(
            'Not multipart/form-data',
            'UNSUPPORTED_MEDIA_TYPE',
            'send multipart/form-data with a `model` file part (the .onnx) and a `name` field',
          ),
          422: errorResponse(
            'Rejected model: MODEL_NOT_ONNX, MODEL_NO_IMAGE_INPUT, MODEL_NO_CLASS_OUTPUT, MODEL_EXTERNAL_DATA_INVALID or MODEL_RUN_FAILED',
            'MODEL_NO_IMAGE_INPUT',
            'model.onnx: input "input" is [batch, 10]: an image batch has 4 dims, [N,3,H,W] or [N,H,W,3]',
          ),
        },
      },
      get: {
        operationId: 'listModels',
        tags: ['models'],
        summary: 'Registered models with the live workers serving each',
        responses: {
          200: { description: 'Models', content: json(ref('ModelList'), { one: { models: [exampleModel], problems: [] } }) },
          401: errors[401],
        },
      },
    },
    '/v1/models/{name}': {
      get: {
        operationId: 'getModel',
        tags: ['models'],
        summary: 'One model',
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' }, example: 'mobilenet-v2' }],
        responses: {
          200: { description: 'The model', content: json(ref('Model'), { mobilenet: exampleModel }) },
          401: errors[401],
          404: errorResponse('Not registered', 'MODEL_NOT_FOUND', 'model "nope" is not registered (GET /v1/models lists the models)'),
        },
      },
    },
    '/v1/models/{name}/queue': {
      get: {
        operationId: 'getModelQueue',
        tags: ['models'],
        summary: 'How many jobs and images wait for the model, and the limit a submit must stay under (pace submits instead of meeting 429)',
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' }, example: 'mobilenet-v2' }],
        responses: {
          200: {
            description: "The model's queue now",
            content: json(ref('ModelQueue'), {
              busy: { model: 'mobilenet-v2', waitingJobs: 12, activeJobs: 2, queuedImages: 96, limit: 1000000 },
              idle: { model: 'mobilenet-v2', waitingJobs: 0, activeJobs: 0, queuedImages: 0, limit: 1000000 },
            }),
          },
          401: errors[401],
          404: errorResponse('Not registered', 'MODEL_NOT_FOUND', 'model "nope" is not registered (GET /v1/models lists the models)'),
        },
      },
    },
  },
};
