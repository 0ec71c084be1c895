/** The contract of the results page and its static files (routes/ui.ts). */
import { errorResponse } from './contract/errors.js';
import type { RouteContract } from './contract/openapi-parts.js';

export const uiContract: RouteContract = {
  paths: {
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
  },
};
