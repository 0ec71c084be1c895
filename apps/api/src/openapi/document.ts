/**
 * The OpenAPI 3.1 description served at GET /openapi.json. Request bodies come from the zod schemas
 * the routes validate with (z.toJSONSchema, input side); responses from openapi/schemas.ts (output
 * side). Every route the app registers must appear here: test/integration/api/openapi.test.ts walks
 * the Express router and fails on an undocumented one, and validates every example.
 */
import { z } from 'zod';
import { MAX_CHUNK_SIZE, trainRequestSchema } from '@hourglass/core';
import { formBatchSchema, jsonBatchSchema } from '../routes/batch-request.js';
import { modelUploadFieldsSchema } from '../routes/model-upload.js';
import { registerDatasetSchema } from '../routes/datasets.js';
import {
  batchListSchema,
  batchViewSchema,
  benchReportSchema,
  datasetListSchema,
  datasetSchema,
  errorBodySchema,
  healthSchema,
  modelListSchema,
  modelSchema,
  registeredModelSchema,
  resultRowSchema,
  trainAcceptedSchema,
  trainListSchema,
  trainViewSchema,
} from './schemas.js';

type Json = Record<string, unknown>;

/** Components generated from zod: one registry per direction (what clients send / what they get). */
function components(): Record<string, Json> {
  const requests = z.registry<{ id: string; description?: string }>();
  requests.add(jsonBatchSchema, { id: 'BatchRequest', description: 'Images by path, relative to the server\'s DATA_ROOT.' });
  requests.add(formBatchSchema.extend({ images: z.array(z.file()).min(1) }), {
    id: 'BatchUpload',
    description: 'Multipart form: a `model` field and one `images` part per file (stored content-addressed under DATA_ROOT).',
  });
  requests.add(registerDatasetSchema, { id: 'DatasetRequest', description: 'Register a folder under DATA_ROOT laid out as <dataset>/<label>/<images>.' });
  requests.add(trainRequestSchema, { id: 'TrainRequest', description: 'Fine-tune a head on a frozen backbone\'s features.' });
  requests.add(modelUploadFieldsSchema.extend({ model: z.file(), data: z.array(z.file()).optional() }), {
    id: 'ModelUpload',
    description:
      'Multipart form: the `model` file (.onnx), its external weights as `data` part(s) if the graph keeps them outside, and a `name`. Optional: `labels` (JSON array or one per line), `mean`/`std` ("r,g,b"), `size` ("224" or "WxH"), `resize` (fill|cover|contain), `description`, `input`/`output` (graph tensor names).',
  });
  const responses = z.registry<{ id: string; description?: string }>();
  responses.add(errorBodySchema, { id: 'Error' });
  responses.add(batchViewSchema, { id: 'BatchView' });
  responses.add(batchListSchema, { id: 'BatchList' });
  responses.add(resultRowSchema, { id: 'ResultRow', description: 'One image\'s outcome: a prediction, or an error with a stable code.' });
  responses.add(modelSchema, { id: 'Model' });
  responses.add(modelListSchema, { id: 'ModelList' });
  responses.add(registeredModelSchema, { id: 'RegisteredModel' });
  responses.add(healthSchema, { id: 'Health' });
  responses.add(benchReportSchema, { id: 'BenchReport' });
  responses.add(datasetSchema, { id: 'Dataset' });
  responses.add(datasetListSchema, { id: 'DatasetList' });
  responses.add(trainAcceptedSchema, { id: 'TrainAccepted' });
  responses.add(trainViewSchema, { id: 'TrainJob' });
  responses.add(trainListSchema, { id: 'TrainList' });
  const uri = (id: string): string => `#/components/schemas/${id}`;
  const all = {
    ...z.toJSONSchema(requests, { io: 'input', uri, unrepresentable: 'any' }).schemas,
    ...z.toJSONSchema(responses, { io: 'output', uri, unrepresentable: 'any' }).schemas,
  };
  // Component schemas are embedded, not standalone documents.
  return Object.fromEntries(Object.entries(all).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema as Json]));
}

const ref = (id: string): Json => ({ $ref: `#/components/schemas/${id}` });
const json = (schema: Json, examples: Record<string, unknown>): Json => ({
  'application/json': { schema, examples: Object.fromEntries(Object.entries(examples).map(([k, value]) => [k, { value }])) },
});
const errorResponse = (description: string, code: string, message: string): Json => ({
  description,
  content: json(ref('Error'), { [code]: { error: { code, message } } }),
});
const errors = {
  401: errorResponse('Missing or invalid API key', 'UNAUTHORIZED', 'missing API key: send `Authorization: Bearer <key>`'),
  batch404: errorResponse('No such batch for this key (another key\'s batch looks the same)', 'BATCH_NOT_FOUND', 'batch "b0000000000" does not exist (or its results expired)'),
};

