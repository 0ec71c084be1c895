/** The contract of GET /openapi.json (routes/openapi.ts): the document describes itself too. */
import type { RouteContract } from './contract/openapi-parts.js';

export const openapiContract: RouteContract = {
  paths: {
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        tags: ['operations'],
        summary: 'This document',
        security: [],
        responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
  },
};
