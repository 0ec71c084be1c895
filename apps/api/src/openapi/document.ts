/**
 * The OpenAPI 3.1 description served at GET /openapi.json. Request bodies come from the zod schemas
 * the routes validate with (z.toJSONSchema, input side); responses from openapi/schemas.ts (output
 * side). Every route the app registers must appear in one of paths/*.ts:
 * test/integration/api/openapi.test.ts walks the Express router and fails on an undocumented one, and
 * validates every example. This file assembles the parts: info, tags, paths, components, security.
 */
import { MAX_CHUNK_SIZE } from '@hourglass/core';
import { componentSchemas } from './components.js';
import type { Json } from './responses.js';
import { adminPaths } from './paths/admin.js';
import { batchPaths } from './paths/batches.js';
import { benchPaths } from './paths/bench.js';
import { datasetPaths } from './paths/datasets.js';
import { modelPaths } from './paths/models.js';
import { operationsPaths } from './paths/operations.js';
import { trainPaths } from './paths/train.js';
import { uiPaths } from './paths/ui.js';

export { MOUNTED_ROUTERS } from './paths/admin.js';

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
    paths: {
      // The spread order is the order of `paths` in the served JSON; keep it stable.
      ...operationsPaths(),
      ...uiPaths(),
      ...batchPaths(),
      ...modelPaths(),
      ...datasetPaths(),
      ...trainPaths(),
      ...benchPaths(),
      ...adminPaths(),
    },
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'One of HOURGLASS_API_KEYS' },
        basicAuth: { type: 'http', scheme: 'basic', description: 'Any user name, the API key as password (browsers, Bull Board)' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when set' },
      },
    },
  };
}
