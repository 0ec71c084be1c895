/**
 * The contract of Bull Board (board.ts), a third-party router mounted whole under /admin/queues:
 * documented as one entry, which covers every path under it.
 */
import { errors } from './routes/contract/errors.js';
import type { RouteContract } from './routes/contract/openapi-parts.js';

export const boardContract: RouteContract = {
  paths: {
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
  },
};
