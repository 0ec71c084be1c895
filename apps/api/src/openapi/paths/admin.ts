/** Bull Board, a third-party router mounted whole under /admin/queues. */
import { errors, type PathItems } from '../responses.js';

/** Path prefixes served by a third-party router mounted whole (documented as one entry). */
export const MOUNTED_ROUTERS = ['/admin/queues'];

export function adminPaths(): PathItems {
  return {
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
