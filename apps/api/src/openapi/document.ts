/**
 * The OpenAPI 3.1 description served at GET /openapi.json, assembled from the route modules'
 * contracts (routes/<area>.contract.ts): their path entries, in the order given (the order of
 * `paths` in the served JSON), and their zod schemas as components. This folder only assembles:
 * it imports the contracts, and no route module imports it (app.ts passes the built document to
 * routes/openapi.ts). test/integration/api/openapi.test.ts walks the Express router and fails on a
 * route no contract documents, and validates every example.
 */
import { MAX_CHUNK_SIZE } from '@hourglass/core';
import type { Json, PathItems, RouteContract } from '../routes/contract/openapi-parts.js';
import { componentSchemas } from './components.js';

function mergePaths(contracts: readonly RouteContract[]): PathItems {
  const paths: PathItems = {};
  for (const contract of contracts) {
    for (const [template, operations] of Object.entries(contract.paths)) {
      // Two routers may serve one path template (different methods); a method documented twice is a mistake.
      const clash = Object.keys(operations).find((method) => paths[template]?.[method] !== undefined);
      if (clash) throw new Error(`OpenAPI: ${clash.toUpperCase()} ${template} is documented by two contracts`);
      paths[template] = { ...paths[template], ...operations };
    }
  }
  return paths;
}

export function buildOpenApiDocument(contracts: readonly RouteContract[], options: { version?: string; serverUrl?: string } = {}): Json {
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
    paths: mergePaths(contracts),
    components: {
      schemas: componentSchemas(contracts),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'One of HOURGLASS_API_KEYS' },
        basicAuth: { type: 'http', scheme: 'basic', description: 'Any user name, the API key as password (browsers, Bull Board)' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when set' },
      },
    },
  };
}