const exampleBatch = {
  id: 'bmh3k2x9a1f2e3d4c5b6',
  model: 'mobilenet-v2',
  modelVersion: 1,
  total: 3,
  chunkSize: 1,
  status: 'running',
  counts: { queued: 1, active: 1, completed: 1, failed: 0 },
  timings: { createdAt: '2025-11-26T04:00:00.000Z', firstResultAt: '2025-11-26T04:00:00.120Z', finishedAt: null },
  elapsedMs: 180,
  imagesPerSecond: 5.56,
};
const exampleCompleted = {
  ...exampleBatch,
  status: 'completed',
  counts: { queued: 0, active: 0, completed: 2, failed: 1 },
  timings: { ...exampleBatch.timings, finishedAt: '2025-11-26T04:00:00.410Z' },
  elapsedMs: 410,
  imagesPerSecond: 7.32,
};
const exampleRow = {
  index: 0,
  source: 'photos/cat.jpg',
  path: 'photos/cat.jpg',
  model: 'mobilenet-v2',
  modelVersion: 1,
  label: 'tabby',
  confidence: 0.91,
  topk: [
    { label: 'tabby', confidence: 0.91 },
    { label: 'tiger cat', confidence: 0.06 },
  ],
  worker: 'host-4121-a1b2',
  finishedAt: 1764129600120,
  timings: { queueMs: 3, preprocessMs: 3.7, inferenceMs: 21.2, runMs: 17.9, batchSize: 8 },
};
const exampleFailedRow = {
  index: 1,
  source: 'photos/broken.jpg',
  path: 'photos/broken.jpg',
  model: 'mobilenet-v2',
  modelVersion: 1,
  error: { code: 'IMAGE_DECODE_FAILED', message: 'cannot decode image: unsupported image format' },
  worker: 'host-4121-a1b2',
  finishedAt: 1764129600130,
};
const exampleModel = {
  name: 'mobilenet-v2',
  version: 1,
  description: 'MobileNetV2, ImageNet-1k',
  input: { name: 'input', layout: 'NCHW', width: 224, height: 224, resize: 'cover', dynamicBatch: true },
  output: { name: 'logits', kind: 'logits' },
  classes: 1000,
  labels: ['tench', 'goldfish'],
  features: null,
  source: { kind: 'imported', licence: 'Apache-2.0' },
  fileBytes: 13964571,
  totalBytes: 13964571,
  params: 3504872,
  opset: 17,
  queue: 'classify-mobilenet-v2',
  workers: [{ id: 'host-4121-a1b2', ep: 'cpu', host: 'host', batchSize: 16, intraOpThreads: 1, processed: 1200, seenAt: '2025-11-26T04:00:05.000Z' }],
  served: true,
  benchmark: { imagesPerSecond: 212.4, images: 10000, workers: 2, version: 1, measuredAt: '2025-11-26T04:00:00.000Z', report: '2025-11-26-host-mobilenet-v2.json' },
};

const exampleDataset = {
  name: 'fluffy-or-not',
  path: 'datasets/fluffy-or-not',
  classes: [
    { label: 'fluffy', images: 120 },
    { label: 'not', images: 118 },
  ],
  images: 238,
  hash: '9f2c4e1a7b3d5f60',
  skipped: [],
  registeredAt: '2025-11-26T04:00:00.000Z',
};
const exampleTrain = {
  id: 't0123456789abcdef',
  status: 'running',
  baseModel: 'mobilenet-v2',
  dataset: 'fluffy-or-not',
  outputModel: 'mobilenet-v2-fluffy-or-not',
  request: { baseModel: 'mobilenet-v2', dataset: 'fluffy-or-not', epochs: 3, validPct: 0.2, seed: 42, head: 'linear' },
  progress: { phase: 'features', percent: 40, extracted: 95 },
  epochs: [],
  accuracy: null,
  model: null,
  result: null,
  error: null,
  attempts: 0,
  createdAt: '2025-11-26T04:00:00.000Z',
  startedAt: '2025-11-26T04:00:01.000Z',
  finishedAt: null,
};

const batchId = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^b[a-z0-9]{8,40}$' }, example: exampleBatch.id };

