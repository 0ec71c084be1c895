/** /v1/batches: submit images, follow progress (JSON and server-sent events), read results and images. */
import { errorResponse, errors, json, ref, type PathItems } from '../responses.js';
import { exampleBatch, exampleCompleted, exampleFailedRow, exampleRow } from '../examples.js';

const batchId = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^b[a-z0-9]{8,40}$' }, example: exampleBatch.id };

export function batchPaths(): PathItems {
  return {
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
  };
}
