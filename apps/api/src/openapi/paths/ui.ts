/** The results page and its static files. */
import { errorResponse, type PathItems } from '../responses.js';

export function uiPaths(): PathItems {
  return {
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
  };
}