function paths(): Record<string, Record<string, Json>> {
  return {
    '/healthz': {
      get: {
        operationId: 'health',
        tags: ['operations'],
        summary: 'Liveness: 200 when Redis answers',
        security: [],
        responses: {
          200: { description: 'Healthy', content: json(ref('Health'), { ok: { status: 'ok', redis: 'ok' } }) },
          503: { description: 'Redis does not answer', content: json(ref('Health'), { down: { status: 'degraded', redis: 'timeout' } }) },
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        tags: ['operations'],
        summary: 'Prometheus metrics (text exposition format)',
        description: 'Open unless METRICS_TOKEN is set; then send `Authorization: Bearer <METRICS_TOKEN>`. Aggregates only: model names, job states, route templates, timings.',
        security: [{}, { metricsToken: [] }],
        responses: {
          200: {
            description: 'Metrics',
            content: { 'text/plain': { schema: { type: 'string' }, example: '# TYPE hourglass_queue_jobs gauge\nhourglass_queue_jobs{model="mobilenet-v2",state="waiting"} 1200\n' } },
          },
          401: errorResponse('METRICS_TOKEN is set and was not sent', 'UNAUTHORIZED', 'send Authorization: Bearer <METRICS_TOKEN>'),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        tags: ['operations'],
        summary: 'This document',
        security: [],
        responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
    '/ui': {
      get: {
        operationId: 'ui',
        tags: ['ui'],
        summary: 'The results page (HTML); it asks for the API key and calls /v1 with it',
        security: [],
        responses: { 200: { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
    '/ui/{file}': {
      get: {
        operationId: 'uiAsset',
        tags: ['ui'],
        summary: 'A static file of the results page (script, style sheet)',
        security: [],
        parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string', enum: ['app.js', 'app.css'] } }],
        responses: {
          200: { description: 'The file', content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } } },
          404: errorResponse('No such file', 'NOT_FOUND', 'no route for GET /ui/nope.js'),
        },
      },
    },
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
            content: json(ref('BatchView'), { queued: { ...exampleBatch, status: 'queued', counts: { queued: 3, active: 0, completed: 0, failed: 0 }, timings: { ...exampleBatch.timings, firstResultAt: null }, elapsedMs: 2, imagesPerSecond: 0 } }),
          },
          400: errorResponse('Invalid body, empty batch, or a path outside DATA_ROOT', 'VALIDATION_FAILED', 'images: Invalid input: expected array, received undefined'),
          401: errors[401],
          404: errorResponse('Unknown model', 'MODEL_NOT_FOUND', 'model "nope" is not registered (GET /v1/models lists the models)'),
          413: errorResponse('Too many images or too large a body/file', 'TOO_MANY_IMAGES', 'a batch holds at most 100000 images; this one has 100001'),
          415: errorResponse('Neither JSON nor multipart', 'UNSUPPORTED_MEDIA_TYPE', 'send application/json or multipart/form-data'),
          422: errorResponse('Idempotency-Key reused for a different request', 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request'),
          429: errorResponse('The model\'s queue is full; retry after Retry-After seconds', 'QUEUE_FULL', 'model "mobilenet-v2" has 1000000 images waiting; the limit is 1000000. Retry later.'),
        },
      },
      get: {
        operationId: 'listBatches',
        tags: ['batches'],
        summary: 'The caller\'s recent batches, newest first',
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
        parameters: [batchId],
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
        parameters: [batchId, { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['ndjson', 'csv'], default: 'ndjson' } }],
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
                example: 'index,source,label,confidence,model,modelVersion,error_code,error_message,preprocess_ms,inference_ms,batch_size\n0,photos/cat.jpg,tabby,0.91,mobilenet-v2,1,,,3.70,21.20,8\n',
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
        parameters: [batchId],
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
    '/v1/batches/{id}/images/{index}': {
      get: {
        operationId: 'getBatchImage',
        tags: ['batches'],
        summary: 'The image file behind one finished result row (for thumbnails)',
        parameters: [batchId, { name: 'index', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } }],
        responses: {
          200: { description: 'The image bytes, type from their magic number', content: { 'image/*': { schema: { type: 'string', contentMediaType: 'image/*' } } } },
          400: errorResponse('Index out of range', 'VALIDATION_FAILED', 'index must be an integer from 0 to 2'),
          401: errors[401],
          404: errorResponse('No such batch, or no row yet for this index', 'NOT_FOUND', 'image 2 of batch bmh3k2x9a1f2e3d4c5b6 has no result yet'),
          415: errorResponse('The file is not an image a browser shows', 'UNSUPPORTED_MEDIA_TYPE', 'image 1 of batch bmh3k2x9a1f2e3d4c5b6 is not a browser-viewable image'),
        },
      },
    },
    '/v1/models': {
      post: {
        operationId: 'registerModel',
        tags: ['models'],
        summary: 'Register an ONNX model (e.g. a timm export): inspected, run once on a dummy batch, then stored as the next version of that name',
        requestBody: { required: true, content: { 'multipart/form-data': { schema: ref('ModelUpload'), encoding: { model: { contentType: 'application/octet-stream' }, data: { contentType: 'application/octet-stream' } } } } },
        responses: {
          201: {
            description: 'Registered; workers can serve it now',
            headers: { Location: { schema: { type: 'string' }, description: '/v1/models/{name}' } },
            content: json(ref('RegisteredModel'), { timm: { ...exampleModel, name: 'levit-128s', source: { kind: 'imported', format: 'onnx', file: 'model.onnx' }, benchmark: null, workers: [], served: false, warnings: [] } }),
          },
          400: errorResponse('Missing `model` part or `name`, bad mean/std/size/labels, or labels that do not match the class count', 'VALIDATION_FAILED', 'labels has 5 labels, but output "logits" has 1000 classes'),
          401: errors[401],
          409: errorResponse('Another registration of this name is still running', 'MODEL_BUSY', 'model "levit-128s" is being written by pid 4121 on host; gave up after 120 s'),
          413: errorResponse('A file over MAX_MODEL_UPLOAD_BYTES', 'PAYLOAD_TOO_LARGE', 'upload rejected: File too large (model)'),
          415: errorResponse('Not multipart/form-data', 'UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data with a `model` file part (the .onnx) and a `name` field'),
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
    '/v1/datasets': {
      post: {
        operationId: 'registerDataset',
        tags: ['training'],
        summary: 'Register a dataset folder under DATA_ROOT (scanned and hashed once)',
        requestBody: { required: true, content: json(ref('DatasetRequest'), { folder: { path: 'datasets/fluffy-or-not' }, named: { path: 'datasets/Fluffy or not', name: 'fluffy' } }) },
        responses: {
          201: { description: 'Registered', headers: { Location: { schema: { type: 'string' } } }, content: json(ref('Dataset'), { registered: exampleDataset }) },
          400: errorResponse('Bad body or a folder outside DATA_ROOT', 'VALIDATION_FAILED', 'path: Invalid input: expected string, received undefined'),
          401: errors[401],
          415: errorResponse('Not JSON', 'UNSUPPORTED_MEDIA_TYPE', 'send application/json'),
          422: errorResponse('Not a usable dataset folder', 'DATASET_INVALID', 'a dataset needs at least two label folders with images'),
        },
      },
      get: {
        operationId: 'listDatasets',
        tags: ['training'],
        summary: 'Registered datasets',
        responses: { 200: { description: 'Datasets', content: json(ref('DatasetList'), { one: { datasets: [exampleDataset] } }) }, 401: errors[401] },
      },
    },
    '/v1/datasets/{name}': {
      get: {
        operationId: 'getDataset',
        tags: ['training'],
        summary: 'One registered dataset',
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' }, example: 'fluffy-or-not' }],
        responses: {
          200: { description: 'The dataset', content: json(ref('Dataset'), { dataset: exampleDataset }) },
          401: errors[401],
          404: errorResponse('Not registered', 'DATASET_NOT_FOUND', 'dataset "nope" is not registered'),
        },
      },
    },
    '/v1/train': {
      post: {
        operationId: 'submitTrain',
        tags: ['training'],
        summary: 'Queue a fine-tuning job on the backbone\'s workers (queue train-<baseModel>)',
        requestBody: {
          required: true,
          content: json(ref('TrainRequest'), { minimal: { baseModel: 'mobilenet-v2', dataset: 'fluffy-or-not' }, mlp: { baseModel: 'mobilenet-v2', dataset: 'fluffy-or-not', epochs: 5, head: 'mlp', hidden: 128, name: 'fluffy-detector' } }),
        },
        responses: {
          202: {
            description: 'Queued',
            headers: { Location: { schema: { type: 'string' } } },
            content: json(ref('TrainAccepted'), {
              queued: { id: 't0123456789abcdef', status: 'queued', baseModel: 'mobilenet-v2', dataset: 'fluffy-or-not', outputModel: 'mobilenet-v2-fluffy-or-not', images: 238, classes: exampleDataset.classes, queue: 'train-mobilenet-v2' },
            }),
          },
          400: errorResponse('Bad body, or a dataset that cannot be split with every class on both sides', 'VALIDATION_FAILED', 'epochs: Too big: expected number to be <=200'),
          401: errors[401],
          404: errorResponse('Unknown backbone or dataset', 'MODEL_NOT_FOUND', 'model "nope" is not registered (GET /v1/models lists the models)'),
          415: errorResponse('Not JSON', 'UNSUPPORTED_MEDIA_TYPE', 'send application/json'),
          422: errorResponse('The backbone has no features output', 'MODEL_INVALID', 'model "colours" has no features output, so it cannot serve as a frozen backbone'),
        },
      },
      get: {
        operationId: 'listTrain',
        tags: ['training'],
        summary: 'The caller\'s recent train jobs, newest first',
        parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } }],
        responses: {
          200: {
            description: 'Train jobs',
            content: json(ref('TrainList'), { one: { jobs: [{ id: exampleTrain.id, status: 'completed', baseModel: 'mobilenet-v2', dataset: 'fluffy-or-not', outputModel: 'mobilenet-v2-fluffy-or-not', accuracy: 0.93, model: { name: 'mobilenet-v2-fluffy-or-not', version: 1 }, createdAt: exampleTrain.createdAt }] } }),
          },
          401: errors[401],
        },
      },
    },
    '/v1/train/{id}': {
      get: {
        operationId: 'getTrain',
        tags: ['training'],
        summary: 'Status, progress, per-epoch numbers and the produced model of one train job',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' }, example: exampleTrain.id }],
        responses: {
          200: { description: 'The train job', content: json(ref('TrainJob'), { running: exampleTrain }) },
          401: errors[401],
          404: errorResponse('No such job for this key', 'TRAIN_JOB_NOT_FOUND', 'train job "t0" does not exist'),
        },
      },
    },
    '/v1/bench/report': {
      get: {
        operationId: 'benchReport',
        tags: ['bench'],
        summary: 'The latest benchmark report in BENCH_REPORT_DIR (RESULTS.md and SVG charts), read-only',
        responses: {
          200: {
            description: 'The report (fields null / empty when no benchmark has run)',
            content: json(ref('BenchReport'), {
              none: { markdown: null, updatedAt: null, charts: [] },
              report: { markdown: '# Results\n\n| images | workers | drain s |\n|---|---|---|\n| 10000 | 2 | 71.3 |\n', updatedAt: '2025-11-26T04:00:00.000Z', charts: [{ name: 'drain.svg', url: '/v1/bench/charts/drain.svg', bytes: 5120 }] },
            }),
          },
          401: errors[401],
        },
      },
    },
    '/v1/bench/charts/{name}': {
      get: {
        operationId: 'benchChart',
        tags: ['bench'],
        summary: 'One SVG chart of the benchmark report',
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\.svg$' } }],
        responses: {
          200: { description: 'The chart', content: { 'image/svg+xml': { schema: { type: 'string' } } } },
          401: errors[401],
          404: errorResponse('No such chart', 'NOT_FOUND', 'no chart named drain.svg'),
        },
      },
    },
    '/admin/queues': {
      get: {
        operationId: 'bullBoard',
        tags: ['operations'],
        summary: 'Bull Board (HTML app with its own JSON API under this path); HTTP Basic with the API key as password works in a browser',
        'x-mounted-router': true,
        security: [{ bearerAuth: [] }, { basicAuth: [] }],
        responses: { 200: { description: 'The board', content: { 'text/html': { schema: { type: 'string' } } } }, 401: errors[401] },
      },
    },
  };
}

/** Path prefixes served by a third-party router mounted whole (documented as one entry). */
export const MOUNTED_ROUTERS = ['/admin/queues'];

export function buildOpenApiDocument(options: { version?: string; serverUrl?: string } = {}): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'hourglass',
      version: options.version ?? '0.1.0',
      summary: 'A job queue and worker fleet for image classification with ONNX models.',
      description: `Submit batches of images, follow their progress, fetch one result row per image. Errors are \`{ "error": { "code", "message" } }\` with stable codes. Jobs hold at most ${MAX_CHUNK_SIZE} images (chunkSize).`,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    security: [{ bearerAuth: [] }],
    tags: [
      { name: 'batches', description: 'Submit images, follow progress, read results' },
      { name: 'models', description: 'The model registry and its workers' },
      { name: 'training', description: 'Datasets and fine-tuning jobs' },
      { name: 'bench', description: 'The latest benchmark report' },
      { name: 'ui', description: 'The results page' },
      { name: 'operations', description: 'Health, metrics, this document, Bull Board' },
    ],
    paths: paths(),
    components: {
      schemas: components(),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'One of HOURGLASS_API_KEYS' },
        basicAuth: { type: 'http', scheme: 'basic', description: 'Any user name, the API key as password (browsers, Bull Board)' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when set' },
      },
    },
  };
}
